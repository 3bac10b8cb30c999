import type { BeatGrid, BridgeSpan, Cue, Fade, PlannedScene, PlanSettings, Transition } from '../../shared/index.ts';
import { MAX_BPM, MIN_BPM, SAMPLE_RATE } from '../../shared/index.ts';
import { bridgeBeatPositions } from './bridge.ts';
import type { BridgeSpec } from './compose/bridge.ts';
import type { CompositionSpec } from './compose/types.ts';
import { styleById } from './compose/styles.ts';
import type { CutRide, FileDuck, MasterOptions } from './master.ts';

/**
 * Tempo fitting and cue placement. Pure.
 *
 * Every scene is composed on its own beat grid whose beat 0 is the scene's first frame and whose
 * last beat ends exactly on the next cut, so each cut lands on a beat (on a downbeat whenever the
 * scene is a whole number of bars). Handles are whole bars outside the scene; fades borrow from them.
 * A bridge takes the end of the outgoing scene and the start of the incoming one; their cues are
 * fitted to what is left, so they still meet the bridge on their own downbeats.
 */

/** How far a tempo may bend from the prompt to make the scene a whole number of bars. */
export const MAX_BAR_BEND = 0.04;

export function fitGrid(sceneSamples: number, bpm: number, beatsPerBar: number): BeatGrid {
  const seconds = sceneSamples / SAMPLE_RATE;
  const bars = Math.max(1, Math.round((seconds * bpm) / 60 / beatsPerBar));
  let beats = bars * beatsPerBar;
  let fitted = (beats * 60) / seconds;
  if (Math.abs(fitted / bpm - 1) > MAX_BAR_BEND) {
    beats = Math.max(1, Math.round((seconds * bpm) / 60));
    fitted = (beats * 60) / seconds;
  }
  // Keep within the engine's range by halving or doubling the beat count (a tempo of the same family).
  while (fitted > MAX_BPM && beats > 1) fitted = ((beats = Math.floor(beats / 2)) * 60) / seconds;
  while (fitted < MIN_BPM) fitted = ((beats *= 2) * 60) / seconds;
  return { bpm: fitted, beatsPerBar, samplesPerBeat: sceneSamples / beats, bodyBeats: beats };
}

/** Within this a generated cue's heard pulse is time-stretched onto its grid; beyond it, the plan's tempo for the scene follows the music. */
export const MAX_STRETCH = 0.08;
/** Closer than this the heard pulse is the grid's (the estimate's own error): no stretch. */
export const NO_STRETCH = 0.005;
/** The metrical levels at which a heard pulse may stand to the grid's. */
export const METRICAL_LEVELS = [0.5, 2 / 3, 1, 1.5, 2] as const;

export interface TempoFit {
  /** The pulse heard at the metrical level nearest the grid's tempo. */
  heardBpm: number;
  /** Time-stretch factor (output tempo / input tempo) that brings that pulse onto `grid`; 1: none. */
  stretch: number;
  /** The grid the audio is placed on: the planned one, or, when the music plays more than MAX_STRETCH away from it, one refitted near the music's tempo (scene cues only: a bridge ramps between its scenes' tempos). */
  grid: BeatGrid;
  changed: boolean;
}

/**
 * How generated audio whose pulse is `heard` BPM is fitted to a cue's grid. A few percent off is
 * time-stretched (sounds like the same performance); further off, stretching would be heard, so
 * the scene's grid is refitted to whole bars of the body at the music's own tempo (fitGrid) and
 * only the small bend that fitting needs is stretched: the cuts still land on downbeats.
 */
export function fitTempo(heard: number, grid: BeatGrid, canChange: boolean): TempoFit {
  const level = METRICAL_LEVELS.map((l) => heard * l).reduce((a, b) => (Math.abs(Math.log(b / grid.bpm)) < Math.abs(Math.log(a / grid.bpm)) ? b : a));
  const off = Math.abs(grid.bpm / level - 1);
  const refit = off > MAX_STRETCH && canChange ? fitGrid(grid.bodyBeats * grid.samplesPerBeat, level, grid.beatsPerBar) : null;
  const target = refit ?? grid;
  const stretch = target.bpm / level;
  const within = Math.abs(stretch - 1) > NO_STRETCH && Math.abs(stretch - 1) <= MAX_STRETCH;
  return { heardBpm: level, stretch: within ? stretch : 1, grid: target, changed: refit !== null };
}

/** How to place beats in the file: a constant grid, or (bridges) explicit positions that ramp the tempo. */
export interface RenderMap {
  /** File sample of beat 0. */
  originSample: number;
  /** Beat length before beat 0 (and everywhere, when there are no positions). */
  samplesPerBeat: number;
  /** Offsets from originSample of beats 0..n; null for a constant grid. */
  beatPositions: number[] | null;
  /** Beat length after the last position. */
  tailSamplesPerBeat: number;
  totalSamples: number;
}

/** The file sample (fractional) where `beat` falls. */
export function beatToSample(m: RenderMap, beat: number): number {
  const p = m.beatPositions;
  if (!p) return m.originSample + beat * m.samplesPerBeat;
  const n = p.length - 1;
  if (beat <= 0) return m.originSample + beat * m.samplesPerBeat;
  if (beat >= n) return m.originSample + p[n]! + (beat - n) * m.tailSamplesPerBeat;
  const i = Math.floor(beat);
  return m.originSample + p[i]! + (beat - i) * (p[i + 1]! - p[i]!);
}

export type CueComposition = { kind: 'scene'; spec: CompositionSpec } | { kind: 'bridge'; spec: BridgeSpec };

/**
 * What the neural engine generates a cue from: a scene's caption (JenBridge's text form), or a
 * bridge's two captions, conditioning moving from the first to the second across it.
 */
export type NeuralSpec = { kind: 'scene'; prompt: string; bpm: number } | { kind: 'bridge'; from: string; to: string; bpm: number };

/** Everything needed to render one cue; the worker turns it into a WAV file. */
export interface CueJob {
  id: string;
  composition: CueComposition;
  /** Present when the engine is neural: the cue is generated from this, the composition only lays out its grid. */
  neural?: NeuralSpec;
  render: RenderMap;
  master: MasterOptions;
  soundFont: string;
  /** Also write one stem per instrument group. */
  stems: boolean;
}

export type CueLayout = Omit<Cue, 'loudness' | 'hash' | 'file' | 'midiFile' | 'stems' | 'take'> & { job: CueJob };

/** The seed of scene k's first take, and of the bridge at cut k: fixed by the plan's seed. */
export const sceneSeed = (planSeed: number, k: number) => (planSeed * 1000003 + k * 7919) >>> 0;
export const bridgeSeed = (planSeed: number, cut: number) => (planSeed * 1000003 + 500009 + cut * 7919) >>> 0;

/** The part of scene k its own cue plays: the scene, less any bridges at its ends. */
export function bodySpan(scenes: readonly PlannedScene[], transitions: readonly Transition[], k: number): { start: number; end: number } {
  const { scene } = scenes[k]!;
  return { start: transitions[k - 1]?.bridge?.endSample ?? scene.startSample, end: transitions[k]?.bridge?.startSample ?? scene.endSample };
}

/** Each scene cue's beat grid, fitted so its body is whole beats (bars where possible). */
export function sceneGrids(scenes: readonly PlannedScene[], transitions: readonly Transition[]): BeatGrid[] {
  return scenes.map((ps, k) => {
    const span = bodySpan(scenes, transitions, k);
    return fitGrid(span.end - span.start, ps.prompt.bpm, styleById(ps.prompt.style).beatsPerBar);
  });
}

const joinFade = (t: Transition | undefined): Fade | null =>
  t?.style === 'fade' ? t.fade : t?.style === 'bridge' && t.bridge ? { samples: t.bridge.joinSamples, shape: 'equal-power' } : null;

/** Handle bars: what the settings ask for, and never less than a fade borrows from it. */
const handleBarsFor = (settingBars: number, borrowed: number, barSamples: number) => Math.max(settingBars, Math.ceil(borrowed / barSamples));

/**
 * Arrangement energy per second: the scene's arousal and its tension in the arc, thinned out under
 * dialogue (up to 35 % less where every frame is speech) so the music makes room for the voices.
 */
const energyCurveOf = (ps: PlannedScene) =>
  ps.analysis.curve.arousal.map((a, k) => Math.max(0, Math.min(1, (0.6 * ((a + 1) / 2) + 0.4 * ps.arc.tension) * (1 - 0.35 * (ps.analysis.curve.speech[k] ?? 0)))));

/**
 * The ducks (voices across cuts) that reach a file whose sample `bodyStart` plays at timeline
 * sample `timelineIn`, in the file's samples. Absent when there are none, so a cue without one
 * keeps the content hash it had before ducks existed.
 */
function ducksIn(transitions: readonly Transition[], timelineIn: number, bodyStart: number, fileSamples: number): { ducks?: FileDuck[] } {
  const shift = bodyStart - timelineIn;
  const ducks = transitions.flatMap((t) => (t.duck ? [{ from: t.duck.startSample + shift, to: t.duck.endSample + shift, ramp: t.duck.rampSamples, db: t.duck.db }] : []))
    .filter((d) => d.to + d.ramp > 0 && d.from - d.ramp < fileSamples);
  return ducks.length ? { ducks } : {};
}

/**
 * A scene cue is ridden (master's rides) at the cuts its music plays across: abrupt cuts and the
 * middle of crossfades (file samples `cutIn`, `cutOut`). Not into a silent gap, whose release is
 * meant to fall away, nor at a bridge's 20 ms join: the bridge rides its own cut.
 */
function ridesAt(before: Transition | undefined, cutIn: number, after: Transition | undefined, cutOut: number): { rides?: CutRide[] } {
  const ride = (t: Transition | undefined, at: number, side: CutRide['side']): CutRide[] => {
    if (t?.style === 'abrupt-cut') return [{ at, side }];
    // Through the half of the crossfade the cue still sounds in past its centre.
    if (t?.style === 'fade' && t.fade) return [{ at, side, through: Math.round(t.fade.samples / 2) }];
    return [];
  };
  const rides = [...ride(before, cutIn, 'after'), ...ride(after, cutOut, 'before')];
  return rides.length ? { rides } : {};
}

/**
 * Places one cue per scene and one per bridge around the transitions decided for each cut.
 * `seeds[k]` is scene k's current seed. Scene cues come first, in scene order, then bridges.
 */
export function layoutCues(
  scenes: readonly PlannedScene[], transitions: readonly Transition[], settings: PlanSettings, seeds: readonly number[], bridgeSeeds: readonly (number | undefined)[] = [],
): CueLayout[] {
  const grids = sceneGrids(scenes, transitions);
  const sceneCues = scenes.map((ps, k): CueLayout => {
    const { prompt, analysis } = ps;
    const grid = grids[k]!;
    const span = bodySpan(scenes, transitions, k);
    const spanSamples = span.end - span.start;
    const before = transitions[k - 1];
    const after = transitions[k];
    const fadeIn = joinFade(before);
    const fadeOut = joinFade(after);
    const halfIn = fadeIn ? fadeIn.samples / 2 : 0;
    const halfOut = fadeOut ? fadeOut.samples / 2 : 0;
    const barSamples = grid.beatsPerBar * grid.samplesPerBeat;
    const headBeats = handleBarsFor(settings.handleBars, halfIn, barSamples) * grid.beatsPerBar;
    const tailBeats = handleBarsFor(settings.handleBars, halfOut, barSamples) * grid.beatsPerBar;
    const head = Math.round(headBeats * grid.samplesPerBeat);
    const fileSamples = head + spanSamples + Math.round(tailBeats * grid.samplesPerBeat);
    const releaseBeats = after?.style === 'silent-gap' ? after.gapBeats : 0;
    const ending: CompositionSpec['ending'] = !after ? 'resolve' : after.style === 'silent-gap' ? 'release' : 'continue';
    const seed = seeds[k]!;
    const composition: CompositionSpec = {
      style: prompt.style, key: prompt.key, bpm: grid.bpm, beatsPerBar: grid.beatsPerBar, bodyBeats: grid.bodyBeats,
      headBeats, tailBeats, energyCurve: energyCurveOf(ps), motion: analysis.motion, seed, ending, releaseBeats,
      // Only where someone speaks, so a scene without voices keeps the recipe (and cache key) it had.
      ...(analysis.curve.speech.some((x) => x >= 0.5) ? { voiceCurve: analysis.curve.speech } : {}),
      // A lighter first bar only where the music starts from silence (the first scene, after a
      // gap): a bridge has already led into the scene and a crossfade brings it in by its gain, so
      // a thinned bar there would be a dip just after the change (up to -5 LU in the bench).
      intro: !before || before.style === 'silent-gap',
    };
    const bodyStart = head - halfIn;
    const bodyEnd = head + spanSamples + halfOut;
    const timelineOut = span.end + halfOut;
    // A silent gap: the notes stop releaseBeats before the cut and ring out over half the gap.
    const gap = Math.round(releaseBeats * grid.samplesPerBeat);
    const release = releaseBeats > 0 ? { from: head + spanSamples - gap, to: head + spanSamples - Math.round(gap / 2) } : null;
    return {
      id: `scene-${k + 1}`, kind: 'scene', scene: k, cut: null,
      timelineIn: span.start - halfIn, timelineOut, handles: { head: bodyStart, tail: fileSamples - bodyEnd }, fileSamples,
      fadeIn, fadeOut,
      musicEndsAt: release ? span.start + release.to - head : timelineOut,
      key: prompt.key, grid, arrival: null, engine: settings.engine, seed,
      job: {
        id: `scene-${k + 1}`,
        composition: { kind: 'scene', spec: composition },
        ...(settings.engine === 'musicgen' ? { neural: { kind: 'scene' as const, prompt: prompt.caption, bpm: grid.bpm } } : {}),
        render: { originSample: head, samplesPerBeat: grid.samplesPerBeat, beatPositions: null, tailSamplesPerBeat: grid.samplesPerBeat, totalSamples: fileSamples },
        master: { targetLufs: settings.loudnessLufs, ceilingDbtp: settings.truePeakDbtp, bodyStart, bodyEnd, fadeIn, fadeOut, release, ...ducksIn(transitions, span.start - halfIn, bodyStart, fileSamples), ...ridesAt(before, head, after, head + spanSamples) },
        soundFont: settings.soundFont,
        stems: settings.stems,
      },
    };
  });
  return [...sceneCues, ...transitions.flatMap((t) => (t.style === 'bridge' && t.bridge ? [layoutBridge(scenes, t, t.bridge, settings, bridgeSeeds[t.cut] ?? bridgeSeed(settings.seed, t.cut))] : []))];
}

/**
 * The bridge cue at one cut. Its tempo ramps between the two scenes' prompt tempos (their cues'
 * fitted grids are within a few percent of them), so it depends only on its own cut and the two
 * scenes' prompts: changing the transition at a scene's other end never re-renders this bridge.
 */
function layoutBridge(scenes: readonly PlannedScene[], t: Transition, span: BridgeSpan, settings: PlanSettings, seed: number): CueLayout {
  const A = scenes[t.cut]!;
  const B = scenes[t.cut + 1]!;
  const gridOf = (ps: PlannedScene) => ({ bpm: ps.prompt.bpm, beatsPerBar: styleById(ps.prompt.style).beatsPerBar, samplesPerBeat: (60 / ps.prompt.bpm) * SAMPLE_RATE });
  const gA = gridOf(A);
  const gB = gridOf(B);
  const half = span.joinSamples / 2;
  const headBeats = handleBarsFor(Math.max(1, settings.handleBars), half, gA.beatsPerBar * gA.samplesPerBeat) * gA.beatsPerBar;
  const tailBeats = handleBarsFor(Math.max(1, settings.handleBars), half, gB.beatsPerBar * gB.samplesPerBeat) * gB.beatsPerBar;
  const head = Math.round(headBeats * gA.samplesPerBeat);
  const bodySamples = span.endSample - span.startSample;
  const fileSamples = head + bodySamples + Math.round(tailBeats * gB.samplesPerBeat);
  const join: Fade = { samples: span.joinSamples, shape: 'equal-power' };
  const eA = energyCurveOf(A);
  const eB = energyCurveOf(B);
  const spec: BridgeSpec = {
    from: { style: A.prompt.style, key: A.prompt.key, bpm: gA.bpm, beatsPerBar: gA.beatsPerBar, energy: eA[eA.length - 1] ?? 0.5, motion: A.analysis.motion },
    to: { style: B.prompt.style, key: B.prompt.key, bpm: gB.bpm, beatsPerBar: gB.beatsPerBar, energy: eB[0] ?? 0.5, motion: B.analysis.motion },
    preBeats: span.preBeats, postBeats: span.postBeats, headBeats, tailBeats, seed,
  };
  const bodyStart = head - half;
  const bodyEnd = head + bodySamples + half;
  const cutAt = head + (t.atSample - span.startSample); // the cut, in file samples
  const id = `bridge-${t.cut + 1}`;
  return {
    id, kind: 'bridge', scene: null, cut: t.cut,
    timelineIn: span.startSample - half, timelineOut: span.endSample + half,
    handles: { head: bodyStart, tail: fileSamples - bodyEnd }, fileSamples, fadeIn: join, fadeOut: join,
    musicEndsAt: span.endSample + half, key: A.prompt.key,
    grid: { bpm: gA.bpm, beatsPerBar: gA.beatsPerBar, samplesPerBeat: bodySamples / (span.preBeats + span.postBeats), bodyBeats: span.preBeats + span.postBeats },
    arrival: { key: B.prompt.key, bpm: gB.bpm }, engine: settings.engine, seed,
    job: {
      id,
      composition: { kind: 'bridge', spec },
      ...(settings.engine === 'musicgen' ? { neural: { kind: 'bridge' as const, from: A.prompt.caption, to: B.prompt.caption, bpm: gB.bpm } } : {}),
      render: {
        originSample: head, samplesPerBeat: gA.samplesPerBeat, tailSamplesPerBeat: gB.samplesPerBeat, totalSamples: fileSamples,
        beatPositions: bridgeBeatPositions(span, t.atSample, gA.samplesPerBeat, gB.samplesPerBeat),
      },
      master: {
        targetLufs: settings.loudnessLufs, ceilingDbtp: settings.truePeakDbtp, bodyStart, bodyEnd, fadeIn: join, fadeOut: join, release: null,
        split: { at: cutAt, glide: Math.round((gA.samplesPerBeat + gB.samplesPerBeat) / 2) },
        rides: (['before', 'after'] as const).map((side) => ({ at: cutAt, side })),
        ...ducksIn([t], span.startSample - half, bodyStart, fileSamples),
      },
      soundFont: settings.soundFont,
      stems: settings.stems,
    },
  };
}
