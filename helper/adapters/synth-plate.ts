import type { SpessaSynthProcessor } from 'spessasynth_core';

/**
 * A faster inner loop for spessasynth_core's plate reverb (Dattorro's figure-of-eight tank), the
 * same arithmetic in the same order, so a render is sample-for-sample what the library gives.
 *
 * Why: the library steps its plate per sample through about forty method calls and array-of-array
 * lookups; on our cues that loop was about 40 % of a render's time (CPU profile of the helper's
 * swap, 2026-12-02), and every score, regenerate and swap waits on renders. Here the twelve delay
 * lines, their indices and the filter states live in locals for the whole block.
 *
 * The library keeps its reverb's parameters (GS reverb characters, time, level, pre-lowpass) and
 * its delay characters; only the plate's `process` is replaced, on the one processor instance a
 * render creates. The plate is not part of the library's typed API, so its shape is checked
 * first: a spessasynth_core whose plate looks different keeps its own loop (slower, still right),
 * and tests/synth-plate.test.ts fails so the upgrade is noticed.
 */

/** The plate's state as spessasynth_core 4.x keeps it (reverb/dattorro.ts). */
interface Plate {
  preDelay: number;
  preLPF: number;
  inputDiffusion1: number;
  inputDiffusion2: number;
  decay: number;
  decayDiffusion1: number;
  decayDiffusion2: number;
  damping: number;
  excursionRate: number;
  excursionDepth: number;
  gain: number;
  sampleRate: number;
  lp1: number;
  lp2: number;
  lp3: number;
  excPhase: number;
  pDWrite: number;
  pDLength: number;
  pDelay: Float32Array;
  taps: Int16Array;
  /** [buffer, write index, read index, mask] per delay line. */
  delays: [Float32Array, number, number, number][];
  process(input: Float32Array, outL: Float32Array, outR: Float32Array, startIndex: number, sampleCount: number): void;
}

function plateOf(synth: SpessaSynthProcessor): Plate | null {
  const p = (synth.reverbProcessor as unknown as { dattorro?: Partial<Plate> }).dattorro;
  const ok = !!p && p.pDelay instanceof Float32Array && p.taps instanceof Int16Array && p.taps.length === 14 && typeof p.process === 'function'
    && Array.isArray(p.delays) && p.delays.length === 12 && p.delays.every((d) => d[0] instanceof Float32Array && d.length === 4 && d[3] === d[0].length - 1)
    && ['preDelay', 'preLPF', 'decay', 'gain', 'lp1', 'lp2', 'lp3', 'excPhase', 'pDWrite', 'pDLength', 'sampleRate'].every((k) => typeof p[k as keyof Plate] === 'number');
  return ok ? (p as Plate) : null;
}

/** Puts the fast loop on this synth's plate; false where the library's plate is not the one this was written for. */
export function acceleratePlate(synth: SpessaSynthProcessor): boolean {
  const plate = plateOf(synth);
  if (!plate) return false;
  plate.process = processPlate;
  return true;
}

function processPlate(this: Plate, input: Float32Array, outL: Float32Array, outR: Float32Array, startIndex: number, sampleCount: number): void {
  const pd = this.preDelay | 0;
  const fi = this.inputDiffusion1, si = this.inputDiffusion2, dc = this.decay;
  const ft = this.decayDiffusion1, st = this.decayDiffusion2, dp = 1 - this.damping;
  const ex = this.excursionRate / this.sampleRate;
  const ed = (this.excursionDepth * this.sampleRate) / 1e3;
  const preLPF = this.preLPF, gain = this.gain;
  const pDelay = this.pDelay, pDLength = this.pDLength, pDWrite = this.pDWrite;
  for (let j = 0; j < sampleCount; j++) pDelay[(pDWrite + j) % pDLength] = input[j]!;

  const D = this.delays;
  const b = D.map((d) => d[0]), m = D.map((d) => d[3]);
  const b0 = b[0]!, b1 = b[1]!, b2 = b[2]!, b3 = b[3]!, b4 = b[4]!, b5 = b[5]!, b6 = b[6]!, b7 = b[7]!, b8 = b[8]!, b9 = b[9]!, b10 = b[10]!, b11 = b[11]!;
  const m0 = m[0]!, m1 = m[1]!, m2 = m[2]!, m3 = m[3]!, m4 = m[4]!, m5 = m[5]!, m6 = m[6]!, m7 = m[7]!, m8 = m[8]!, m9 = m[9]!, m10 = m[10]!, m11 = m[11]!;
  let w0 = D[0]![1], w1 = D[1]![1], w2 = D[2]![1], w3 = D[3]![1], w4 = D[4]![1], w5 = D[5]![1];
  let w6 = D[6]![1], w7 = D[7]![1], w8 = D[8]![1], w9 = D[9]![1], w10 = D[10]![1], w11 = D[11]![1];
  let r0 = D[0]![2], r1 = D[1]![2], r2 = D[2]![2], r3 = D[3]![2], r4 = D[4]![2], r5 = D[5]![2];
  let r6 = D[6]![2], r7 = D[7]![2], r8 = D[8]![2], r9 = D[9]![2], r10 = D[10]![2], r11 = D[11]![2];
  const t = this.taps;
  const t0 = t[0]!, t1 = t[1]!, t2 = t[2]!, t3 = t[3]!, t4 = t[4]!, t5 = t[5]!, t6 = t[6]!;
  const t7 = t[7]!, t8 = t[8]!, t9 = t[9]!, t10 = t[10]!, t11 = t[11]!, t12 = t[12]!, t13 = t[13]!;
  let lp1 = this.lp1, lp2 = this.lp2, lp3 = this.lp3, excPhase = this.excPhase;

  for (let i = 0; i < sampleCount; i++) {
    lp1 += preLPF * (pDelay[(pDLength + pDWrite - pd + i) % pDLength]! - lp1);
    // Input diffusion: four all-passes. A write's value is the unrounded sum, as the library's
    // writeDelay returns it; what is read back is the stored 32-bit float.
    let pre = lp1 - fi * b0[r0]!;
    b0[w0] = pre;
    pre = fi * (pre - b1[r1]!) + b0[r0]!;
    b1[w1] = pre;
    pre = fi * pre + b1[r1]! - si * b2[r2]!;
    b2[w2] = pre;
    pre = si * (pre - b3[r3]!) + b2[r2]!;
    b3[w3] = pre;
    const split = si * pre + b3[r3]!;
    const exc = ed * (1 + Math.cos(excPhase * 6.28));
    const exc2 = ed * (1 + Math.sin(excPhase * 6.2847));
    // The tank's two halves, left then right: each is fed the other's output, read before the
    // other writes it. The modulated read is taken once per half where the library takes it twice
    // around the write; the write lands a whole delay away from the read, so both see the same samples.
    lp2 = tankHalf(split, b11[r11]!, cubicAt(b4, r4, m4, exc), lp2, b4, w4, b5, w5, r5, b6, w6, r6, b7, w7, dc, ft, st, dp);
    lp3 = tankHalf(split, b7[r7]!, cubicAt(b8, r8, m8, exc2), lp3, b8, w8, b9, w9, r9, b10, w10, r10, b11, w11, dc, ft, st, dp);

    const left = b9[(r9 + t0) & m9]! + b9[(r9 + t1) & m9]! - b10[(r10 + t2) & m10]! + b11[(r11 + t3) & m11]! - b5[(r5 + t4) & m5]! - b6[(r6 + t5) & m6]! - b7[(r7 + t6) & m7]!;
    outL[i + startIndex]! += left * gain;
    const right = b5[(r5 + t7) & m5]! + b5[(r5 + t8) & m5]! - b6[(r6 + t9) & m6]! + b7[(r7 + t10) & m7]! - b9[(r9 + t11) & m9]! - b10[(r10 + t12) & m10]! - b11[(r11 + t13) & m11]!;
    outR[i + startIndex]! += right * gain;
    excPhase += ex;
    w0 = (w0 + 1) & m0; w1 = (w1 + 1) & m1; w2 = (w2 + 1) & m2; w3 = (w3 + 1) & m3; w4 = (w4 + 1) & m4; w5 = (w5 + 1) & m5;
    w6 = (w6 + 1) & m6; w7 = (w7 + 1) & m7; w8 = (w8 + 1) & m8; w9 = (w9 + 1) & m9; w10 = (w10 + 1) & m10; w11 = (w11 + 1) & m11;
    r0 = (r0 + 1) & m0; r1 = (r1 + 1) & m1; r2 = (r2 + 1) & m2; r3 = (r3 + 1) & m3; r4 = (r4 + 1) & m4; r5 = (r5 + 1) & m5;
    r6 = (r6 + 1) & m6; r7 = (r7 + 1) & m7; r8 = (r8 + 1) & m8; r9 = (r9 + 1) & m9; r10 = (r10 + 1) & m10; r11 = (r11 + 1) & m11;
  }

  this.lp1 = lp1;
  this.lp2 = lp2;
  this.lp3 = lp3;
  this.excPhase = excPhase;
  const w = [w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11], r = [r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11];
  for (let k = 0; k < 12; k++) (D[k]![1] = w[k]!), (D[k]![2] = r[k]!);
  this.pDWrite = (pDWrite + sampleCount) % pDLength;
}

/**
 * One half of the tank: the modulated all-pass (a, b), the damping low-pass into the decay
 * all-pass (c, d). Returns the low-pass's new state.
 */
function tankHalf(split: number, feedback: number, mod: number, lp: number,
  a: Float32Array, wa: number, b: Float32Array, wb: number, rb: number, c: Float32Array, wc: number, rc: number, d: Float32Array, wd: number,
  dc: number, ft: number, st: number, dp: number): number {
  let temp = split + dc * feedback + ft * mod;
  a[wa] = temp;
  b[wb] = mod - ft * temp;
  lp += dp * (b[rb]! - lp);
  temp = dc * lp - st * c[rc]!;
  c[wc] = temp;
  d[wd] = c[rc]! + st * temp;
  return lp;
}

/** Cubic (Catmull-Rom-like) read `at` samples after the read index: the tank's modulated taps. */
function cubicAt(b: Float32Array, r: number, mask: number, at: number): number {
  const frac = at - ~~at;
  let k = ~~at + r - 1;
  const x0 = b[k++ & mask]!, x1 = b[k++ & mask]!, x2 = b[k++ & mask]!, x3 = b[k & mask]!;
  const a = (3 * (x1 - x2) - x0 + x3) / 2, bb = 2 * x2 + x0 - (5 * x1 + x3) / 2, c = (x2 - x0) / 2;
  return ((a * frac + bb) * frac + c) * frac + x1;
}
