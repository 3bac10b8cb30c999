import type { Key } from '../../../shared/index.ts';
import type { Role } from './styles.ts';

/** What the composer needs to write one cue. Beat 0 is the scene's first downbeat. */
export interface CompositionSpec {
  style: string;
  key: Key;
  bpm: number;
  beatsPerBar: number;
  /** Whole beats in the scene body. */
  bodyBeats: number;
  /** Handle lengths in beats (whole bars). */
  headBeats: number;
  tailBeats: number;
  /** Energy 0..1 sampled evenly across the body (NarraScore arousal curve mapped to 0..1). */
  energyCurve: number[];
  /** Share of speech (0..1) sampled evenly across the body, present where a voice speaks: the melody rests under it. */
  voiceCurve?: number[];
  /** Scene motion 0..1: drives note density (CMT: motion speed -> note density). */
  motion: number;
  seed: number;
  /** How the body ends: a cadence on the cut, music running on (fades), or a release before a gap. */
  ending: 'resolve' | 'continue' | 'release';
  /** For 'release': the music stops this many beats before the body ends. */
  releaseBeats: number;
  /** A lighter first bar (the scene is entered, not cut into at full force). */
  intro: boolean;
}

export interface NoteEvent {
  /** Onset in beats from the body's first downbeat (negative in the head handle). */
  beat: number;
  dur: number;
  ch: number;
  key: number;
  vel: number;
}

export interface ChannelSetup {
  ch: number;
  role: Role;
  name: string;
  program: number;
  drums: boolean;
  volume: number;
  pan: number;
  reverb: number;
  chorus: number;
}

export interface Composition {
  channels: ChannelSetup[];
  /** Sorted by onset, then channel, then key. */
  notes: NoteEvent[];
  headBeats: number;
  bodyBeats: number;
  tailBeats: number;
}
