import { z } from 'zod';
import type { Cue, Plan, Transition } from '../../shared/index.ts';
import { samplesToTicks, type Clock } from './time.ts';

/**
 * Where each cue goes on the timeline, as pure data. A cue's file holds handles either side of its
 * body; the clip shows just the body (source in = head handle, out = head + body) so the editor
 * can drag either edge out into the handle. Cues that overlap (fades, bridge joins) cannot share a
 * track, so cues are dealt onto "lanes" (Segue's audio tracks) by interval colouring: cues that are
 * not being replaced keep their lanes, and each other cue takes the lane it had before when it still
 * fits there, else the lowest lane where it overlaps nothing.
 */

export interface Placement {
  cue: string;
  kind: 'scene' | 'bridge';
  take: number;
  /** The file's path inside the helper project (plan's cue.file). */
  file: string;
  lane: number;
  /** Timeline ticks of the body. */
  start: bigint;
  end: bigint;
  /** Source ticks of the body inside the file. */
  inPoint: bigint;
  outPoint: bigint;
  hash: string;
}

export function placements(plan: Plan, c: Clock, lanesBefore: ReadonlyMap<string, number> = new Map(), fixed: ReadonlySet<string> = new Set()): Placement[] {
  const all = plan.cues.map((cue) => place(cue, c));
  const taken: { lane: number; start: bigint; end: bigint }[] = [];
  const free = (lane: number, p: { start: bigint; end: bigint }) => !taken.some((t) => t.lane === lane && t.start < p.end && p.start < t.end);
  const out: Placement[] = [];
  // Cues that stay where they are keep their lanes; the others are fitted around them.
  for (const p of all.filter((x) => fixed.has(x.cue) && lanesBefore.has(x.cue))) {
    const lane = lanesBefore.get(p.cue)!;
    taken.push({ lane, start: p.start, end: p.end });
    out.push({ ...p, lane });
  }
  const rest = all.filter((x) => !out.some((o) => o.cue === x.cue)).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.cue.localeCompare(b.cue)));
  for (const p of rest) {
    const wanted = lanesBefore.get(p.cue);
    let lane = 0;
    if (wanted !== undefined && free(wanted, p)) lane = wanted;
    else while (!free(lane, p)) lane++;
    taken.push({ lane, start: p.start, end: p.end });
    out.push({ ...p, lane });
  }
  return out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

function place(cue: Cue, c: Clock): Omit<Placement, 'lane'> {
  const body = cue.timelineOut - cue.timelineIn;
  return {
    cue: cue.id, kind: cue.kind, take: cue.take, file: cue.file, hash: cue.hash,
    start: samplesToTicks(c, cue.timelineIn), end: samplesToTicks(c, cue.timelineOut),
    inPoint: samplesToTicks(c, cue.handles.head), outPoint: samplesToTicks(c, cue.handles.head + body),
  };
}

export const lanesUsed = (ps: readonly Placement[]): number => ps.reduce((n, p) => Math.max(n, p.lane + 1), 0);

/** A sequence marker at a cut: named by the chosen style, the director's reason in its comment. */
export interface MarkerPlan {
  at: bigint;
  name: string;
  comments: string;
}

export const MARKER_PREFIX = 'Segue';

export const STYLE_LABEL: Record<Transition['style'], string> = {
  'abrupt-cut': 'Cut',
  'silent-gap': 'Silent gap',
  fade: 'Fade',
  bridge: 'Bridge',
};

export function markers(plan: Plan, c: Clock): MarkerPlan[] {
  return plan.transitions.map((t) => ({
    at: samplesToTicks(c, t.atSample),
    name: `${MARKER_PREFIX}: ${STYLE_LABEL[t.style]}`,
    comments: `${t.style === t.suggested ? 'Suggested' : `Chosen by you (suggested: ${STYLE_LABEL[t.suggested]})`}. ${t.reason}`,
  }));
}

/**
 * What the panel placed, kept in `placement.json` beside the media so it stays with the Premiere
 * project: the next placement compares it with the timeline to see what the editor changed.
 */
const Ticks = z.string().regex(/^\d+$/);
export const PlacedClip = z
  .object({ cue: z.string(), take: z.number().int(), path: z.string(), lane: z.number().int().min(0), start: Ticks, end: Ticks, inPoint: Ticks, outPoint: Ticks })
  .strict();
export type PlacedClip = z.infer<typeof PlacedClip>;
export const PlacementRecord = z
  .object({
    version: z.literal(1),
    helperProject: z.string(),
    sequence: z.string(),
    /** Audio track index of lane 0; lane k is firstTrack + k. */
    firstTrack: z.number().int().min(0),
    lanes: z.number().int().min(0),
    clips: z.array(PlacedClip),
  })
  .strict();
export type PlacementRecord = z.infer<typeof PlacementRecord>;

/** A clip as seen on one of Segue's tracks now. */
export interface ObservedClip {
  track: number;
  path: string;
  start: bigint;
  end: bigint;
  inPoint: bigint;
  outPoint: bigint;
}

export interface EditorChange {
  cue: string;
  what: 'deleted' | 'moved' | 'trimmed';
}

/** Segue's clips the editor deleted, moved or trimmed since they were placed. */
export function editorChanges(record: PlacementRecord, seen: readonly ObservedClip[]): EditorChange[] {
  const changes: EditorChange[] = [];
  for (const p of record.clips) {
    const mine = seen.filter((s) => samePath(s.path, p.path));
    const exact = mine.find((s) => s.track === record.firstTrack + p.lane && String(s.start) === p.start && String(s.end) === p.end && String(s.inPoint) === p.inPoint);
    if (exact) continue;
    if (mine.length === 0) changes.push({ cue: p.cue, what: 'deleted' });
    else if (mine.some((s) => String(s.end - s.start) === String(BigInt(p.end) - BigInt(p.start)) && String(s.inPoint) === p.inPoint)) changes.push({ cue: p.cue, what: 'moved' });
    else changes.push({ cue: p.cue, what: 'trimmed' });
  }
  return changes;
}

export const samePath = (a: string, b: string): boolean => a.replace(/\\/g, '/').toLowerCase() === b.replace(/\\/g, '/').toLowerCase();

export function describeChanges(changes: readonly EditorChange[]): string {
  return changes.map((c) => `${c.cue} was ${c.what}`).join(', ');
}
