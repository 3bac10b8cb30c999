import type { z } from 'zod';
import type { Plan, ProgressEvent, ScoreRequest } from '../../shared/index.ts';
import { decisionsOf, editPrompt } from '../core/edit.ts';
import { sceneSeed } from '../core/layout.ts';
import { decideTransitions, planSequence } from '../core/plan.ts';
import { UsageError } from '../errors.ts';
import { changedCues, loadPlan, realiseInto, scoredVideoName, type EditOutcome } from './edit.ts';
import type { RenderPool } from './pool.ts';
import { ENGINES } from './score.ts';
import { withProjectLock } from './lock.ts';

/**
 * Scoring an analysed project folder (the helper's `score`): the plan's decisions, with the
 * editor's overrides, realised into cues. Without overrides the decisions stand as they are
 * (transitions the editor chose stay chosen); a new anchor re-plans every prompt around it, and
 * per-scene fields then apply on top. Scoring again keeps the take history: takes are never reused.
 */

type Request = z.output<typeof ScoreRequest>;

export function scoreProject(dir: string, req: Request, o: { pool?: RenderPool }, emit: (e: ProgressEvent) => void, signal: AbortSignal): Promise<EditOutcome> {
  return withProjectLock(dir, emit, signal, () => scoreLocked(dir, req, o, emit, signal));
}

async function scoreLocked(dir: string, req: Request, o: { pool?: RenderPool }, emit: (e: ProgressEvent) => void, signal: AbortSignal): Promise<EditOutcome> {
  const plan = loadPlan(dir);
  const engine = req.engine ?? plan.settings.engine;
  if (!(ENGINES as readonly string[]).includes(engine)) throw new UsageError(`engine "${engine}" is not available; use one of: ${ENGINES.join(', ')}`);
  const settings = {
    ...plan.settings, engine,
    seed: req.seed ?? plan.settings.seed,
    loudnessLufs: req.loudnessLufs ?? plan.settings.loudnessLufs,
    soundFont: req.soundFont ?? plan.settings.soundFont,
    model: req.model ?? plan.settings.model,
  };
  if (engine === 'musicgen' && !settings.model) throw new UsageError('engine "musicgen" needs a model: give "model", the MusicGen ONNX folder on this machine');
  const scored = plan.cues.length > 0;
  let { scenes, transitions } = scored ? decisionsOf(plan) : plan;
  let anchor = plan.anchor;
  if (req.anchor) {
    const seq = planSequence(plan.scenes.map(({ scene, analysis }) => ({ scene, analysis })), settings, req.anchor);
    ({ scenes, transitions, anchor } = seq);
  }
  if (req.scenes) {
    for (const key of Object.keys(req.scenes)) {
      const k = Number(key);
      if (k > scenes.length) throw new UsageError(`scenes.${key}: there is no scene ${key}; this project has scenes 1 to ${scenes.length}`);
    }
    scenes = scenes.map((s, i) => {
      const fields = req.scenes![String(i + 1)];
      return fields ? { ...s, prompt: editPrompt(s.prompt, fields) } : s;
    });
    transitions = decideTransitions(scenes, settings); // keys stay as set: the editor's key wins over key fitting
  }
  // A new seed re-seeds every scene; otherwise scenes keep the seeds of their current takes.
  const keep = scored && req.seed === undefined;
  const seeds = keep ? decisionsOf(plan).seeds : scenes.map((_, k) => sceneSeed(settings.seed, k));
  const bridgeSeeds = keep ? decisionsOf(plan).bridgeSeeds : [];
  const done = await realiseInto(dir, {
    source: plan.source, durationSamples: plan.durationSamples, settings, anchor, scenes, transitions, seeds, bridgeSeeds,
    previous: plan.takes.length ? plan : null, reason: 'score', keepOriginalAudio: plan.outputs.keepOriginalAudio, mix: req.mix,
    videoName: scoredVideoName(plan),
    ...(o.pool ? { pool: o.pool } : {}),
  }, emit, signal);
  const before: Plan | null = scored ? plan : null;
  return { plan: done.plan, rendered: done.rendered, ...changedCues(before, done.plan) };
}
