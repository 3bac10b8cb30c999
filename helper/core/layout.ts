import type { BeatGrid, Cue, Fade, PlannedScene, PlanSettings, Transition } from '../../shared/index.ts';
import { MAX_BPM, MIN_BPM, SAMPLE_RATE } from '../../shared/index.ts';
import type { CompositionSpec } from './compose/types.ts';
import { styleById } from './compose/styles.ts';
import type { MasterOptions } from './master.ts';

/**
 * Tempo fitting and cue placement. Pure.
 *
 * Every scene is composed on its own beat grid whose beat 0 is the scene's first frame and whose
 * last beat ends exactly on the next cut, so each cut lands on a beat (on a downbeat whenever the
 * scene is a whole number of bars). Handles are whole bars outside the scene; fades borrow from them.
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

/** Everything needed to render one cue; the worker turns it into a WAV file. */
export interface CueJob {
  id: string;
  composition: CompositionSpec;
  render: { originSample: number; samplesPerBeat: number; totalSamples: number };
  master: MasterOptions;
  soundFont: string;
}

export type CueLayout = Omit<Cue, 'loudness' | 'hash' | 'file' | 'midiFile'> & { job: CueJob };

/** Places one cue per scene around the transitions decided for each cut. */
export function layoutCues(scenes: readonly PlannedScene[], transitions: readonly Transition[], settings: PlanSettings): CueLayout[] {
  return scenes.map((ps, k) => {
    const { scene, prompt, analysis } = ps;
    const style = styleById(prompt.style);
    const sceneSamples = scene.endSample - scene.startSample;
    const grid = fitGrid(sceneSamples, prompt.bpm, style.beatsPerBar);
    const handleBeats = settings.handleBars * grid.beatsPerBar;
    const handle = Math.round(handleBeats * grid.samplesPerBeat);
    const before = transitions[k - 1];
    const after = transitions[k];
    const fadeIn: Fade | null = before?.style === 'fade' && before.fade ? before.fade : null;
    const fadeOut: Fade | null = after?.style === 'fade' && after.fade ? after.fade : null;
    const halfIn = fadeIn ? fadeIn.samples / 2 : 0;
    const halfOut = fadeOut ? fadeOut.samples / 2 : 0;
    const timelineIn = scene.startSample - halfIn;
    const timelineOut = scene.endSample + halfOut;
    const fileSamples = handle + sceneSamples + handle;
    const releaseBeats = after?.style === 'silent-gap' ? after.gapBeats : 0;
    const ending: CompositionSpec['ending'] = !after ? 'resolve' : after.style === 'silent-gap' ? 'release' : 'continue';
    const energyCurve = analysis.curve.arousal.map((a) => Math.max(0, Math.min(1, 0.6 * ((a + 1) / 2) + 0.4 * ps.arc.tension)));
    const seed = (settings.seed * 1000003 + k * 7919) >>> 0;
    const composition: CompositionSpec = {
      style: prompt.style, key: prompt.key, bpm: grid.bpm, beatsPerBar: grid.beatsPerBar, bodyBeats: grid.bodyBeats,
      headBeats: handleBeats, tailBeats: handleBeats, energyCurve, motion: analysis.motion, seed, ending, releaseBeats,
      intro: !before || before.style !== 'abrupt-cut',
    };
    const bodyStart = handle - halfIn;
    const bodyEnd = handle + sceneSamples + halfOut;
    return {
      id: `scene-${k + 1}`, kind: 'scene', scene: k, cut: null, take: 1,
      timelineIn, timelineOut, handles: { head: bodyStart, tail: fileSamples - bodyEnd }, fileSamples,
      fadeIn, fadeOut,
      musicEndsAt: releaseBeats > 0 ? scene.endSample - Math.round(releaseBeats * grid.samplesPerBeat) : timelineOut,
      key: prompt.key, grid, engine: settings.engine, seed,
      job: {
        id: `scene-${k + 1}`,
        composition,
        render: { originSample: handle, samplesPerBeat: grid.samplesPerBeat, totalSamples: fileSamples },
        master: { targetLufs: settings.loudnessLufs, ceilingDbtp: settings.truePeakDbtp, bodyStart, bodyEnd, fadeIn, fadeOut },
        soundFont: settings.soundFont,
      },
    };
  });
}
