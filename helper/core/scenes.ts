import type { Scene, Seconds } from '../../shared/index.ts';
import { toSamples } from '../../shared/index.ts';
import { UsageError } from '../errors.ts';

/**
 * Cut lists into scenes. Pure: numbers in, scenes out.
 * A cut is the time where the next scene begins. Cuts are snapped to the nearest frame boundary
 * (an NLE can only cut there), and then to the sample grid.
 */

/** Parses "--cuts 12.5,30,41.2" strictly: every entry a finite number, in order, inside the video. */
export function parseCutList(text: string, durationSec: Seconds): Seconds[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 1 && parts[0] === '') return [];
  const cuts = parts.map((p, i) => {
    if (p === '' || !/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(p)) {
      throw new UsageError(`--cuts: entry ${i + 1} is "${p}", not a number of seconds; give times like --cuts 12.5,30,41.2`);
    }
    return Number(p);
  });
  validateCuts(cuts, durationSec);
  return cuts;
}

export function validateCuts(cuts: readonly number[], durationSec: Seconds): void {
  cuts.forEach((c, i) => {
    const where = `cut ${i + 1} (${c} s)`;
    if (!Number.isFinite(c)) throw new UsageError(`${where} is not a finite number; give seconds like 12.5`);
    if (c < 0) throw new UsageError(`${where} is negative; cut times count from the start of the video`);
    if (c === 0) throw new UsageError(`${where} is the start of the video, not a cut; remove it`);
    if (c >= durationSec) {
      throw new UsageError(`${where} is at or beyond the end of the video (${durationSec.toFixed(3)} s); remove it or check the units (seconds)`);
    }
    const prev = cuts[i - 1];
    if (prev !== undefined && c === prev) throw new UsageError(`${where} is listed twice; remove the duplicate`);
    if (prev !== undefined && c < prev) throw new UsageError(`${where} comes before cut ${i} (${prev} s); list cuts in increasing order`);
  });
}

export interface SceneOptions {
  durationSec: Seconds;
  frameRate: number;
  minSceneSec: Seconds;
  origin: 'caller' | 'detected';
  /** Cuts never merged away however short their scenes (the editor forced them); a subset of the cuts. */
  forced?: readonly Seconds[];
  /** Optional per-segment feature vectors (one per segment between cuts) used to pick merge partners. */
  features?: readonly (readonly number[])[];
}

interface Segment {
  start: Seconds;
  end: Seconds;
  merged: Seconds[];
  feature: readonly number[] | undefined;
}

/** The shortest scene music can be fitted to (two beats at 240 BPM), whatever --min-scene says. */
export const MIN_SCENE_FLOOR_SEC = 0.5;

/** Builds scenes from cuts, merging any scene shorter than the minimum into its closer neighbour. */
export function scenesFromCuts(cuts: readonly Seconds[], o: SceneOptions): Scene[] {
  validateCuts(cuts, o.durationSec);
  const snapped = [...new Set(cuts.map((c) => Math.round(c * o.frameRate) / o.frameRate))].filter(
    (c) => c > 0 && c < o.durationSec,
  );
  const bounds = [0, ...snapped, o.durationSec];
  let segs: Segment[] = bounds.slice(0, -1).map((start, i) => ({
    start,
    end: bounds[i + 1]!,
    merged: [],
    feature: o.features?.[i],
  }));
  const forced = new Set((o.forced ?? []).map((c) => Math.round(c * o.frameRate) / o.frameRate));
  segs = mergeShort(segs, o.minSceneSec, forced);
  const tooShort = segs.length > 1 ? segs.findIndex((x) => x.end - x.start < MIN_SCENE_FLOOR_SEC) : -1;
  if (tooShort >= 0) {
    const x = segs[tooShort]!;
    throw new UsageError(`scene ${tooShort + 1} (${x.start.toFixed(2)} to ${x.end.toFixed(2)} s) would be ${(x.end - x.start).toFixed(2)} s long; music needs at least ${MIN_SCENE_FLOOR_SEC} s per scene (a beat or two), so raise --min-scene to merge short scenes, or remove the cut`);
  }
  const origin = segs.length === 1 && cuts.length === 0 ? 'whole' : o.origin;
  return segs.map((s, index) => ({
    index,
    start: s.start,
    end: s.end,
    startSample: toSamples(s.start),
    endSample: toSamples(s.end),
    origin,
    mergedCuts: s.merged,
  }));
}

function distance(a: readonly number[] | undefined, b: readonly number[] | undefined): number {
  if (!a || !b) return NaN;
  let d = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) d += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(d);
}

function mergeShort(input: Segment[], min: Seconds, forced: ReadonlySet<Seconds>): Segment[] {
  const segs = [...input];
  for (;;) {
    if (segs.length < 2) return segs;
    // A neighbour across a forced cut is no merge partner; a scene with none stays as it is.
    const partners = (i: number) => ({
      left: i > 0 && !forced.has(segs[i]!.start) ? segs[i - 1] : undefined,
      right: i + 1 < segs.length && !forced.has(segs[i]!.end) ? segs[i + 1] : undefined,
    });
    let shortest = -1;
    for (let i = 0; i < segs.length; i++) {
      const len = segs[i]!.end - segs[i]!.start;
      const p = partners(i);
      if (len < min && (p.left || p.right) && (shortest < 0 || len < segs[shortest]!.end - segs[shortest]!.start)) shortest = i;
    }
    if (shortest < 0) return segs;
    const s = segs[shortest]!;
    const { left, right } = partners(shortest);
    // Prefer the neighbour that looks most alike; without features, the shorter one (keeps lengths even).
    let intoLeft: boolean;
    if (!left) intoLeft = false;
    else if (!right) intoLeft = true;
    else {
      const dl = distance(s.feature, left.feature);
      const dr = distance(s.feature, right.feature);
      intoLeft = Number.isNaN(dl) || Number.isNaN(dr) ? left.end - left.start <= right.end - right.start : dl <= dr;
    }
    const a = intoLeft ? left! : s;
    const b = intoLeft ? s : right!;
    const merged: Segment = {
      start: a.start,
      end: b.end,
      merged: [...a.merged, b.start, ...b.merged],
      feature: averageFeature(a, b),
    };
    segs.splice(intoLeft ? shortest - 1 : shortest, 2, merged);
  }
}

function averageFeature(a: Segment, b: Segment): readonly number[] | undefined {
  if (!a.feature || !b.feature) return a.feature ?? b.feature;
  const wa = a.end - a.start;
  const wb = b.end - b.start;
  return a.feature.map((v, i) => (v * wa + (b.feature![i] ?? v) * wb) / (wa + wb));
}
