import type { Cue } from '../../shared/index.ts';

/**
 * The full soundtrack: every cue's body laid at its timeline position and summed, exactly what the
 * panel's placement plays in Premiere (clips trimmed to their handles, fades already in the files).
 */
export function mixCues(cues: readonly { cue: Pick<Cue, 'timelineIn' | 'timelineOut' | 'handles'>; pcm: Float32Array[] }[], totalSamples: number): Float32Array[] {
  const out = [new Float32Array(totalSamples), new Float32Array(totalSamples)];
  for (const { cue, pcm } of cues) {
    for (let c = 0; c < 2; c++) {
      const src = pcm[Math.min(c, pcm.length - 1)]!;
      const dst = out[c]!;
      const from = Math.max(0, cue.timelineIn);
      const to = Math.min(totalSamples, cue.timelineOut);
      const offset = cue.handles.head - cue.timelineIn;
      for (let t = from; t < to; t++) dst[t] = dst[t]! + (src[t + offset] ?? 0);
    }
  }
  return out;
}
