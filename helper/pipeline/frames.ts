import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { SourceMedia } from '../../shared/index.ts';
import { FrameMeter, type FrameSeries, type FrameStats } from '../core/frames.ts';
import { analysisSize, constantFrameRate, readFrames } from '../adapters/ffmpeg.ts';
import { InterruptedError } from '../errors.ts';
import { cacheRoot, contentHash, hashJson, knownFileHash, readCacheJson, hasNumbers, isNumbers, writeAtomic } from './cache.ts';

/** Frame stats of a whole video, and how many decoders read it. */
export type MeasuredFrames = FrameSeries & { decoders: 1 | 2 };
/** `split`: 'auto' (the default) as below; 'never' one reader; 'always' two whatever the file (tests). */
type MeasureOptions = { edges: boolean; progress?: (f: number) => void; signal?: AbortSignal; split?: 'auto' | 'never' | 'always' };

/**
 * Shorter or smaller videos are read by one decoder: a second costs more to start than it saves
 * (a 640x360 file of 24-31 s took 0.90 s read by two against 0.85 s by one).
 */
const SPLIT_MIN_SEC = 20;
const SPLIT_MIN_PIXELS = 1280 * 720;

/**
 * Every frame of a video measured, streamed from ffmpeg (the scenes stage, the bench's reference
 * and memory checks). On a machine with two or more cores a constant-rate video of 720p or more
 * and 20 s or more is read by two ffmpeg processes at once, one half each, with the same result as
 * one reader to the bit (measureSplit). Why: one H.264 decoder keeps about 1.5 of 2 cores busy,
 * and the scaling, the pipe and the meter then queue behind it. Measured on seven of the bench's
 * videos, two cores, warmed up, order alternating, median of four (scratch/split-ab.ts): analysis
 * against decode-only fell by 0 to 0.18 (1080p: lvs-02 1.38x to 1.25x, lvs-10 1.32x to 1.17x;
 * 720p: lvs-03 1.46x to 1.28x, lvs-01 1.26x to 1.27x).
 */
export async function measureFrames(src: SourceMedia, o: MeasureOptions): Promise<MeasuredFrames> {
  const always = o.split === 'always';
  const seam = o.split === 'never' ? null : splitSeam(src, always);
  const split = seam !== null && (always || (await constantFrameRate(src.path, o.signal))) ? await measureSplit(src, seam, o) : null;
  return split ?? measureWhole(src, o);
}

async function measureWhole(src: SourceMedia, o: MeasureOptions): Promise<MeasuredFrames> {
  const meter = new FrameMeter({ edges: o.edges });
  const frames: FrameStats[] = [];
  const progress = progressOf(src, o);
  await readFrames(src, (f) => {
    frames.push(meter.measure(f));
    progress(frames.length);
  }, o.signal);
  return { frames, colourSeconds: meter.colourSeconds(), decoders: 1 };
}

/** Reports progress every 30 frames read. */
function progressOf(src: SourceMedia, o: MeasureOptions): (read: number) => void {
  let last = 0;
  return (read) => {
    if (!o.progress || read - last < 30) return;
    last = read;
    o.progress(Math.min(1, read / src.frameCount));
  };
}

/**
 * Where the second reader starts: the first frame of the whole second nearest the middle, as the
 * meter files frames (frame i at i / fps), so each second's colours come from one reader, added in
 * the order one reader would add them. Null when one reader should read the whole video.
 */
export function splitSeam(src: SourceMedia, always = false): number | null {
  const worth = src.durationSec >= SPLIT_MIN_SEC && src.width * src.height >= SPLIT_MIN_PIXELS && availableParallelism() >= 2;
  const second = Math.floor(src.durationSec / 2);
  if (!(worth || always) || second < 1) return null;
  const secondOf = (i: number) => Math.floor(i / src.frameRate + 1e-9);
  let k = Math.ceil(second * src.frameRate);
  while (k > 0 && secondOf(k - 1) >= second) k--;
  while (secondOf(k) < second) k++;
  return k;
}

/**
 * The video read by two decoders at once: frames [0, seam) by one, and from the frame before the
 * seam to the end by the other, which measures that frame only so the seam frame has its
 * predecessor. Input seeking is exact (ffmpeg decodes from the keyframe before and drops what
 * precedes), and this is checked: the second reader's first frame must be the first reader's last,
 * byte for byte, and the first reader must deliver every frame before the seam. Otherwise (a file
 * damaged before the seam, a stream that does not seek exactly) it returns null and one reader
 * reads it all, as before.
 */
async function measureSplit(src: SourceMedia, seam: number, o: MeasureOptions): Promise<MeasuredFrames | null> {
  const meters = [new FrameMeter({ edges: o.edges }), new FrameMeter({ edges: o.edges })] as const;
  const head: FrameStats[] = [];
  const tail: FrameStats[] = [];
  let last: Uint8Array | null = null;
  let preroll: Uint8Array | null = null;
  const progress = progressOf(src, o);
  const stop = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  // A reader that fails means the whole file will be read again: stop the other one.
  const stopOnFailure = (reading: Promise<number>) => reading.catch((e) => {
    stop.abort();
    throw e;
  });
  const reads = await Promise.allSettled([
    stopOnFailure(readFrames(src, (f) => {
      if (f.index === seam - 1) last = f.rgb;
      head.push(meters[0].measure(f));
      progress(head.length + tail.length);
    }, signal, undefined, { frames: seam })),
    stopOnFailure(readFrames(src, (f) => {
      const index = seam - 1 + f.index;
      const stats = meters[1].measure({ ...f, index, time: index / src.frameRate });
      if (f.index === 0) preroll = f.rgb;
      else tail.push(stats);
      progress(head.length + tail.length);
    }, signal, undefined, { fromSec: (seam - 1.25) / src.frameRate })),
  ]);
  if (o.signal?.aborted) throw new InterruptedError();
  const same = (a: Uint8Array | null, b: Uint8Array | null) => !!a && !!b && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
  if (reads.some((r) => r.status === 'rejected') || head.length !== seam || !same(last, preroll)) return null;
  // Seconds before the seam's come from the first reader; the second's first (pre-roll) frame lies in the last of those.
  const second = Math.floor(seam / src.frameRate + 1e-9);
  const colourSeconds = [...meters[0].colourSeconds().slice(0, second), ...meters[1].colourSeconds().slice(second)];
  return { frames: [...head, ...tail], colourSeconds, decoders: 2 };
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
