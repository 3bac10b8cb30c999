import type { Rng } from './compose/rng.ts';

/**
 * MusicGen's decoding rules, pure (the ONNX sessions live in adapters/musicgen.ts). MusicGen predicts
 * K codebooks per audio frame with the "delay" interleaving: codebook k runs k steps behind
 * codebook 0, so at decoder column c codebook k holds frame c - k - 1 (column 0 is the start token).
 * A window of W columns therefore yields W - K frames. Classifier-free guidance runs a conditional
 * and an unconditional row and mixes their logits; tokens are drawn from the top k.
 */

export interface CodebookLayout {
  codebooks: number;
  /** The pad / decoder start token (vocab_size). */
  pad: number;
}

/**
 * What codebook k holds at column c when the frames before `known` are given (context, or a
 * continuation's prompt) and `total` frames are wanted: 'pad' before its first frame and after its
 * last, the given token while in the context, or 'sample'.
 */
export function columnToken(k: number, c: number, known: readonly (readonly number[])[], total: number): number | 'pad' | 'sample' {
  const frame = c - k - 1;
  if (frame < 0 || frame >= total) return 'pad';
  if (frame < (known[k]?.length ?? 0)) return known[k]![frame]!;
  return 'sample';
}

/** Columns needed for `frames` frames: the start column, then one per frame, plus the delay of the last codebook. */
export const columnsFor = (frames: number, codebooks: number): number => frames + codebooks;

/** Guided logits: the unconditional row moved `scale` times the distance to the conditional one (scale 1 = conditional only). */
export function guide(cond: Float32Array, uncond: Float32Array, scale: number): Float32Array {
  const out = new Float32Array(cond.length);
  for (let i = 0; i < cond.length; i++) out[i] = uncond[i]! + scale * (cond[i]! - uncond[i]!);
  return out;
}

/** A token drawn from the `topK` most likely (softmax at `temperature`), with the caller's seeded generator. */
export function sampleTopK(logits: Float32Array, topK: number, temperature: number, rng: Rng): number {
  const k = Math.max(1, Math.min(topK, logits.length));
  const order = Array.from(logits.keys()).sort((a, b) => logits[b]! - logits[a]! || a - b).slice(0, k);
  const t = Math.max(1e-4, temperature);
  const top = logits[order[0]!]!;
  const weights = order.map((i) => Math.exp((logits[i]! - top) / t));
  let u = rng.next() * weights.reduce((a, b) => a + b, 0);
  for (let j = 0; j < order.length; j++) {
    u -= weights[j]!;
    if (u <= 0) return order[j]!;
  }
  return order[order.length - 1]!;
}

/**
 * Spherical interpolation of two conditioning tensors of the same shape (JenBridge eq. 7), row by
 * row (one row per text position): the direction turns from a to b at constant angular speed and
 * the length follows linearly, so the midpoint is neither prompt's blur.
 */
export function slerpRows(a: Float32Array, b: Float32Array, width: number, t: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < a.length; r += width) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let i = r; i < r + width; i++) {
      dot += a[i]! * b[i]!;
      na += a[i]! * a[i]!;
      nb += b[i]! * b[i]!;
    }
    na = Math.sqrt(na);
    nb = Math.sqrt(nb);
    const cos = na && nb ? Math.max(-1, Math.min(1, dot / (na * nb))) : 1;
    const omega = Math.acos(cos);
    // Nearly parallel rows (or a zero row): plain linear interpolation is exact enough and stable.
    const [wa, wb] = omega < 1e-4 ? [1 - t, t] : [Math.sin((1 - t) * omega) / Math.sin(omega), Math.sin(t * omega) / Math.sin(omega)];
    const len = (1 - t) * na + t * nb;
    const mix = new Float32Array(width);
    let nm = 0;
    for (let i = 0; i < width; i++) {
      mix[i] = wa * (na ? a[r + i]! / na : 0) + wb * (nb ? b[r + i]! / nb : 0);
      nm += mix[i]! * mix[i]!;
    }
    nm = Math.sqrt(nm) || 1;
    for (let i = 0; i < width; i++) out[r + i] = (mix[i]! / nm) * len;
  }
  return out;
}
