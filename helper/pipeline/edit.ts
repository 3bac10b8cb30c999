import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { isPlainRelative } from '../core/paths.ts';
import { Plan, PLAN_VERSION, type ProgressEvent, type SourceMedia } from '../../shared/index.ts';
import { probe } from '../adapters/ffmpeg.ts';
import type { Decisions } from '../core/edit.ts';
import { MediaError, UsageError } from '../errors.ts';
import { realise, type Realised, type RealiseInput } from './realise.ts';
import { commitOutput, withStaging } from './output.ts';
import type { RenderPool } from './pool.ts';
import { withProjectLock } from './lock.ts';

/**
 * The edit commands on a project folder (written by `segue score` or the helper): load and check
 * its plan, apply a pure edit (core/edit.ts), re-render what changed, and commit. Nothing is
 * written until the edit has been checked; new takes get new file names, so no earlier file is
 * ever overwritten except the mix, the video and plan.json, which always describe the current takes.
 */


function planPaths(plan: Plan): string[] {
  return [
    ...plan.cues.flatMap((c) => [c.file, ...(c.midiFile ? [c.midiFile] : []), ...Object.values(c.stems ?? {})]),
    ...plan.takes.map((t) => t.file),
    ...(plan.outputs.mix ? [plan.outputs.mix] : []),
    ...(plan.outputs.video ? [plan.outputs.video] : []),
  ];
}

export function loadPlan(dir: string): Plan {
  const path = join(resolve(dir), 'plan.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`${dir} has no plan.json; give the output folder of "segue score" (its --out)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path} is not valid JSON (${(e as Error).message}); re-run segue score to write it again`);
  }
  const version = (json as { version?: unknown })?.version;
  if ((json as { schema?: unknown })?.schema === 'segue.plan' && version !== PLAN_VERSION) {
    throw new UsageError(`${path} is plan version ${String(version)}; this segue reads version ${PLAN_VERSION}. Re-run segue score on the video to write a current plan`);
  }
  const parsed = Plan.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new UsageError(`${path} is not a valid Segue plan (${i.path.join('.') || 'top level'}: ${i.message}); re-run segue score`);
  }
  const outside = planPaths(parsed.data).find((p) => !isPlainRelative(p));
  if (outside !== undefined) {
    throw new UsageError(`${path} names the file "${outside}", which is not inside the project folder; the plan is damaged or was edited by hand, re-run segue score`);
  }
  return parsed.data;
}

export interface EditOutcome {
  plan: Plan;
  /** Cue ids that got a new take (or an earlier take made current). */
  changed: string[];
  rendered: string[];
  /** Cue ids the previous plan had and this one does not. */
  removed: string[];
}

export interface EditOptions {
  /** Write soundtrack.wav (and the muxed video when there is a source video). The CLI always does. */
  mix: boolean;
  pool?: RenderPool;
}

/** Cue ids whose file or place on the timeline differs between two plans, and those that went away. */
export function changedCues(before: Plan | null, after: Plan): { changed: string[]; removed: string[] } {
  const where = (c: Plan['cues'][number]) => `${c.file}@${c.timelineIn}-${c.timelineOut}`;
  const prev = new Map(before?.cues.map((c) => [c.id, where(c)]) ?? []);
  return {
    changed: after.cues.filter((c) => prev.get(c.id) !== where(c)).map((c) => c.id),
    removed: [...prev.keys()].filter((id) => !after.cues.some((c) => c.id === id)),
  };
}

/** The muxed video's name: `<video>.scored.mp4` beside the cues; null for a sequence without a video. */
export function scoredVideoName(plan: Plan): string | null {
  if (!plan.source) return null;
  return plan.outputs.video ?? `${basename(plan.source.path, extname(plan.source.path))}.scored.mp4`;
}

/** The video an edit muxes into must be the one that was scored: music cut for another edit must not be laid under it. */
async function checkSource(source: SourceMedia, signal: AbortSignal): Promise<void> {
  if (!existsSync(source.path)) throw new MediaError(`the scored video ${source.path} is no longer there; put it back or score the video again`);
  const now = await probe(source.path, signal);
  const changes = [
    Math.abs(now.durationSec - source.durationSec) > 1 / source.frameRate ? `${now.durationSec.toFixed(3)} s long, scored at ${source.durationSec.toFixed(3)} s` : null,
    now.width !== source.width || now.height !== source.height ? `${now.width}x${now.height}, scored at ${source.width}x${source.height}` : null,
    Math.abs(now.frameRate - source.frameRate) > 0.01 ? `${now.frameRate.toFixed(3)} fps, scored at ${source.frameRate.toFixed(3)} fps` : null,
  ].filter(Boolean);
  if (changes.length) {
    throw new MediaError(`the video ${source.path} changed since it was scored (${changes.join('; ')}); score the new video again (segue score), or put the scored one back to edit this folder`);
  }
}

/** realise() into a staging folder of `dir`, then commit: what score and every edit end with. */
export async function realiseInto(dir: string, input: Omit<RealiseInput, 'outDir' | 'staging'>, emit: (e: ProgressEvent) => void, signal: AbortSignal): Promise<Realised> {
  const outDir = resolve(dir);
  return withStaging(outDir, async (staging) => {
    const done = await realise({ ...input, outDir, staging }, emit, signal);
    commitOutput(staging, outDir, done.files);
    return done;
  });
}

export function applyEdit(dir: string, edit: (plan: Plan) => Decisions, reason: 'regenerate' | 'transition' | 'restore', emit: (e: ProgressEvent) => void, signal: AbortSignal, o: EditOptions = { mix: true }): Promise<EditOutcome> {
  return withProjectLock(dir, emit, signal, () => editLocked(dir, edit, reason, emit, signal, o));
}

async function editLocked(dir: string, edit: (plan: Plan) => Decisions, reason: 'regenerate' | 'transition' | 'restore', emit: (e: ProgressEvent) => void, signal: AbortSignal, o: EditOptions): Promise<EditOutcome> {
  const plan = loadPlan(dir);
  if (!plan.cues.length) throw new UsageError(`${dir} has been analysed but not scored yet; score it first`);
  const next = edit(plan);
  const source = plan.source;
  if (o.mix && source) await checkSource(source, signal);
  const done = await realiseInto(dir, {
    source, durationSamples: plan.durationSamples, settings: plan.settings, anchor: plan.anchor, ...next, previous: plan, reason,
    keepOriginalAudio: plan.outputs.keepOriginalAudio, mix: o.mix, videoName: scoredVideoName(plan),
    ...(o.pool ? { pool: o.pool } : {}),
  }, emit, signal);
  const { changed, removed } = changedCues(plan, done.plan);
  emit({ type: 'stage', stage: 'outputs', status: 'done', fraction: 1, message: changed.length ? `changed: ${changed.join(', ')}` : 'nothing changed' });
  return { plan: done.plan, changed, rendered: done.rendered, removed };
}
