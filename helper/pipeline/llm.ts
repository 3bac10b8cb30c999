import type { PlannedScene, PlanSettings, ProgressEvent, Transition } from '../../shared/index.ts';
import { DEFAULT_LENGTHS } from '../core/director.ts';
import { DIRECTOR_SCHEMA, DIRECTOR_SYSTEM, directorUser, parseDirector, parseVmpt, VMPT_SCHEMA, VMPT_SYSTEM, vmptUser } from '../core/llm.ts';
import { transitionFor, type SequencePlan } from '../core/plan.ts';
import { openLlm, type Llm } from '../adapters/llama.ts';
import { InterruptedError } from '../errors.ts';

/**
 * LLM mode for `segue score --llm MODEL.gguf`: the model writes each scene's music prompt (VMPT)
 * and then chooses each transition (the paper's director, told where the scenes sit in the arc).
 * Every answer is parsed by the same schemas as the rules' output; whatever fails (no model, a
 * file that is not a model, a timeout, an unusable answer, a transition that does not fit) keeps
 * the rules' choice for that scene or cut and says so in a warning. The rules plan comes in whole,
 * so a failure at any point loses nothing.
 */

type Emit = (e: ProgressEvent) => void;

export async function applyLlm(seq: SequencePlan, settings: PlanSettings, o: { model: string; timeoutMs: number; seed: number }, emit: Emit, signal: AbortSignal): Promise<SequencePlan> {
  const warn = (message: string) => emit({ type: 'warning', message });
  let llm: Llm;
  try {
    llm = await openLlm(o.model, { timeoutMs: o.timeoutMs });
  } catch (e) {
    warn(`LLM: ${(e as Error).message}; the rules write the prompts and choose the transitions`);
    return seq;
  }
  const ask = async (system: string, user: string, schema: object, seed: number): Promise<unknown> => {
    try {
      return await llm.ask(system, user, schema, { seed, signal });
    } catch (e) {
      if (signal.aborted) throw new InterruptedError();
      return new Error((e as Error).message.split('\n')[0]);
    }
  };
  try {
    const scenes: PlannedScene[] = [];
    for (const [k, s] of seq.scenes.entries()) {
      emit({ type: 'stage', stage: 'prompts', status: 'progress', fraction: k / seq.scenes.length, message: `LLM: scene ${k + 1}` });
      const answer = await ask(VMPT_SYSTEM, vmptUser(s.analysis.caption), VMPT_SCHEMA, o.seed + k);
      const p = answer instanceof Error ? answer.message : parseVmpt(answer, s.prompt);
      if (typeof p === 'string') warn(`LLM prompt for scene ${k + 1} not used (${p}); the rules' prompt stands`);
      scenes.push(typeof p === 'string' ? s : { ...s, prompt: p });
    }
    const transitions: Transition[] = [...seq.transitions];
    for (let k = 0; k + 1 < scenes.length; k++) {
      const answer = await ask(DIRECTOR_SYSTEM, directorUser(scenes[k]!, scenes[k + 1]!), DIRECTOR_SCHEMA, o.seed + 1000 + k);
      const d = answer instanceof Error ? answer.message : parseDirector(answer);
      if (typeof d === 'string') {
        warn(`LLM director at cut ${k + 1} not used (${d}); the rules chose ${transitions[k]!.style}`);
        continue;
      }
      const t = transitionFor(scenes, transitions, k, { style: d.style, ...DEFAULT_LENGTHS }, settings, 'llm', d.reason);
      if (typeof t === 'string') warn(`LLM director chose ${d.style} at cut ${k + 1}, but ${t}; the rules chose ${transitions[k]!.style}`);
      else transitions[k] = { ...t, suggested: d.style };
    }
    return { ...seq, scenes, transitions };
  } finally {
    await llm.close();
  }
}
