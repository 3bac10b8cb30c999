import { join } from 'node:path';
import type { SourceMedia } from '../../shared/index.ts';
import { FrameMeter, type FrameSeries, type FrameStats } from '../core/frames.ts';
import { analysisSize, readFrames } from '../adapters/ffmpeg.ts';
import { cacheRoot, contentHash, hashJson, knownFileHash, readCacheJson, hasNumbers, isNumbers, writeAtomic } from './cache.ts';

/** Every frame of a video measured, streamed from ffmpeg (the scenes stage, the bench's reference and memory checks). */
export async function measureFrames(src: SourceMedia, o: { edges: boolean; progress?: (f: number) => void; signal?: AbortSignal }): Promise<FrameSeries> {
  const meter = new FrameMeter({ edges: o.edges });
  const frames: FrameStats[] = [];
  let lastReport = 0;
  await readFrames(src, (f) => {
    frames.push(meter.measure(f));
    if (o.progress && f.index - lastReport >= 30) {
      lastReport = f.index;
      o.progress(Math.min(1, f.index / src.frameCount));
    }
  }, o.signal);
  return { frames, colourSeconds: meter.colourSeconds() };
}

/**
 * measureFrames, cached by the file's content hash, the analysis size and whether edges were
 * measured. A file seen before has its hash remembered (cache.ts), so a hit costs no read; a new
 * file is hashed while it is being decoded (the hash takes about a tenth of the decode, which would
 * otherwise come first), and a hit found when the hash arrives (the same content under another name)
 * stops the decode.
 */
export async function cachedFrames(src: SourceMedia, cacheVersion: number, o: { edges: boolean; progress: (f: number) => void; signal: AbortSignal; warn?: (m: string) => void }): Promise<{ series: FrameSeries; cached: boolean }> {
  const size = analysisSize(src.width, src.height);
  type Stored = { frames: FrameStats[]; colourSeconds: number[][] };
  const pathOf = (file: string) => join(cacheRoot(), 'frames', `${hashJson({ v: cacheVersion, file, size, fps: src.frameRate, edges: o.edges })}.json`);
  const lookup = (file: string) => {
    const hit = readCacheJson<Stored>(pathOf(file), (x) => {
      const v = x as Stored;
      return Array.isArray(v?.frames) && v.frames.every((f) => hasNumbers(f, 'time', 'brightness', 'contrast', 'saturation', 'warmth', 'motion') && typeof f.delta === 'object') && Array.isArray(v.colourSeconds) && v.colourSeconds.every(isNumbers);
    }, o.warn);
    return hit && { series: { frames: hit.frames, colourSeconds: hit.colourSeconds.map((h) => Float32Array.from(h)) }, cached: true };
  };
  const known = knownFileHash(src.path);
  const early = known ? lookup(known) : null;
  if (early) return early;
  const stop = new AbortController();
  const signal = AbortSignal.any([o.signal, stop.signal]);
  const measuring = measureFrames(src, { ...o, signal });
  measuring.catch(() => undefined); // awaited below; until then a failure must not go unhandled
  const file = known ?? (await contentHash(src.path, o.signal).catch((e) => {
    stop.abort();
    throw e;
  }));
  const hit = known ? null : lookup(file);
  if (hit) {
    stop.abort();
    await measuring.catch(() => undefined);
    return hit;
  }
  const series = await measuring;
  const stored: Stored = { frames: series.frames, colourSeconds: series.colourSeconds.map((h) => Array.from(h, (x) => Math.round(x * 1e4) / 1e4)) };
  writeAtomic(pathOf(file), JSON.stringify(stored));
  return { series, cached: false };
}
