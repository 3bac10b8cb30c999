import type { Duck, Key, PlannedScene, PlanSettings, Scene, SceneAnalysis, Transition, TransitionStyle } from '../../shared/index.ts';
import { PITCH_CLASSES, SAMPLE_RATE, promptCaption } from '../../shared/index.ts';
import { planBridgeSpan } from './bridge.ts';
import { styleById } from './compose/styles.ts';
import { decideTransition, DEFAULT_LENGTHS, DIALOGUE_DUCK_DB, dialogueAcross, planArc } from './director.ts';
import { anchorFor, distinguishNeighbours, rulesPrompt, type Anchor } from './prompt.ts';

/**
 * Scenes + analyses -> the musical plan: global anchor, per-scene prompts, arc, keys fitted across
 * the sequence and one transition per cut. Pure. Cue layout (core/layout.ts) reads from it.
 */

export interface SequencePlan {
  anchor: Anchor;
  scenes: PlannedScene[];
  transitions: Transition[];
}

/** `anchor`: the editor's choice of global style, key or tempo, over what the pictures suggest. */
export function planSequence(input: readonly { scene: Scene; analysis: SceneAnalysis }[], settings: PlanSettings, anchorOverride: Partial<Anchor> = {}): SequencePlan {
  const withSeconds = input.map((x) => ({ ...x, seconds: x.scene.end - x.scene.start }));
  const anchor = { ...anchorFor(withSeconds), ...anchorOverride };
  styleById(anchor.style); // an unknown style is refused here, by name
  const meanVA = meanMood(input);
  const arc = planArc(input.map((x) => ({ arousal: x.analysis.arousal, seconds: x.scene.end - x.scene.start })));
  const scenes: PlannedScene[] = distinguishNeighbours(input.map((x, i) => ({
    scene: x.scene,
    analysis: x.analysis,
    prompt: rulesPrompt(x.analysis, anchor, meanVA),
    arc: arc[i]!,
  })));
  const transitions = decideTransitions(scenes, settings);
  return { anchor, scenes: fitKeys(scenes, transitions), transitions };
}

/** The sequence's mean valence and arousal, each scene weighted by its length. */
export function meanMood(input: readonly { scene: Scene; analysis: SceneAnalysis }[]): { valence: number; arousal: number } {
  const total = input.reduce((a, x) => a + x.scene.end - x.scene.start, 0) || 1;
  const mean = (f: (a: SceneAnalysis) => number) => input.reduce((a, x) => a + f(x.analysis) * (x.scene.end - x.scene.start), 0) / total;
  return { valence: mean((a) => a.valence), arousal: mean((a) => a.arousal) };
}

/**
 * Keys across the sequence: every scene is in the anchor's key or its relative (rulesPrompt), so
 * neighbours share their notes. The one planned departure is the arc's peak, which moves to the
 * dominant key when the music reaches it by a bridge or a cut (a modulation the ear follows) and is
 * not the first or last scene: the classic way to raise tension and then come home.
 */
export function fitKeys(scenes: PlannedScene[], transitions: readonly Transition[]): PlannedScene[] {
  const peak = scenes.findIndex((s) => s.arc.role === 'peak');
  if (peak <= 0 || peak === scenes.length - 1) return scenes;
  const into = transitions[peak - 1]!.style;
  if (into !== 'bridge' && into !== 'abrupt-cut') return scenes;
  return scenes.map((s, i) => (i === peak ? withKey(s, dominantOf(s.prompt.key)) : s));
}

export function dominantOf(k: Key): Key {
  return { tonic: PITCH_CLASSES[(PITCH_CLASSES.indexOf(k.tonic) + 7) % 12]!, mode: k.mode };
}

function withKey(s: PlannedScene, key: Key): PlannedScene {
  const p = { ...s.prompt, key };
  return { ...s, prompt: { ...p, caption: promptCaption(p) } };
}

export function decideTransitions(scenes: readonly PlannedScene[], settings: Pick<PlanSettings, 'fadeShape'>): Transition[] {
  const out: Transition[] = [];
  for (let k = 0; k + 1 < scenes.length; k++) out.push(ruleTransition(scenes, out, k, settings));
  return out;
}

/** The rules director's transition at cut k, made to fit: a bridge without room tries one bar a side, then becomes a long fade. */
export function ruleTransition(scenes: readonly PlannedScene[], decided: readonly Transition[], k: number, settings: Pick<PlanSettings, 'fadeShape'>): Transition {
  const A = scenes[k]!;
  const B = scenes[k + 1]!;
  const d = decideTransition({ a: A.analysis, b: B.analysis, arcA: A.arc, arcB: B.arc });
  let t = transitionFor(scenes, decided, k, d, settings, 'rules', d.reason);
  if (typeof t === 'string' && d.style === 'bridge') {
    const shorter = transitionFor(scenes, decided, k, { ...d, bridgeBars: 1 }, settings, 'rules', d.reason);
    t = typeof shorter === 'string'
      ? transitionFor(scenes, decided, k, { ...d, style: 'fade' }, settings, 'rules', `${d.reason}; ${shorter}, so a long crossfade instead`)
      : shorter;
  }
  // Rules lengths are bounded by the scenes, so only a scene shorter than a few frames lands here.
  if (typeof t === 'string') t = transitionFor(scenes, decided, k, { ...d, style: 'abrupt-cut' }, settings, 'rules', `${d.reason}; ${t}, so a cut on the beat`) as Transition;
  return { ...t, suggested: d.style };
}

export interface TransitionChoice {
  style: TransitionStyle;
  fadeBeats: number;
  gapBeats: number;
  bridgeBars: number;
}

/** The lengths a decided transition has, in the outgoing scene's beats and bars (defaults where it has none). */
export function choiceOf(t: Transition, A: PlannedScene): Omit<TransitionChoice, 'style'> {
  const beatsPerBar = styleById(A.prompt.style).beatsPerBar;
  return {
    fadeBeats: t.fade ? (t.fade.samples / SAMPLE_RATE) * (A.prompt.bpm / 60) : DEFAULT_LENGTHS.fadeBeats,
    gapBeats: t.style === 'silent-gap' ? t.gapBeats : DEFAULT_LENGTHS.gapBeats,
    bridgeBars: t.bridge ? t.bridge.preBeats / beatsPerBar : DEFAULT_LENGTHS.bridgeBars,
  };
}

/**
 * The transition record for cut k, with lengths made concrete and bounded by the scenes: a fade
 * at most half the shorter scene, a gap at most half the outgoing scene, a bridge only where both
 * neighbours keep their own music around it. `decided` holds the transitions at the other cuts
 * (for the room that other bridges take). Returns why it does not fit, instead of a record.
 */
export function transitionFor(
  scenes: readonly PlannedScene[], decided: readonly Transition[], k: number, c: TransitionChoice,
  settings: Pick<PlanSettings, 'fadeShape'>, decidedBy: Transition['decidedBy'], reason: string,
): Transition | string {
  const A = scenes[k]!;
  const B = scenes[k + 1]!;
  const beat = (ps: PlannedScene) => (60 / ps.prompt.bpm) * SAMPLE_RATE;
  const roomA = A.scene.endSample - (decided[k - 1]?.bridge?.endSample ?? A.scene.startSample);
  const roomB = (decided[k + 1]?.bridge?.startSample ?? B.scene.endSample) - B.scene.startSample;
  const base = { cut: k, at: A.scene.end, atSample: A.scene.endSample, style: c.style, suggested: c.style, decidedBy, reason, gapBeats: 0, fade: null, bridge: null, duck: null };
  const sec = (x: number) => `${(x / SAMPLE_RATE).toFixed(2)} s`;
  const t = ((): Transition | string => {
    switch (c.style) {
      case 'abrupt-cut':
        return base;
      case 'silent-gap': {
        const gap = c.gapBeats * beat(A);
        if (!(c.gapBeats > 0)) return 'a silent gap needs at least one beat';
        if (gap > roomA / 2) return `a ${c.gapBeats}-beat gap (${sec(gap)}) is longer than half of scene ${k + 1}'s music (${sec(roomA)})`;
        return { ...base, gapBeats: c.gapBeats };
      }
      case 'fade': {
        const samples = 2 * Math.floor((c.fadeBeats * beat(A)) / 2);
        if (samples < 2) return 'a fade needs a length';
        if (samples / 2 > Math.min(roomA, roomB) / 2) return `a ${c.fadeBeats}-beat fade (${sec(samples)}) overlaps more than half of the shorter scene (${sec(Math.min(roomA, roomB))})`;
        return { ...base, fade: { samples, shape: settings.fadeShape } };
      }
      case 'bridge': {
        const side = (ps: PlannedScene, room: number) => ({ bpm: ps.prompt.bpm, beatsPerBar: styleById(ps.prompt.style).beatsPerBar, room });
        const span = planBridgeSpan(A.scene.endSample, side(A, roomA), side(B, roomB), c.bridgeBars);
        return typeof span === 'string' ? span : { ...base, bridge: span };
      }
    }
  })();
  return typeof t === 'string' || !dialogueAcross(A.analysis, B.analysis) ? t : { ...t, duck: duckFor(t, beat(A), beat(B)) };
}

/**
 * The duck under a voice that runs across a cut: the music is DIALOGUE_DUCK_DB down over the whole
 * change (the fade's overlap, the bridge, the gap and the beat after it, or a beat either side of
 * a cut), ramping over a beat either side.
 */
export function duckFor(t: Transition, beatA: number, beatB: number): Duck {
  const at = t.atSample;
  const [from, to] = t.fade
    ? [at - t.fade.samples / 2, at + t.fade.samples / 2]
    : t.bridge
      ? [t.bridge.startSample, t.bridge.endSample]
      : [at - (t.style === 'silent-gap' ? t.gapBeats : 1) * beatA, at + beatB];
  const rampSamples = Math.round(Math.min(beatA, beatB));
  return { db: DIALOGUE_DUCK_DB, startSample: Math.max(rampSamples, Math.round(from)), endSample: Math.round(to), rampSamples };
}
