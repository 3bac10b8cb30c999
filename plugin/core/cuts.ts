/**
 * Cut points of a sequence, read the way an editor sees them: a cut is where the visible picture
 * changes, i.e. where the topmost enabled clip at the playhead becomes another one. Pure: the
 * Premiere adapter (plugin/premiere/sequence.ts) turns track items into TimelineClips.
 */

/** A clip on a video track as the panel reads it; times in ticks. */
export interface TimelineClip {
  /** Video track index, 0 = V1; a higher track covers a lower one. */
  track: number;
  start: bigint;
  end: bigint;
  /** Source in point (media time at `start`). */
  inPoint: bigint;
  outPoint: bigint;
  disabled: boolean;
  /** The media file, or null for titles, graphics, adjustment layers and nested sequences. */
  path: string | null;
  name: string;
}

export interface CutOptions {
  /** A title or graphic over a shot changes the picture too; editors usually do not call that a cut. */
  titlesAreCuts?: boolean;
}

/** Whether a clip decides what picture is seen (and so can make a cut). */
function counts(c: TimelineClip, o: CutOptions): boolean {
  return !c.disabled && c.end > c.start && (c.path !== null || o.titlesAreCuts === true);
}

/**
 * The topmost counting clip over each stretch between clip edges. Two stretches show the same
 * picture when the same clip covers both, or when the clips continue one media file without a
 * jump (a through-edit made with the razor is not a cut).
 */
export function visibleCuts(clips: readonly TimelineClip[], end: bigint, o: CutOptions = {}): bigint[] {
  const live = clips.filter((c) => counts(c, o));
  const edges = [...new Set(live.flatMap((c) => [c.start, c.end]).filter((t) => t > 0n && t < end))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const topAt = (t: bigint): TimelineClip | null => {
    let top: TimelineClip | null = null;
    for (const c of live) if (c.start <= t && t < c.end && (!top || c.track > top.track)) top = c;
    return top;
  };
  const cuts: bigint[] = [];
  for (const e of edges) {
    const before = topAt(e - 1n);
    const after = topAt(e);
    if (before === after) continue;
    if (before && after && continues(before, after, e)) continue;
    cuts.push(e);
  }
  return cuts;
}

/** `b` picks up `a`'s media exactly where `a` leaves it at time `at`. */
function continues(a: TimelineClip, b: TimelineClip, at: bigint): boolean {
  return a.path !== null && a.path === b.path && a.inPoint + (at - a.start) === b.inPoint + (at - b.start);
}

/** Two cut times closer than this (seconds, about half a frame) are the same cut. */
export const CUT_TOLERANCE_SEC = 0.02;

/** Index of the cut in `list` that is `t`, or -1. */
export const indexOfCut = (list: readonly number[], t: number): number => list.findIndex((x) => Math.abs(x - t) < CUT_TOLERANCE_SEC);

export interface CutDiff {
  added: number[];
  removed: number[];
  /** Scene numbers (0-based, of the new list) whose start or end moved, appeared or went. */
  changedScenes: number[];
}

/**
 * What changed between the cut list a project was scored with and the sequence now. Cuts closer
 * than `tolerance` seconds (half a frame by default) are the same cut.
 */
export function diffCuts(before: readonly number[], after: readonly number[], durationBefore: number, durationAfter: number, tolerance = CUT_TOLERANCE_SEC): CutDiff {
  const near = (list: readonly number[], t: number) => list.some((x) => Math.abs(x - t) <= tolerance);
  const added = after.filter((t) => !near(before, t));
  const removed = before.filter((t) => !near(after, t));
  const oldBounds = [0, ...before, durationBefore];
  const newBounds = [0, ...after, durationAfter];
  const changedScenes: number[] = [];
  for (let k = 0; k + 1 < newBounds.length; k++) {
    const a = newBounds[k]!;
    const b = newBounds[k + 1]!;
    const same = oldBounds.some((x, i) => i + 1 < oldBounds.length && Math.abs(x - a) <= tolerance && Math.abs(oldBounds[i + 1]! - b) <= tolerance);
    if (!same) changedScenes.push(k);
  }
  return { added, removed, changedScenes };
}
