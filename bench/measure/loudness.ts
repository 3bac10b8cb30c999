import { ffmpegPath, run } from '../../helper/adapters/ffmpeg.ts';
import { integratedLoudness } from '../../helper/core/loudness.ts';
import { SAMPLE_RATE } from '../../shared/index.ts';

/** EBU R128 by ffmpeg's own ebur128 filter (independent of Segue's meter): I, LRA, true peak. */
export async function ebur128(file: string, fromSec?: number, toSec?: number): Promise<{ I: number; LRA: number; TP: number }> {
  const trim = fromSec === undefined ? '' : `atrim=${fromSec}:${toSec},`;
  const r = await run(ffmpegPath(), ['-hide_banner', '-nostats', '-i', file, '-af', `${trim}ebur128=peak=true`, '-f', 'null', '-']);
  const s = r.stderr.slice(r.stderr.lastIndexOf('Summary'));
  const num = (re: RegExp) => Number(re.exec(s)?.[1] ?? NaN);
  return { I: num(/I:\s+(-?[\d.]+) LUFS/), LRA: num(/LRA:\s+(-?[\d.]+) LU/), TP: num(/Peak:\s+(-?[\d.]+) dBFS/) };
}

/**
 * Loudness change across a cut: the `windowSec` after against the same before (silence counts as
 * -70 LUFS). 1 s is what the cut itself sounds like; 3 s is EBU R128's short-term window, what a
 * listener hears settle on either side (and a ride over the second next to the cut cannot flatten).
 */
export function loudnessJump(ch: Float32Array[], at: number, windowSec = 1): number {
  const w = Math.round(windowSec * SAMPLE_RATE);
  const l = (a: number, b: number) => {
    const v = integratedLoudness(ch.map((c) => c.subarray(Math.max(0, a), Math.min(c.length, b))));
    return Number.isFinite(v) ? Math.max(-70, v) : -70;
  };
  return l(at, at + w) - l(at - w, at);
}
