import type { ClipMedia } from '../../shared/index.ts';
import { UsageError } from '../errors.ts';

/**
 * A sequence as the panel describes it, made into what the analysis reads. Pure.
 * What the viewer sees at a time is the topmost clip there (higher track numbers cover lower
 * ones), so only those stretches of each clip's media are decoded for motion and dialogue.
 */

/** A stretch of the timeline where one clip is the visible picture; source time = timeline time + offset. */
export interface VisibleSpan {
  path: string;
  timelineIn: number;
  timelineOut: number;
  /** sourceTime = timelineTime + offset (speed changes are not modelled: clips are read at 100 %). */
  offset: number;
}

export function visibleSpans(clips: readonly ClipMedia[], durationSec: number): VisibleSpan[] {
  const edges = [...new Set([0, durationSec, ...clips.flatMap((c) => [c.timelineIn, c.timelineOut])])]
    .filter((t) => t >= 0 && t <= durationSec)
    .sort((a, b) => a - b);
  const spans: VisibleSpan[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const a = edges[i]!;
    const b = edges[i + 1]!;
    const mid = (a + b) / 2;
    let top: ClipMedia | null = null;
    for (const c of clips) if (c.timelineIn <= mid && mid < c.timelineOut && (!top || c.track >= top.track)) top = c;
    if (!top) continue;
    const offset = top.sourceIn - top.timelineIn;
    const last = spans.at(-1);
    // Neighbouring pieces of the same clip (split only by another track's edges) read as one.
    if (last && last.path === top.path && last.offset === offset && last.timelineOut === a) last.timelineOut = b;
    else spans.push({ path: top.path, timelineIn: a, timelineOut: b, offset });
  }
  return spans;
}

/** The parts of the spans inside the given time ranges (a re-cut reads only its new scenes' media). */
export function spansWithin(spans: readonly VisibleSpan[], ranges: readonly { start: number; end: number }[]): VisibleSpan[] {
  return spans.flatMap((s) =>
    ranges.flatMap((r) => {
      const a = Math.max(s.timelineIn, r.start);
      const b = Math.min(s.timelineOut, r.end);
      return b > a ? [{ ...s, timelineIn: a, timelineOut: b }] : [];
    }),
  );
}

/** The media frame the picture shows in the frame starting at time t ("path@frame"), or null where no clip is known. */
export function frameAt(spans: readonly VisibleSpan[], t: number, frameRate: number): string | null {
  // Half a frame in, so a clip that starts exactly at t is the one seen.
  const at = t + 0.5 / frameRate;
  const s = spans.find((x) => x.timelineIn <= at && at < x.timelineOut);
  return s ? `${s.path}@${Math.floor((at + s.offset) * frameRate)}` : null;
}

/** What a cut joins: the last frame before it and the first after it, or null where either is unknown. */
export function cutFrames(spans: readonly VisibleSpan[], t: number, frameRate: number): string | null {
  const before = frameAt(spans, t - 1 / frameRate, frameRate);
  const after = frameAt(spans, t, frameRate);
  return before && after ? `${before}|${after}` : null;
}

/** Whether time t is covered by any span. */
export function covered(spans: readonly VisibleSpan[], t: number): boolean {
  return spans.some((s) => s.timelineIn <= t && t < s.timelineOut);
}

/** The shortest scene a forced cut may leave: tempo fitting needs at least a beat or two. */
export const MIN_FORCED_SCENE_SEC = 1;

/** The cut list the scenes are made from: the editor's cuts and forced cuts, checked against each other. */
export function sequenceCuts(cuts: readonly number[], forced: readonly number[], durationSec: number): { cuts: number[]; forced: number[] } {
  const all = [...new Set([...cuts, ...forced])].sort((a, b) => a - b);
  for (const [i, c] of cuts.entries()) {
    if (i > 0 && c <= cuts[i - 1]!) throw new UsageError(`cuts[${i}] (${c} s) is not after cuts[${i - 1}] (${cuts[i - 1]} s); send cut times in increasing order, each once`);
  }
  const bounds = [0, ...all, durationSec];
  for (const f of forced) {
    const i = bounds.indexOf(f);
    if (f <= 0 || f >= durationSec) throw new UsageError(`forcedCuts: ${f} s is outside the sequence (0 to ${durationSec} s); remove it`);
    const shortest = Math.min(f - bounds[i - 1]!, bounds[i + 1]! - f);
    if (shortest < MIN_FORCED_SCENE_SEC) {
      throw new UsageError(`forcedCuts: the cut at ${f} s leaves a scene of ${shortest.toFixed(3)} s; a forced cut needs at least ${MIN_FORCED_SCENE_SEC} s on each side, so unforce it and let it merge`);
    }
  }
  return { cuts: all, forced: [...forced].sort((a, b) => a - b) };
}
