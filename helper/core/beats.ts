import { SAMPLE_RATE } from '../../shared/index.ts';

/**
 * Hearing the pulse of rendered audio, with textbook methods: spectral-flux onsets, an
 * autocorrelation tempo, a comb-filter beat phase. Pure. The neural engine fits its generated audio
 * to the plan's grid with it (pipeline/render-neural.ts); the bench's independent listeners
 * (bench/measure/audio.ts) use the same estimator, which never reads the plan.
 */

export const HOP = 480; // 10 ms at 48 kHz
const FRAME = 2048;

/** In-place iterative radix-2 FFT. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(ang * k);
        const wi = Math.sin(ang * k);
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b]! * wr - im[b]! * wi;
        const ti = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
    }
  }
}

/** Magnitude spectra (Hann window) of frames every `hop` samples from `from` to `to`. */
export function spectra(x: Float32Array, from: number, to: number, frame = FRAME, hop = HOP): Float64Array[] {
  const win = Float64Array.from({ length: frame }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / frame));
  const out: Float64Array[] = [];
  for (let s = from; s + frame <= to; s += hop) {
    const re = new Float64Array(frame);
    const im = new Float64Array(frame);
    for (let i = 0; i < frame; i++) re[i] = (x[s + i] ?? 0) * win[i]!;
    fft(re, im);
    const mag = new Float64Array(frame / 2);
    for (let k = 0; k < frame / 2; k++) mag[k] = Math.hypot(re[k]!, im[k]!);
    out.push(mag);
  }
  return out;
}

/**
 * Where onset-envelope frame t sits in the signal: the flux of a Hann-windowed frame peaks when
 * an onset lies about a quarter window past the frame's centre (checked on synthetic clicks in
 * tests/estimators.test.ts), so frame t stands for sample from + t * HOP + FRAME / 4.
 */
export const ONSET_LATENCY = FRAME / 4;

/** Spectral flux on log magnitudes, half-wave rectified: the onset strength every HOP samples from `from`. */
export function onsetEnvelope(x: Float32Array, from = 0, to = x.length): Float64Array {
  // Frames are centred on from + t * HOP; outside the signal they read zeros.
  const S = spectra(x, from - FRAME / 2, to + FRAME / 2);
  const env = new Float64Array(S.length);
  for (let t = 1; t < S.length; t++) {
    let f = 0;
    for (let k = 1; k < S[t]!.length; k++) f += Math.max(0, Math.log1p(1000 * S[t]![k]!) - Math.log1p(1000 * S[t - 1]![k]!));
    env[t] = f;
  }
  return env;
}

/**
 * Tempo in BPM, 60-200: autocorrelation of the onset envelope summed over the first four multiples
 * of each candidate period (a pulse repeats at every multiple, its double-time or half-time
 * neighbours only at some), with a mild log-normal preference around 110 BPM.
 */
export function estimateTempo(env: Float64Array): number {
  const mean = env.reduce((a, b) => a + b, 0) / (env.length || 1);
  const e = env.map((v) => v - mean);
  const fps = SAMPLE_RATE / HOP;
  const ac = (lag: number) => {
    const l0 = Math.floor(lag);
    const frac = lag - l0;
    let s = 0;
    for (let i = 0; i + l0 + 1 < e.length; i++) s += e[i]! * ((1 - frac) * e[i + l0]! + frac * e[i + l0 + 1]!);
    return s / Math.max(1, e.length - l0);
  };
  let best = -Infinity;
  let bestBpm = 120;
  for (let bpm = 60; bpm <= 200; bpm += 0.25) {
    const lag = (60 / bpm) * fps;
    let score = 0;
    for (let k = 1; k <= 4; k++) if (k * lag < e.length / 2) score += ac(k * lag);
    score *= Math.exp(-0.5 * (Math.log2(bpm / 110) / 1.2) ** 2);
    if (score > best) {
      best = score;
      bestBpm = bpm;
    }
  }
  return bestBpm;
}

/** Beat times (samples, relative to the envelope's start) of a steady pulse at `bpm`, phase by comb sum. */
export function beatPhase(env: Float64Array, bpm: number): number {
  const fps = SAMPLE_RATE / HOP;
  const period = (60 / bpm) * fps;
  let best = -1;
  let bestPhase = 0;
  for (let p = 0; p < period; p += 0.25) {
    let s = 0;
    for (let t = p; t < env.length; t += period) s += env[Math.round(t)] ?? 0;
    if (s > best) {
      best = s;
      bestPhase = p;
    }
  }
  return bestPhase * HOP;
}

/** Sample position of the first beat of a pulse at `bpm` in x[from, to): the comb phase, less the onset latency. */
export function firstBeat(x: Float32Array, bpm: number, from = 0, to = x.length): number {
  return from + ONSET_LATENCY + beatPhase(onsetEnvelope(x, from, to), bpm);
}
