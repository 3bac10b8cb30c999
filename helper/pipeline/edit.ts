import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Plan, PLAN_VERSION, type ProgressEvent } from '../../shared/index.ts';
import type { Decisions } from '../core/edit.ts';
import { MediaError, UsageError } from '../errors.ts';
import { realise } from './realise.ts';
import { commitOutput, withStaging } from './output.ts';

/**
 * The edit commands on a folder written by `segue score`: load and check its plan, apply a pure
 * edit (core/edit.ts), re-render what changed, and commit. Nothing is written until the edit has
 * been checked; new takes get new file names, so no earlier file is ever overwritten except the
 * mix, the video and plan.json, which always describe the current takes.
 */

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
  return parsed.data;
}

export interface EditOutcome {
  plan: Plan;
  /** Cue ids that got a new take (or an earlier take made current). */
  changed: string[];
  rendered: string[];
}

export async function applyEdit(dir: string, edit: (plan: Plan) => Decisions, reason: 'regenerate' | 'transition' | 'restore', emit: (e: ProgressEvent) => void, signal: AbortSignal): Promise<EditOutcome> {
  const outDir = resolve(dir);
  const plan = loadPlan(outDir);
  const next = edit(plan);
  const source = plan.source;
  if (!source || !existsSync(source.path)) {
    throw new MediaError(`the scored video ${source?.path ?? '(none recorded)'} is no longer there; put it back or score the video again`);
  }
  return withStaging(outDir, async (staging) => {
    const done = await realise({
      outDir, staging, source, settings: plan.settings, anchor: plan.anchor, ...next, previous: plan, reason,
      keepOriginalAudio: plan.outputs.keepOriginalAudio, videoName: plan.outputs.video ?? 'scored.mp4',
    }, emit, signal);
    commitOutput(staging, outDir, done.files);
    const changed = done.plan.cues.filter((c) => plan.cues.find((p) => p.id === c.id)?.file !== c.file).map((c) => c.id);
    emit({ type: 'stage', stage: 'outputs', status: 'done', fraction: 1, message: changed.length ? `changed: ${changed.join(', ')}` : 'nothing changed' });
    return { plan: done.plan, changed, rendered: done.rendered };
  });
}
