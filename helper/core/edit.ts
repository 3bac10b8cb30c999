import { PromptEdit, promptCaption, type MusicPrompt, TRANSITION_STYLES, type FADE_SHAPES, type Plan, type PlannedScene, type Transition, type TransitionStyle } from '../../shared/index.ts';
import { UsageError } from '../errors.ts';
import { compose } from './compose/composer.ts';
import { styleById } from './compose/styles.ts';
import { layoutCues } from './layout.ts';
import { DEFAULT_LENGTHS } from './director.ts';
import { choiceOf, ruleTransition, transitionFor } from './plan.ts';

/**
 * Plan edits, the panel's iteration verbs: regenerate a scene, set or accept a transition, make an
 * earlier take current. Pure: a plan in, the changed decisions out, or a UsageError that leaves
 * the plan as it was. What is re-rendered follows from content hashes (pipeline/realise.ts), so
 * an edit here can only touch the cues whose inputs it changes.
 */

export interface Decisions {
  scenes: PlannedScene[];
  transitions: Transition[];
  seeds: number[];
  /** Per cut, the seed of its bridge's current take; undefined: the plan seed's default for that cut. */
  bridgeSeeds: (number | undefined)[];
}

export function decisionsOf(plan: Plan): Decisions {
  return {
    scenes: plan.scenes,
    transitions: plan.transitions,
    seeds: plan.scenes.map((_, k) => plan.cues.find((c) => c.id === `scene-${k + 1}`)!.seed),
    bridgeSeeds: plan.transitions.map((t) => plan.cues.find((c) => c.id === `bridge-${t.cut + 1}`)?.seed),
  };
}

function sceneIndex(plan: Plan, scene: number): number {
  if (!Number.isInteger(scene) || scene < 1 || scene > plan.scenes.length) {
    throw new UsageError(`there is no scene ${scene}: this plan has scenes 1 to ${plan.scenes.length}`);
  }
  return scene - 1;
}


/** The notes scene k's cue would get from these decisions (composition is cheap and pure). */
function sceneNotes(plan: Plan, d: Decisions, k: number): string {
  const job = layoutCues(d.scenes, d.transitions, plan.settings, d.seeds, d.bridgeSeeds)[k]!.job;
  return job.composition.kind === 'scene' ? JSON.stringify(compose(job.composition.spec).notes) : '';
}

/**
 * A new seed for scene k's next take: reproducible, never one it has had, and one whose notes
 * differ from the current take's (a seed can land on the same progression and motif by chance).
 */
export function nextSeed(plan: Plan, k: number): number {
  const used = new Set(plan.takes.filter((t) => t.cue === `scene-${k + 1}`).map((t) => t.seed));
  const d = decisionsOf(plan);
  const current = sceneNotes(plan, d, k);
  let s = d.seeds[k]!;
  for (let tries = 0; ; tries++) {
    s = (s * 48271 + 12345 + k) % 2147483647;
    if (used.has(s)) continue;
    if (tries >= 32 || sceneNotes(plan, { ...d, seeds: d.seeds.map((x, i) => (i === k ? s : x)) }, k) !== current) return s;
  }
}

/** A prompt with an editor's fields applied; a new style brings its genre and instruments unless those are given too. */
export function editPrompt(prompt: MusicPrompt, fields: unknown): MusicPrompt {
  const parsed = PromptEdit.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`prompt: ${issue.path.join('.') || '(top level)'}: ${issue.message}; editable fields are ${Object.keys(PromptEdit.shape).join(', ')}`);
  }
  const edit = parsed.data;
  const style = styleById(edit.style ?? prompt.style);
  const changedStyle = style.id !== prompt.style;
  const p = {
    ...prompt,
    ...(changedStyle ? { genre: style.genre, instruments: style.parts.map((x) => x.name) } : {}),
    ...edit,
    style: style.id,
    source: 'user' as const,
  };
  return { ...p, caption: promptCaption(p) };
}

export function regenerate(plan: Plan, scene: number, opts: { seed?: number; prompt?: unknown }): Decisions {
  const k = sceneIndex(plan, scene);
  const d = decisionsOf(plan);
  const ps = d.scenes[k]!;
  const prompt = opts.prompt === undefined ? ps.prompt : editPrompt(ps.prompt, opts.prompt);
  const seed = opts.seed ?? (opts.prompt === undefined ? nextSeed(plan, k) : d.seeds[k]!);
  return {
    ...d,
    scenes: d.scenes.map((s, i) => (i === k ? { ...s, prompt } : s)),
    seeds: d.seeds.map((s, i) => (i === k ? seed : s)),
  };
}

export interface TransitionEdit {
  cut: number;
  /** A style, or 'accept' for the director's suggestion. */
  style: TransitionStyle | 'accept';
  beats?: number;
  bars?: number;
  shape?: (typeof FADE_SHAPES)[number];
}

export function setTransition(plan: Plan, e: TransitionEdit): Decisions {
  const d = decisionsOf(plan);
  if (!d.transitions.length) throw new UsageError('this plan has one scene and no cuts, so no transitions to change');
  if (!Number.isInteger(e.cut) || e.cut < 1 || e.cut > d.transitions.length) {
    throw new UsageError(`there is no cut ${e.cut}: this plan has cuts 1 to ${d.transitions.length}`);
  }
  if (e.style !== 'accept' && !TRANSITION_STYLES.includes(e.style)) {
    throw new UsageError(`"${e.style}" is not a transition style; use one of ${TRANSITION_STYLES.join(', ')}`);
  }
  const k = e.cut - 1;
  const old = d.transitions[k]!;
  const replace = (t: Transition) => ({ ...d, transitions: d.transitions.map((x, i) => (i === k ? { ...t, suggested: old.suggested } : x)) });
  if (e.style === 'accept') {
    const t = ruleTransition(d.scenes, d.transitions, k, plan.settings);
    return replace({ ...t, reason: `${t.reason} (accepted)` });
  }
  const style = e.style;
  const had = choiceOf(old, d.scenes[k]!);
  const choice = {
    style,
    fadeBeats: e.beats ?? (old.style === 'fade' ? had.fadeBeats : DEFAULT_LENGTHS.fadeBeats),
    gapBeats: e.beats ?? had.gapBeats,
    bridgeBars: e.bars ?? had.bridgeBars,
  };
  const reason = `chosen by the editor (the director suggested ${old.suggested}: ${old.reason.replace(/ \(accepted\)$/, '')})`;
  const t = transitionFor(d.scenes, d.transitions, k, choice, { fadeShape: e.shape ?? old.fade?.shape ?? plan.settings.fadeShape }, 'user', reason);
  if (typeof t === 'string') throw new UsageError(`cut ${e.cut}: ${t}; the plan is unchanged`);
  return replace(t);
}

/** Makes an earlier take of a scene current again: its prompt and seed come back. */
export function useTake(plan: Plan, cue: string, take: number): Decisions {
  const t = plan.takes.find((x) => x.cue === cue && x.take === take);
  if (!t) {
    const have = plan.takes.filter((x) => x.cue === cue).map((x) => x.take);
    throw new UsageError(have.length ? `${cue} has takes ${have.join(', ')}, not ${take}` : `there is no cue "${cue}"; cues are ${plan.cues.map((c) => c.id).join(', ')}`);
  }
  if (!t.prompt) throw new UsageError(`${cue} is a bridge; it follows its two scenes, so restore a take of one of those instead`);
  const k = Number(cue.slice('scene-'.length)) - 1;
  const d = decisionsOf(plan);
  return { ...d, scenes: d.scenes.map((s, i) => (i === k ? { ...s, prompt: t.prompt! } : s)), seeds: d.seeds.map((s, i) => (i === k ? t.seed : s)) };
}
