import { join } from 'node:path';
import type { SourceMedia } from '../../shared/index.ts';
import { readAudioBlocks, type MediaRange } from '../adapters/ffmpeg.ts';
import { openVad, VAD_FRAME, VAD_RATE } from '../adapters/vad.ts';
import { cacheRoot, contentHash, hashJson, readCacheJson, isNumbers, writeAtomic } from './cache.ts';

/**
 * Dialogue in the original sound: the share of 30 ms frames the VAD calls speech, per second of
 * the timeline. WebRTC's VAD also calls steady tones and drones speech; speech comes in syllables,
 * so a second whose frame energies barely vary (coefficient of variation under MIN_SYLLABIC)
 * counts as none. Results are cached by the audio file's content hash and the range read.
 */
const MIN_SYLLABIC = 0.3;

/** Where a piece of timeline sound comes from: `range` of the file `path`, heard from timeline time `timelineIn`. */
export interface SoundSource {
  path: string;
  range?: MediaRange;
  timelineIn: number;
}

type Frames = { voiced: number[]; energies: number[][] };

/** VAD over one source, per second of the source's own time from its start (cached). */
async function speechFrames(s: SoundSource, cacheVersion: number, signal: AbortSignal): Promise<Frames> {
  const key = hashJson({ v: cacheVersion, vad: 'fvad-2-frames', file: await contentHash(s.path), range: s.range ?? null, phase: s.timelineIn % 1 });
  const path = join(cacheRoot(), 'speech', `${key}.json`);
  const hit = readCacheJson<Frames>(path, (x) => {
    const f = x as Frames;
    return isNumbers(f?.voiced) && Array.isArray(f.energies) && f.energies.every((e) => e === null || isNumbers(e));
  });
  if (hit) return hit;
  const vad = await openVad(2);
  const out: Frames = { voiced: [], energies: [] };
  let frames = 0;
  try {
    await readAudioBlocks(s.path, VAD_RATE, VAD_FRAME, (pcm) => {
      // Seconds of the timeline, counted from the second the source starts in.
      const sec = Math.floor((s.timelineIn % 1) + (frames * VAD_FRAME) / VAD_RATE);
      out.voiced[sec] = (out.voiced[sec] ?? 0) + vad.frame(pcm);
      let e = 0;
      for (let i = 0; i < pcm.length; i++) e += pcm[i]! * pcm[i]!;
      (out.energies[sec] ??= []).push(Math.sqrt(e / pcm.length));
      frames++;
    }, signal, s.range);
  } finally {
    vad.close();
  }
  out.voiced = Array.from(out.voiced, (x) => x ?? 0);
  out.energies = Array.from(out.energies, (x) => x ?? []);
  writeAtomic(path, JSON.stringify(out));
  return out;
}

/** Speech share per timeline second over `seconds` seconds, from any number of timeline-placed sources. */
export async function speechTimeline(sources: readonly SoundSource[], seconds: number, cacheVersion: number, signal: AbortSignal): Promise<number[]> {
  const voiced: number[] = new Array(seconds).fill(0);
  const energies: number[][] = Array.from({ length: seconds }, () => []);
  for (const s of sources) {
    const f = await speechFrames(s, cacheVersion, signal);
    const first = Math.floor(s.timelineIn);
    f.voiced.forEach((v, i) => {
      if (first + i < seconds) voiced[first + i]! += v;
    });
    f.energies.forEach((es, i) => {
      if (first + i < seconds) energies[first + i]!.push(...es);
    });
  }
  const perSecond = Math.round(VAD_RATE / VAD_FRAME); // 33 frames of 30 ms (0.99 s)
  const syllabic = (es: number[]) => {
    if (!es.length) return false;
    const m = es.reduce((a, b) => a + b, 0) / es.length;
    const sd = Math.sqrt(es.reduce((a, b) => a + (b - m) ** 2, 0) / es.length);
    return m > 0 && sd / m >= MIN_SYLLABIC;
  };
  return voiced.map((v, i) => (syllabic(energies[i]!) ? Math.round(Math.min(1, v / perSecond) * 1000) / 1000 : 0));
}

/** A video's own sound, per second; null when it has no audio track. */
export async function speechPerSecond(src: SourceMedia, cacheVersion: number, signal: AbortSignal): Promise<number[] | null> {
  if (!src.hasAudio) return null;
  return speechTimeline([{ path: src.path, timelineIn: 0 }], Math.ceil(src.durationSec), cacheVersion, signal);
}
