import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Plan, SAMPLE_RATE, toSamples, type ProgressEvent, type Scene, type SceneAnalysis, type Stage } from '../../shared/index.ts';
import { analyseScene } from '../core/analysis.ts';
import { matchCuts, matchScenes, recutPlan } from '../core/recut.ts';
import { scenesFromCuts } from '../core/scenes.ts';
import { cutFrames, frameAt, sequenceCuts, visibleSpans } from '../core/sequence.ts';
import { ConflictError, UsageError } from '../errors.ts';
import { writeAtomic } from './cache.ts';
import { changedCues, loadPlan, realiseInto, type EditOutcome } from './edit.ts';
import { withProjectLock } from './lock.ts';
import type { RenderPool } from './pool.ts';
import { measureSequence, stillFrames, stillsOf, type StoredSequence } from './sequence.ts';
import { sceneTags } from './vision.ts';

/**
 * A sequence project after the editor re-cut it (the helper's `recut`): the new cut list matched
 * against the old one (core/recut.ts), only the new or changed scenes' media read and analysed, the
 * plan rebuilt around the kept scenes, and, when the project was scored, only the cues whose content
 * changed rendered. sequence.json is replaced last, so a failed re-cut leaves the project as it was.
 */

export interface RecutOutcome extends EditOutcome {
  /** New scene indices (0-based) that were analysed afresh. */
  fresh: number[];
}

export interface RecutOptions {
  pool?: RenderPool;
  /** The vision model the helper was started with (used only when the project was tagged). */
  vision: string | null;
}

export function readStoredSequence(dir: string): StoredSequence {
  const path = join(dir, 'sequence.json');
  if (!existsSync(path)) throw new ConflictError('this project was scored from a video file, not from a Premiere sequence; score the re-cut video again instead');
  return JSON.parse(readFileSync(path, 'utf8')) as StoredSequence;
}

/** The re-cut sequence as the helper stores it: the stills already written to the project folder. */
export type RecutSequence = Omit<StoredSequence, 'name' | 'settings'>;

export function recutProject(dir: string, seq: RecutSequence, o: RecutOptions, emit: (e: ProgressEvent) => void, signal: AbortSignal): Promise<RecutOutcome> {
  return withProjectLock(dir, emit, signal, () => recutLocked(dir, seq, o, emit, signal));
}

async function recutLocked(dir: string, recut: RecutSequence, o: RecutOptions, emit: (e: ProgressEvent) => void, signal: AbortSignal): Promise<RecutOutcome> {
  const stage = (s: Stage, status: 'start' | 'progress' | 'done', fraction: number, message: string) => emit({ type: 'stage', stage: s, status, fraction, message });
  const plan = loadPlan(dir);
  const before = readStoredSequence(dir);
  const seq: StoredSequence = { ...before, ...recut };
  if (!Array.isArray(seq.cuts)) throw new UsageError('a re-cut needs the cut list (cuts: [seconds, ...]), not content detection');
  const { cuts, forced } = sequenceCuts(seq.cuts, seq.forcedCuts, seq.durationSec);
  const scenes = scenesFromCuts(cuts, { durationSec: seq.durationSec, frameRate: seq.frameRate, minSceneSec: seq.minSceneSec, origin: 'caller', forced });

  const signatures = (s: StoredSequence, list: readonly Scene[]) => {
    const spans = visibleSpans(s.clips, s.durationSec);
    return {
      scenes: list.map((x) => ({ samples: x.endSample - x.startSample, opening: frameAt(spans, x.start, s.frameRate) })),
      cuts: list.slice(1).map((x) => cutFrames(spans, x.start, s.frameRate)),
    };
  };
  const was = signatures(before, plan.scenes.map((p) => p.scene));
  const now = signatures(seq, scenes);
  // Half a frame: a scene that moved by whole frames may gain or lose a sample to rounding (29.97 fps).
  const matches = matchScenes(was.scenes, now.scenes, Math.floor(SAMPLE_RATE / seq.frameRate / 2));
  const cutMatches = matchCuts(was.cuts, now.cuts);
  const fresh = scenes.filter((_, k) => matches[k] === null);
  stage('scenes', 'done', 1, `${scenes.length} scene(s): ${scenes.length - fresh.length} kept, ${fresh.length} new or changed`);

  const analyses = new Map<number, SceneAnalysis>();
  if (fresh.length) {
    stage('analysis', 'start', 0, `reading ${fresh.length} new or changed scene(s)`);
    const stills = stillsOf(seq, dir);
    const { series, speech } = await measureSequence(seq, stills, signal, (f, m) => stage('analysis', 'progress', f, m), fresh.map((s) => ({ start: s.start, end: s.end })));
    const tags = plan.settings.vision && o.vision && stills.length ? await sceneTags(stillFrames(stills, signal), fresh, o.vision, emit, signal) : null;
    fresh.forEach((scene, i) => analyses.set(scene.index, analyseScene(scene, series, speech, tags?.[i])));
    stage('analysis', 'done', 1, fresh.map((s) => `${s.index + 1}: ${analyses.get(s.index)!.caption}`).join(' '));
  }
  const r = recutPlan({ plan, scenes, matches, cutMatches, analyses });
  const durationSamples = toSamples(seq.durationSec);
  let outcome: EditOutcome;
  if (plan.cues.length) {
    const done = await realiseInto(dir, {
      source: null, durationSamples, settings: plan.settings, anchor: plan.anchor, scenes: r.scenes, transitions: r.transitions, seeds: r.seeds, bridgeSeeds: r.bridgeSeeds,
      previous: { ...plan, takes: r.takes }, reason: 'score', keepOriginalAudio: false, mix: false, videoName: null, ...(o.pool ? { pool: o.pool } : {}),
    }, emit, signal);
    outcome = { plan: done.plan, rendered: done.rendered, ...changedCues(plan, done.plan) };
  } else {
    const next = Plan.parse({ ...plan, durationSamples, scenes: r.scenes, transitions: r.transitions });
    writeAtomic(join(dir, 'plan.json'), JSON.stringify(next, null, 2) + '\n');
    outcome = { plan: next, rendered: [], changed: [], removed: [] };
  }
  writeAtomic(join(dir, 'sequence.json'), JSON.stringify(seq, null, 2));
  return { ...outcome, fresh: fresh.map((s) => s.index) };
}
