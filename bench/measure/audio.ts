import type { Key } from '../../shared/index.ts';
import { PITCH_CLASSES, SAMPLE_RATE } from '../../shared/index.ts';

/**
 * Independent listeners for the bench: onsets, tempo, beats and key estimated from rendered audio
 * alone, with textbook methods (spectral-flux onsets, autocorrelation tempo, comb-filter beat
 * phase, Krumhansl-Schmuckler key profiles on a chromagram). They never read the plan, so they can
 * disagree with it; that disagreement is what the bench reports. Pure.
 */

export { beatPhase, estimatePulse, estimateTempo, HOP, ONSET_LATENCY, onsetEnvelope, spectra } from '../../helper/core/beats.ts';
import { estimatePulse, HOP, multiOnsetEnvelope, ONSET_LATENCY, onsetEnvelope, spectra } from '../../helper/core/beats.ts';

/**
 * Distance in seconds from `at` to the nearest beat of a pulse estimated on [from, to) of x (8 s
 * or more is best), with the current estimator (multi-feature onsets, core/beats.ts estimatePulse).
 */
export function beatErrorAt(x: Float32Array, at: number, from: number, to: number, bpm?: number): { errorSec: number; bpm: number; clarity: number } {
  const p = estimatePulse(x, from, to, bpm);
  return { errorSec: nearestBeatSec(at, p.firstBeat, p.bpm), bpm: p.bpm, clarity: pulseClarity(multiOnsetEnvelope(x, from, to), p.bpm) };
}

/** Below this pulse clarity the music has no beat a listener could tap (rubato strings, a held pad). */
export const CLEAR_PULSE = 0.3;

/**
 * Pulse clarity (after MIRtoolbox's): the onset envelope's autocorrelation at one beat of the
 * estimated tempo, as a share of its energy (lag 0). Near 1 for a click track, near 0 where the
 * onsets have no period, so "no beat within 50 ms of the cut" can be told from "no beat to hear".
 */
export function pulseClarity(env: Float64Array, bpm: number): number {
  const mean = env.reduce((a, b) => a + b, 0) / (env.length || 1);
  const c = env.map((v) => v - mean);
  const ac = (lag: number) => {
    let s = 0;
    for (let i = 0; i + lag < c.length; i++) s += c[i]! * c[i + lag]!;
    return s / Math.max(1, c.length - lag);
  };
  const zero = ac(0);
  return zero > 0 ? ac(Math.round((60 / bpm) * (SAMPLE_RATE / HOP))) / zero : 0;
}

/** Seconds from `at` to the nearest beat of a steady pulse at `bpm` with a beat at sample `first`. */
function nearestBeatSec(at: number, first: number, bpm: number): number {
  const period = (60 / bpm) * SAMPLE_RATE;
  return Math.abs(at - (first + Math.round((at - first) / period) * period)) / SAMPLE_RATE;
}

// Krumhansl-Kessler key profiles.
const MAJOR = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
const MINOR = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];

/**
 * Pitch-class energy from 100 Hz to 2.5 kHz with 16384-point frames (2.9 Hz bins, finer than a
 * semitone above 100 Hz), magnitudes uncompressed but not squared so one loud partial cannot decide.
 */
export function chroma(x: Float32Array, from: number, to: number): number[] {
  const frame = 16384;
  const S = spectra(x, from, to, frame, frame / 2);
  const c = new Array<number>(12).fill(0);
  for (const mag of S) {
    for (let k = 1; k < mag.length; k++) {
      const f = (k * SAMPLE_RATE) / frame;
      if (f < 100 || f > 2500) continue;
      const pc = ((Math.round(12 * Math.log2(f / 440)) % 12) + 12 + 9) % 12;
      c[pc]! += mag[k]!;
    }
  }
  return c;
}

function correlate(a: readonly number[], b: readonly number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let num = 0, da = 0, db = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - ma) * (b[i]! - mb);
    da += (a[i]! - ma) ** 2;
    db += (b[i]! - mb) ** 2;
  }
  return num / Math.sqrt(da * db || 1);
}

/**
 * The profiles as a chromagram of real instruments shows them (after Gomez 2006, "Tonal description
 * of music audio signals"): each scale degree's weight also lands on its harmonics' pitch classes
 * (the octave, the twelfth, two octaves, the seventeenth ...: h = 1..6 at 0.6^(h-1)). With the plain
 * profiles, a chromagram of notes with overtones leans toward the key a fifth up: the 3rd harmonic
 * of every root sounds its fifth. Checked against the written notes of the bench's cues (the plain
 * profiles on their pitch-class durations), run of 2026-12-02 16:22: these profiles give the same
 * verdict as the notes on 42 of 65 cues and the same pass or fail on 56; the plain ones 35 and 51.
 */
const withHarmonics = (prof: readonly number[]) => {
  const out = new Array<number>(12).fill(0);
  for (let pc = 0; pc < 12; pc++) for (let h = 1; h <= 6; h++) out[(pc + Math.round(12 * Math.log2(h))) % 12]! += prof[pc]! * 0.6 ** (h - 1);
  return out;
};
const AUDIO_MAJOR = withHarmonics(MAJOR);
const AUDIO_MINOR = withHarmonics(MINOR);

/**
 * The best-correlating of the 24 major and minor keys. `audio`: the chromagram is of sound (profiles
 * with harmonics); otherwise of written notes (pitch-class durations) or the estimator before
 * 2026-12-02, kept beside the new one for one run.
 */
export function estimateKey(ch: readonly number[], audio = false): { tonic: number; minor: boolean; r: number } {
  let best = { tonic: 0, minor: false, r: -2 };
  const [major, minorProf] = audio ? [AUDIO_MAJOR, AUDIO_MINOR] : [MAJOR, MINOR];
  for (let t = 0; t < 12; t++) {
    for (const [minor, prof] of [[false, major], [true, minorProf]] as const) {
      const rotated = prof.map((_, i) => prof[(i - t + 12) % 12]!);
      const r = correlate(ch, rotated);
      if (r > best.r) best = { tonic: t, minor, r };
    }
  }
  return best;
}

export type KeyVerdict = 'same' | 'relative' | 'same-notes' | 'fifth' | 'parallel' | 'other';

/** The verdicts that count as the plan's key being heard: the key itself, its relative, or (modes) the key with its notes. */
export const keyAgrees = (v: KeyVerdict): boolean => v === 'same' || v === 'relative' || v === 'same-notes';

const STEPS: Record<Key['mode'], number[]> = {
  major: [0, 2, 4, 5, 7, 9, 11], minor: [0, 2, 3, 5, 7, 8, 10], dorian: [0, 2, 3, 5, 7, 9, 10],
  phrygian: [0, 1, 3, 5, 7, 8, 10], lydian: [0, 2, 4, 6, 7, 9, 11], mixolydian: [0, 2, 4, 5, 7, 9, 10],
};
const collection = (tonic: number, mode: Key['mode']) => STEPS[mode].map((s) => (tonic + s) % 12).sort((a, b) => a - b).join();

/**
 * How an estimated major/minor key relates to the plan's key. Krumhansl-Schmuckler knows only
 * major and minor, so a modal key is found as the major or minor key with the same notes (C
 * lydian as G major): 'same-notes', an agreement. Otherwise modes fold to major or minor.
 */
export function compareKey(planned: Key, est: { tonic: number; minor: boolean }): KeyVerdict {
  const minor = planned.mode === 'minor' || planned.mode === 'dorian' || planned.mode === 'phrygian';
  const t = PITCH_CLASSES.indexOf(planned.tonic);
  if (est.tonic === t && est.minor === minor) return 'same';
  if (planned.mode !== 'major' && planned.mode !== 'minor' && collection(est.tonic, est.minor ? 'minor' : 'major') === collection(t, planned.mode)) return 'same-notes';
  if (est.minor !== minor && est.tonic === (minor ? (t + 3) % 12 : (t + 9) % 12)) return 'relative';
  if (est.tonic === t) return 'parallel';
  if (est.minor === minor && (est.tonic === (t + 7) % 12 || est.tonic === (t + 5) % 12)) return 'fifth';
  return 'other';
}

/** Spectral flux at `at` (max within 30 ms) relative to the median flux of the 3 s around it. */
export function fluxSpike(x: Float32Array, at: number): number {
  const from = Math.max(0, at - 3 * SAMPLE_RATE);
  const env = onsetEnvelope(x, from, Math.min(x.length, at + 3 * SAMPLE_RATE));
  const i = Math.round((at - from - ONSET_LATENCY) / HOP);
  let peak = 0;
  for (let d = -3; d <= 3; d++) peak = Math.max(peak, env[i + d] ?? 0);
  const sorted = [...env].sort((a, b) => a - b);
  return peak / (sorted[sorted.length >> 1]! || 1e-9);
}
