import { join } from 'node:path';
import type { SourceMedia } from '../../shared/index.ts';
import { readAudioBlocks } from '../adapters/ffmpeg.ts';
import { openVad, VAD_FRAME, VAD_RATE } from '../adapters/vad.ts';
import { cacheRoot, hashFile, hashJson, readJsonIfExists, writeAtomic } from './cache.ts';

/**
 * Dialogue in the original sound: the share of 30 ms frames the VAD calls speech, per second of
 * the video, cached by the file's content hash. Null when the video has no audio track.
 * WebRTC's VAD also calls steady tones and drones speech; speech comes in syllables, so a second
 * whose frame energies barely vary (coefficient of variation under MIN_SYLLABIC) counts as none.
 */
const MIN_SYLLABIC = 0.3;
export async function speechPerSecond(src: SourceMedia, cacheVersion: number, signal: AbortSignal): Promise<number[] | null> {
  if (!src.hasAudio) return null;
  const key = hashJson({ v: cacheVersion, vad: 'fvad-2-syllabic', file: await hashFile(src.path) });
  const path = join(cacheRoot(), 'speech', `${key}.json`);
  const hit = readJsonIfExists<number[]>(path);
  if (hit) return hit;
  const vad = await openVad(2);
  const perSecond = Math.round(VAD_RATE / VAD_FRAME); // 33 frames of 30 ms (0.99 s)
  const voiced: number[] = [];
  const energies: number[][] = [];
  let frames = 0;
  try {
    await readAudioBlocks(src.path, VAD_RATE, VAD_FRAME, (pcm) => {
      const sec = Math.floor((frames * VAD_FRAME) / VAD_RATE);
      voiced[sec] = (voiced[sec] ?? 0) + vad.frame(pcm);
      let e = 0;
      for (let i = 0; i < pcm.length; i++) e += pcm[i]! * pcm[i]!;
      (energies[sec] ??= []).push(Math.sqrt(e / pcm.length));
      frames++;
    }, signal);
  } finally {
    vad.close();
  }
  const syllabic = (es: number[] | undefined) => {
    if (!es?.length) return false;
    const m = es.reduce((a, b) => a + b, 0) / es.length;
    const sd = Math.sqrt(es.reduce((a, b) => a + (b - m) ** 2, 0) / es.length);
    return m > 0 && sd / m >= MIN_SYLLABIC;
  };
  const seconds = Math.ceil(src.durationSec);
  const out = Array.from({ length: seconds }, (_, i) => (syllabic(energies[i]) ? Math.round(Math.min(1, (voiced[i] ?? 0) / perSecond) * 1000) / 1000 : 0));
  writeAtomic(path, JSON.stringify(out));
  return out;
}
