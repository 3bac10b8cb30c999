import { SAMPLE_RATE, type Decibels, type Lufs } from '../../shared/index.ts';

/**
 * ITU-R BS.1770-4 loudness and true peak, and the mastering gain chain. Pure: Float32 PCM in and
 * out. The K-weighting coefficients are the standard's 48 kHz values; Segue renders at 48 kHz only.
 */

const PRE = { b: [1.53512485958697, -2.69169618940638, 1.19839281085285], a: [-1.69065929318241, 0.73248077421585] };
const RLB = { b: [1.0, -2.0, 1.0], a: [-1.99004745483398, 0.99007225036621] };

/**
 * The K-weighted signal's squares (pre-filter, then RLB high-pass) added into `power`, in one pass
 * with no arrays between the stages (three of 4-8 MB per channel of a 20 s cue). The first stage's
 * output is rounded to float32 between the stages (Math.fround), as its figures always were.
 */
function addKWeightedSquares(x: Float32Array, power: Float64Array): void {
  const [p0, p1, p2] = PRE.b as [number, number, number];
  const [pa1, pa2] = PRE.a as [number, number];
  const [r0, r1, r2] = RLB.b as [number, number, number];
  const [ra1, ra2] = RLB.a as [number, number];
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0, u1 = 0, u2 = 0, z1 = 0, z2 = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const yi = p0 * xi + p1 * x1 + p2 * x2 - pa1 * y1 - pa2 * y2;
    x2 = x1; x1 = xi; y2 = y1; y1 = yi;
    const ui = Math.fround(yi);
    const zi = r0 * ui + r1 * u1 + r2 * u2 - ra1 * z1 - ra2 * z2;
    u2 = u1; u1 = ui; z2 = z1; z1 = zi;
    power[i] = power[i]! + zi * zi;
  }
}

const BLOCK = Math.round(0.4 * SAMPLE_RATE);
const HOP = Math.round(0.1 * SAMPLE_RATE);
const toLufs = (z: number) => -0.691 + 10 * Math.log10(Math.max(z, 1e-20));

/** Integrated loudness of 400 ms block powers (75 % overlap) with the absolute (-70 LUFS) and relative (-10 LU) gates. */
function gatedLoudness(blocks: number[]): Lufs {
  const zs = blocks.filter((z) => toLufs(z) > -70);
  if (!zs.length) return -Infinity;
  const rel = toLufs(zs.reduce((a, b) => a + b, 0) / zs.length) - 10;
  const gated = zs.filter((z) => toLufs(z) > rel);
  if (!gated.length) return -Infinity;
  return toLufs(gated.reduce((a, b) => a + b, 0) / gated.length);
}

/**
 * The K-weighted power of a signal, summed over channels (stereo weights 1), filtered once and
 * kept as prefix sums, so the integrated loudness of any range costs only its blocks: mastering
 * measures a cue's body, its halves and the seconds beside its cuts from one pass.
 */
export class LoudnessMeter {
  /** `power` null: a meter made by withGain, which only measures (mastering never gains one twice). */
  private constructor(private readonly power: Float64Array | null, private readonly prefix: Float64Array) {}

  static of(channels: Float32Array[]): LoudnessMeter {
    const n = channels[0]?.length ?? 0;
    const power = new Float64Array(n);
    for (const c of channels) addKWeightedSquares(c, power);
    return new LoudnessMeter(power, prefixOf(power));
  }

  /**
   * The meter of this signal times a gain per sample (squared into the power after the filter:
   * exact for a constant gain, and within a small fraction of a dB for gains that move over
   * hundreds of milliseconds, as mastering's rides do).
   */
  withGain(gain: Float32Array): LoudnessMeter {
    const power = this.power;
    if (!power) throw new Error('withGain: gain the meter this one was made from');
    const prefix = new Float64Array(power.length + 1);
    for (let i = 0; i < power.length; i++) prefix[i + 1] = prefix[i]! + power[i]! * gain[i]! * gain[i]!;
    return new LoudnessMeter(null, prefix);
  }

  /** Integrated loudness of [from, to), clamped to the signal; -Infinity for silence or under 400 ms. */
  loudness(from = 0, to = this.prefix.length - 1): Lufs {
    const a = Math.max(0, Math.round(from));
    const b = Math.min(this.prefix.length - 1, Math.round(to));
    const blocks: number[] = [];
    for (let start = a; start + BLOCK <= b; start += HOP) blocks.push((this.prefix[start + BLOCK]! - this.prefix[start]!) / BLOCK);
    return gatedLoudness(blocks);
  }
}

function prefixOf(x: Float64Array): Float64Array {
  const p = new Float64Array(x.length + 1);
  for (let i = 0; i < x.length; i++) p[i + 1] = p[i]! + x[i]!;
  return p;
}

/** Integrated loudness with the absolute (-70 LUFS) and relative (-10 LU) gates. -Infinity for silence or < 400 ms. */
export function integratedLoudness(channels: Float32Array[]): Lufs {
  return LoudnessMeter.of(channels).loudness();
}

/** 4x oversampling interpolator (windowed sinc, 48 taps): estimates inter-sample peaks as BS.1770 annex 2 asks. */
const OS = 4;
const TAPS = 12;
const PHASES: Float64Array[] = (() => {
  const phases: Float64Array[] = [];
  for (let p = 0; p < OS; p++) {
    const h = new Float64Array(2 * TAPS);
    for (let k = -TAPS + 1; k <= TAPS; k++) {
      const t = k - p / OS;
      const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
      const w = 0.5 + 0.5 * Math.cos((Math.PI * t) / (TAPS + 1));
      h[k + TAPS - 1] = sinc * w;
    }
    phases.push(h);
  }
  return phases;
})();

/** The most an interpolated value can exceed the largest sample around it (sum of |taps|, worst phase). */
const GAIN_BOUND = Math.max(...PHASES.map((h) => h.reduce((a, b) => a + Math.abs(b), 0)));
const SPAN = 64;

/**
 * Per-sample true-peak envelope: the largest |interpolated value| between sample i and i+1.
 * Exact wherever it can exceed `floor`; below that it may report the sample value only, which is
 * all callers need (the limiter and the meter only care about what rises above a level). Spans
 * whose neighbourhood cannot reach the floor skip the oversampling, most of a typical cue. `env`:
 * where to write it (every sample is written), so callers measuring channel after channel reuse one.
 */
export function truePeakEnvelope(x: Float32Array, floor = 0, env = new Float32Array(x.length)): Float32Array {
  const [, h1, h2, h3] = PHASES as [Float64Array, Float64Array, Float64Array, Float64Array];
  for (let s0 = 0; s0 < x.length; s0 += SPAN) {
    const s1 = Math.min(x.length, s0 + SPAN);
    let local = 0;
    for (let j = Math.max(0, s0 - TAPS); j < Math.min(x.length, s1 + TAPS); j++) local = Math.max(local, Math.abs(x[j]!));
    const exact = local * GAIN_BOUND > floor;
    for (let i = s0; i < s1; i++) {
      let m = Math.abs(x[i]!);
      if (exact) {
        // The three phases between i and i+1 in one pass over the taps (each summed in tap order,
        // as one phase at a time would); taps that fall outside the signal are zeros.
        const k0 = Math.max(-TAPS + 1, -i);
        const k1 = Math.min(TAPS, x.length - 1 - i);
        let a1 = 0, a2 = 0, a3 = 0;
        for (let k = k0; k <= k1; k++) {
          const v = x[i + k]!;
          const t = k + TAPS - 1;
          a1 += v * h1[t]!;
          a2 += v * h2[t]!;
          a3 += v * h3[t]!;
        }
        m = Math.max(m, Math.abs(a1), Math.abs(a2), Math.abs(a3));
      }
      env[i] = m;
    }
  }
  return env;
}

export function truePeakDb(channels: Float32Array[]): Decibels {
  let m = 0;
  for (const c of channels) for (let i = 0; i < c.length; i++) m = Math.max(m, Math.abs(c[i]!));
  // The true peak is at least the sample peak, so only spans that could beat it need oversampling.
  const samplePeak = m;
  const env = new Float32Array(channels[0]?.length ?? 0);
  for (const c of channels) {
    const e = truePeakEnvelope(c, samplePeak, env);
    for (let i = 0; i < e.length; i++) if (e[i]! > m) m = e[i]!;
  }
  return 20 * Math.log10(Math.max(m, 1e-12));
}

/**
 * Look-ahead peak limiter on the true-peak envelope, linked across channels: the gain reaches its
 * target before the peak (attack = look-ahead, so no overshoot) and recovers over `releaseMs`.
 */
/** Limits in place and returns the gain it applied per sample (shared by all channels). */
export function limitTruePeak(channels: Float32Array[], ceilingDb: Decibels, lookaheadMs = 1.5, releaseMs = 80): Float32Array {
  const n = channels[0]?.length ?? 0;
  return new StreamLimiter(ceilingDb, lookaheadMs, releaseMs).process(channels, 0, n);
}

/**
 * The same limiter over a signal that arrives in blocks, so a two-hour mix never has to be in
 * memory. Each call gets the block with context around it: CONTEXT_BEFORE samples before (for the
 * oversampling filter) and LIMITER_CONTEXT_AFTER after (the filter, plus the look-ahead ramp's
 * reach: it decays by 1/la per sample, so a peak further ahead changes nothing at 24-bit
 * resolution). The release state carries from block to block, so the output matches the whole-buffer
 * limiter to within 24-bit resolution.
 */
export const LIMITER_CONTEXT_BEFORE = 2 * TAPS;
export const LIMITER_CONTEXT_AFTER = 4096;

export class StreamLimiter {
  private held = 1;
  private readonly ceiling: number;
  private readonly la: number;
  private readonly rel: number;

  constructor(ceilingDb: Decibels, lookaheadMs = 1.5, releaseMs = 80) {
    this.ceiling = Math.pow(10, ceilingDb / 20);
    this.la = Math.max(1, Math.round((lookaheadMs / 1000) * SAMPLE_RATE));
    this.rel = Math.exp(-1 / ((releaseMs / 1000) * SAMPLE_RATE));
  }

  /** Limits channels[*][start, start + length) in place, reading the context around it; returns that span's gain. */
  process(channels: Float32Array[], start: number, length: number): Float32Array {
    const n = channels[0]?.length ?? 0;
    const need = new Float32Array(n).fill(1);
    const env = new Float32Array(n);
    for (const c of channels) {
      const e = truePeakEnvelope(c, this.ceiling, env);
      for (let i = 0; i < n; i++) if (e[i]! > this.ceiling) need[i] = Math.min(need[i]!, this.ceiling / e[i]!);
    }
    // Sliding minimum over the look-ahead window, then a ramp down over it and exponential release.
    const g = new Float32Array(n).fill(1);
    for (let i = n - 1; i >= start; i--) g[i] = Math.min(need[i]!, i + 1 < n ? g[i + 1]! + (1 - g[i + 1]!) / this.la : 1);
    const out = g.subarray(start, start + length);
    for (let i = 0; i < length; i++) {
      this.held = Math.min(out[i]!, 1 - (1 - this.held) * this.rel);
      out[i] = this.held;
    }
    for (const c of channels) for (let i = 0; i < length; i++) c[start + i] = c[start + i]! * out[i]!;
    return out;
  }
}

export function applyGain(channels: Float32Array[], gain: number): void {
  for (const c of channels) for (let i = 0; i < c.length; i++) c[i] = c[i]! * gain;
}

export function removeDc(channels: Float32Array[]): void {
  for (const c of channels) {
    let m = 0;
    for (let i = 0; i < c.length; i++) m += c[i]!;
    m /= c.length || 1;
    for (let i = 0; i < c.length; i++) c[i] = c[i]! - m;
  }
}
