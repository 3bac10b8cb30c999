import { join } from 'node:path';
import type { SourceMedia } from '../../shared/index.ts';
import { FrameMeter, type FrameSeries, type FrameStats } from '../core/frames.ts';
import { analysisSize, readFrames } from '../adapters/ffmpeg.ts';
import { cacheRoot, hashFile, hashJson, readCacheJson, hasNumbers, isNumbers, writeAtomic } from './cache.ts';

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

/** measureFrames, cached by the file's content hash, the analysis size and whether edges were measured. */
export async function cachedFrames(src: SourceMedia, cacheVersion: number, o: { edges: boolean; progress: (f: number) => void; signal: AbortSignal; warn?: (m: string) => void }): Promise<{ series: FrameSeries; cached: boolean }> {
  const size = analysisSize(src.width, src.height);
  const key = hashJson({ v: cacheVersion, file: await hashFile(src.path), size, fps: src.frameRate, edges: o.edges });
  const path = join(cacheRoot(), 'frames', `${key}.json`);
  type Stored = { frames: FrameStats[]; colourSeconds: number[][] };
  const hit = readCacheJson<Stored>(path, (x) => {
    const v = x as Stored;
    return Array.isArray(v?.frames) && v.frames.every((f) => hasNumbers(f, 'time', 'brightness', 'contrast', 'saturation', 'warmth', 'motion') && typeof f.delta === 'object') && Array.isArray(v.colourSeconds) && v.colourSeconds.every(isNumbers);
  }, o.warn);
  if (hit) return { series: { frames: hit.frames, colourSeconds: hit.colourSeconds.map((h) => Float32Array.from(h)) }, cached: true };
  const series = await measureFrames(src, o);
  const stored: Stored = { frames: series.frames, colourSeconds: series.colourSeconds.map((h) => Array.from(h, (x) => Math.round(x * 1e4) / 1e4)) };
  writeAtomic(path, JSON.stringify(stored));
  return { series, cached: false };
}
