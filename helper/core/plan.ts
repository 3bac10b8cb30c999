import type { PlannedScene, PlanSettings, Scene, SceneAnalysis, Transition } from '../../shared/index.ts';
import { styleById } from './compose/styles.ts';
import { decideTransition, planArc } from './director.ts';
import { fitGrid, layoutCues, type CueLayout } from './layout.ts';
import { anchorFor, rulesPrompt, type Anchor } from './prompt.ts';

/**
 * Scenes + analyses -> the musical plan: global anchor, per-scene prompts, arc, one transition per
 * cut, and the cue layouts to render. Pure.
 */

export interface SequencePlan {
  anchor: Anchor;
  scenes: PlannedScene[];
  transitions: Transition[];
  cues: CueLayout[];
}

export function planSequence(input: readonly { scene: Scene; analysis: SceneAnalysis }[], settings: PlanSettings): SequencePlan {
  const withSeconds = input.map((x) => ({ ...x, seconds: x.scene.end - x.scene.start }));
  const anchor = anchorFor(withSeconds);
  const total = withSeconds.reduce((a, s) => a + s.seconds, 0) || 1;
  const meanVA = {
    valence: withSeconds.reduce((a, s) => a + s.analysis.valence * s.seconds, 0) / total,
    arousal: withSeconds.reduce((a, s) => a + s.analysis.arousal * s.seconds, 0) / total,
  };
  const arc = planArc(input.map((x) => x.analysis.arousal));
  const scenes: PlannedScene[] = input.map((x, i) => ({
    scene: x.scene,
    analysis: x.analysis,
    prompt: rulesPrompt(x.analysis, anchor, meanVA),
    arc: arc[i]!,
  }));
  const transitions = decideTransitions(scenes, settings);
  return { anchor, scenes, transitions, cues: layoutCues(scenes, transitions, settings) };
}

export function decideTransitions(scenes: readonly PlannedScene[], settings: PlanSettings): Transition[] {
  const out: Transition[] = [];
  for (let k = 0; k + 1 < scenes.length; k++) {
    const A = scenes[k]!;
    const B = scenes[k + 1]!;
    const d = decideTransition({ a: A.analysis, b: B.analysis, arcA: A.arc, arcB: B.arc });
    out.push(transitionFor(k, A, B, d.style, d.reason, d.fadeBeats, d.gapBeats, settings, 'rules'));
  }
  return out;
}

/** Builds a transition record, bounding fades by the handles and the scenes, gaps by the outgoing scene. */
export function transitionFor(
  k: number, A: PlannedScene, B: PlannedScene, style: Transition['style'], reason: string,
  fadeBeats: number, gapBeats: number, settings: PlanSettings, decidedBy: Transition['decidedBy'],
): Transition {
  const gA = fitGrid(A.scene.endSample - A.scene.startSample, A.prompt.bpm, styleById(A.prompt.style).beatsPerBar);
  const gB = fitGrid(B.scene.endSample - B.scene.startSample, B.prompt.bpm, styleById(B.prompt.style).beatsPerBar);
  let fade = null;
  if (style === 'fade') {
    const handle = Math.min(gA.samplesPerBeat * gA.beatsPerBar, gB.samplesPerBeat * gB.beatsPerBar) * settings.handleBars;
    const shorter = Math.min(A.scene.endSample - A.scene.startSample, B.scene.endSample - B.scene.startSample);
    let samples = Math.min(fadeBeats * gA.samplesPerBeat, 2 * handle, shorter / 2);
    samples = 2 * Math.floor(samples / 2);
    fade = samples >= 2 ? { samples, shape: 'linear' as const } : null;
  }
  const noRoom = style === 'fade' && !fade;
  return {
    cut: k,
    at: A.scene.end,
    atSample: A.scene.endSample,
    style: noRoom ? 'abrupt-cut' : style,
    suggested: style,
    decidedBy,
    reason: noRoom ? `${reason}; no handle material to fade with (--handles 0), so a cut on the downbeat instead` : reason,
    gapBeats: style === 'silent-gap' ? Math.min(gapBeats, gA.bodyBeats - 1) : 0,
    fade,
  };
}
