import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { SAMPLE_RATE, type SourceMedia } from '../../shared/index.ts';
import { MediaError, ToolError, InterruptedError } from '../errors.ts';
import type { Frame } from '../core/frames.ts';
import { pyRound } from '../core/python.ts';

/**
 * The only module that runs ffmpeg or ffprobe. Binaries come from @ffmpeg-installer/ffmpeg and
 * @ffprobe-installer/ffprobe; FFMPEG_PATH / FFPROBE_PATH override them.
 */

const require = createRequire(import.meta.url);

export function ffmpegPath(): string {
  return process.env.FFMPEG_PATH || (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}
export function ffprobePath(): string {
  return process.env.FFPROBE_PATH || (require('@ffprobe-installer/ffprobe') as { path: string }).path;
}

interface RunResult {
  stdout: Buffer;
  stderr: string;
}

/** Runs a tool to completion; the last stderr lines go into the error, since that is where ffmpeg explains itself. */
export function run(bin: string, args: string[], signal?: AbortSignal): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8000)));
    p.on('error', (e) => {
      if ((e as Error).name === 'AbortError') reject(new InterruptedError());
      else reject(new ToolError(`could not start ${bin} (${(e as NodeJS.ErrnoException).code ?? e}); set FFMPEG_PATH/FFPROBE_PATH to a working binary`));
    });
    p.on('close', (code, killedBy) => {
      const tool = bin.split('/').pop();
      if (signal?.aborted) reject(new InterruptedError());
      else if (code === 0) resolve({ stdout: Buffer.concat(out), stderr: err });
      // A crash says nothing on stderr: name it, and the way round it (this build of ffprobe
      // segfaults on some MPEG-2 transport streams).
      else if (killedBy) reject(new ToolError(`${tool} crashed (${killedBy}) on this file; set ${tool?.startsWith('ffprobe') ? 'FFPROBE_PATH' : 'FFMPEG_PATH'} to another build${err.trim() ? ` (${lastLines(err)})` : ''}`));
      else reject(new ToolError(`${tool} exited with ${code}: ${lastLines(err)}`));
    });
  });
}

const lastLines = (s: string) => s.trim().split('\n').slice(-3).join(' | ');

interface ProbeStream {
  codec_type?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  duration?: string;
  tags?: { rotate?: string };
  side_data_list?: { rotation?: number }[];
}

function rate(s: string | undefined): number {
  if (!s) return NaN;
  const [a, b] = s.split('/').map(Number);
  return b ? a! / b : a!;
}

/**
 * Whether the first video stream's timestamps keep one rate (its average frame rate is its base
 * rate): a variable-rate file's frames at the probed average rate depend on where reading starts,
 * so only a constant-rate file can be read in pieces (pipeline/frames.ts). False when unsure.
 */
export async function constantFrameRate(path: string, signal?: AbortSignal): Promise<boolean> {
  try {
    const r = await run(ffprobePath(), ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=r_frame_rate,avg_frame_rate', '-of', 'csv=p=0', path], signal);
    const [base, avg] = r.stdout.toString().trim().split(',').map(rate);
    return base! > 0 && Math.abs(base! - avg!) <= 1e-6 * base!;
  } catch (e) {
    if (e instanceof InterruptedError) throw e;
    return false;
  }
}

/** Probes a file and refuses what Segue cannot score, saying why and what to do. */
export async function probe(path: string, signal?: AbortSignal): Promise<SourceMedia> {
  if (!existsSync(path)) throw new MediaError(`${path}: no such file; check the path`);
  const st = statSync(path);
  if (st.isDirectory()) throw new MediaError(`${path} is a folder; give a video file`);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new MediaError(`${path} cannot be read (permission denied); check its permissions`);
  }
  if (st.size === 0) throw new MediaError(`${path} is empty (0 bytes); give a video file`);
  let json: { streams?: ProbeStream[]; format?: { duration?: string } };
  try {
    const r = await run(ffprobePath(), ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', '-i', path], signal);
    json = JSON.parse(r.stdout.toString());
  } catch (e) {
    if (e instanceof InterruptedError) throw e;
    throw new MediaError(`${path} is not a video ffmpeg can read (${e instanceof Error ? e.message.replace(/^.*?: /, '') : e}); export it again as MP4/MOV`);
  }
  const streams = json.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video');
  if (!v || !v.width || !v.height) throw new MediaError(`${path} has no video stream; Segue scores pictures, give a video file`);
  const fps = rate(v.avg_frame_rate) || rate(v.r_frame_rate);
  if (!(fps > 0 && fps < 1000)) throw new MediaError(`${path}: video frame rate "${v.avg_frame_rate}" is not usable; re-export with a constant frame rate`);
  const duration = Number(v.duration ?? json.format?.duration);
  const frames = Number(v.nb_frames) || Math.round(duration * fps);
  if (!(duration > 0) || !(frames >= 2)) {
    throw new MediaError(`${path} is ${frames >= 1 ? 'a single frame' : 'zero-length'}; Segue needs a video at least one second long`);
  }
  if (duration < 1) throw new MediaError(`${path} lasts ${duration.toFixed(3)} s; Segue needs a video at least one second long`);
  const rotation = Number(v.tags?.rotate ?? v.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? 0);
  return {
    path,
    durationSec: duration,
    durationSamples: Math.round(duration * SAMPLE_RATE),
    frameRate: fps,
    frameCount: frames,
    width: v.width,
    height: v.height,
    rotation,
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
  };
}

/**
 * PySceneDetect's automatic downscale as its current source has it (compute_downscale_factor): the
 * factor is the longer side / 256 (a float), and each side becomes round(side / factor), so the
 * longer side is 256 px; frames smaller than that are used as they are.
 */
export function analysisSize(width: number, height: number): { width: number; height: number } {
  const longer = Math.max(width, height);
  if (longer <= 256) return { width, height };
  const factor = longer / 256;
  return { width: Math.max(1, pyRound(width / factor)), height: Math.max(1, pyRound(height / factor)) };
}

/**
 * Streams decoded, downscaled RGB frames one at a time (never the whole video in memory) at the
 * probed frame rate, so frame i is at i / fps even for variable-frame-rate input.
 *
 * The scaling is chosen to give the pixels PySceneDetect sees (OpenCV decodes to full-resolution
 * BGR, interpolating chroma, then cv2.resize with INTER_LINEAR, whose taps sit at
 * (x + 0.5) * factor - 0.5): at an odd whole-number factor (720p: 5) they land exactly on source
 * pixels, which is what swscale's `neighbor` picks; at other factors (1080p: 7.5) INTER_LINEAR
 * blends two, closest to `fast_bilinear`; `full_chroma_inp+full_chroma_int` interpolates chroma
 * before sampling, as OpenCV's conversion does. Area or plain bilinear scaling smooths the frames
 * and, against the OpenCV reference (bench/reference/), missed cuts near the threshold.
 *
 * The decoder runs with its defaults. The two options that promise a cheaper decode were measured
 * and dropped (lvs-04 re-encoded with x264 veryfast, which deblocks as camera and NLE exports do):
 * -skip_loop_filter all moved detected cuts (8 of 10 within one frame of PySceneDetect on OpenCV,
 * against 10 of 10), and -flags2 fast gained nothing beyond run-to-run noise; nor did more decoder
 * threads (-threads 3 or 4) or -filter_threads 2 (lvs-02, two runs each). Where the rest goes
 * (lvs-02, 1080p, two cores; decode alone 3.9 s wall on 1.5 cores): the scale to RGB adds about
 * 0.5 s on ffmpeg's own thread, the pipe into Node about 0.5 s, the frame meter about 1 s of CPU
 * (scratch measurements, run-to-run noise about 0.3 s). Writing yuv444p instead of RGB saved about
 * 0.3 s but would change the pixels OpenCV's pipeline sees; not done. What did help: reading a
 * long file in two halves at once (pipeline/frames.ts, FrameWindow).
 */
export async function readFrames(src: SourceMedia, onFrame: (f: Frame) => void, signal?: AbortSignal, range?: MediaRange, window?: FrameWindow): Promise<number> {
  const { width, height } = analysisSize(src.width, src.height);
  const factor = Math.max(src.width, src.height) / Math.max(width, height);
  const taps = Number.isInteger(factor) && factor % 2 === 1 ? 'neighbor' : 'fast_bilinear';
  const from = window?.fromSec === undefined ? [] : ['-ss', window.fromSec.toFixed(6)];
  const upTo = window?.frames === undefined ? [] : ['-frames:v', String(window.frames)];
  const args = ['-v', 'error', '-nostdin', ...rangeArgs(range), ...from, '-i', src.path, '-an', '-sn', '-vf', `fps=${src.frameRate},scale=${width}:${height}:flags=${taps}+full_chroma_inp+full_chroma_int,format=rgb24`, ...upTo, '-f', 'rawvideo', 'pipe:1'];
  const r = await streamChunks(args, width * height * 3, (rgb, index) => onFrame({ index, time: index / src.frameRate, width, height, rgb }), signal);
  // A file corrupt midway still yields the frames before the damage; refuse only if nothing decoded.
  if (r.count === 0) throw new MediaError(`${src.path}: no frame could be decoded (${lastLines(r.err) || `ffmpeg exit ${r.code}`}); the file may be corrupt, export it again`);
  return r.count;
}

/**
 * Part of a whole file's frames, for decoding it in pieces at once (pipeline/frames.ts): from the
 * first frame at or after `fromSec` to the end, and at most `frames` frames. Frame indices and
 * times restart at 0 from the first frame read.
 */
export interface FrameWindow {
  fromSec?: number;
  frames?: number;
}

/** A part of a media file: from startSec, durationSec long (input seeking decodes from the keyframe before, exactly). */
export interface MediaRange {
  startSec: number;
  durationSec: number;
}

function rangeArgs(r: MediaRange | undefined): string[] {
  return r ? ['-ss', r.startSec.toFixed(6), '-t', r.durationSec.toFixed(6)] : [];
}

/** A still image decoded to RGB24 at width x height (the caller has checked it is a PNG or JPEG of sane size). */
export async function readImage(path: string, width: number, height: number, signal?: AbortSignal): Promise<Uint8Array> {
  const args = ['-v', 'error', '-nostdin', '-i', path, '-frames:v', '1', '-vf', `scale=${width}:${height}:flags=area,format=rgb24`, '-f', 'rawvideo', 'pipe:1'];
  let frame: Uint8Array | null = null;
  const r = await streamChunks(args, width * height * 3, (rgb) => (frame ??= rgb), signal);
  if (!frame) throw new MediaError(`${path}: the image could not be decoded (${lastLines(r.err) || `ffmpeg exit ${r.code}`}); export the frame again as PNG or JPEG`);
  return frame;
}

/** A still of a video at `timeSec` as PNG or JPEG bytes, `width` px wide (what Premiere's exportSequenceFrame gives the panel). */
export async function stillImage(path: string, timeSec: number, width: number, type: 'png' | 'jpeg', signal?: AbortSignal): Promise<Buffer> {
  const codec = type === 'png' ? ['-c:v', 'png'] : ['-c:v', 'mjpeg', '-q:v', '4'];
  const r = await run(ffmpegPath(), ['-v', 'error', '-nostdin', '-ss', timeSec.toFixed(3), '-i', path, '-frames:v', '1', '-vf', `scale=${width}:-2`, ...codec, '-f', 'image2pipe', 'pipe:1'], signal);
  if (!r.stdout.length) throw new MediaError(`${path}: no frame at ${timeSec.toFixed(3)} s`);
  return r.stdout;
}

/**
 * How a vision model wants its picture: `crop` scales the shorter side to `size` and cuts the middle
 * square (CLIP); `squash` scales straight to size x size (SigLIP). Bicubic, as their processors do.
 */
export type FrameFit = 'crop' | 'squash';

/** One RGB24 frame at `timeSec`, sized for a vision model; null when nothing decodes there. */
export async function grabFrame(path: string, timeSec: number, size: number, fit: FrameFit, signal?: AbortSignal): Promise<Uint8Array | null> {
  const scale = fit === 'crop'
    ? `scale=w='if(gt(iw,ih),-1,${size})':h='if(gt(iw,ih),${size},-1)':flags=bicubic,crop=${size}:${size}`
    : `scale=${size}:${size}:flags=bicubic`;
  const args = ['-v', 'error', '-nostdin', '-ss', timeSec.toFixed(3), '-i', path, '-an', '-sn', '-frames:v', '1', '-vf', `${scale},format=rgb24`, '-f', 'rawvideo', 'pipe:1'];
  let frame: Uint8Array | null = null;
  await streamChunks(args, size * size * 3, (rgb) => (frame = rgb), signal);
  return frame;
}

/**
 * Runs ffmpeg writing raw data to stdout and hands it on in chunks of exactly `size` bytes (each a
 * fresh, aligned copy), never holding more than one chunk and a read's worth. A callback that
 * throws stops ffmpeg and rejects with its error. Resolves with the count, the bytes left over
 * (less than a chunk), the exit code and the end of stderr.
 */
function streamChunks(args: string[], size: number, onChunk: (chunk: Uint8Array, index: number) => void, signal?: AbortSignal): Promise<{ count: number; rest: Buffer; code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(ffmpegPath(), args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    // Each pipe read is copied once, straight into the chunk it belongs to (a frame spans several
    // 64 KB reads); every chunk is its own buffer at offset 0, so callers may view it as any type.
    let chunk = new Uint8Array(size);
    let filled = 0;
    let count = 0;
    let err = '';
    let failed: unknown = null;
    p.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    p.stdout.on('data', (d: Buffer) => {
      for (let off = 0; off < d.length && !failed;) {
        const n = Math.min(size - filled, d.length - off);
        chunk.set(d.subarray(off, off + n), filled);
        filled += n;
        off += n;
        if (filled < size) break;
        try {
          onChunk(chunk, count);
        } catch (e) {
          failed = e;
          p.kill();
        }
        count++;
        chunk = new Uint8Array(size);
        filled = 0;
      }
    });
    p.on('error', (e) => reject((e as Error).name === 'AbortError' ? new InterruptedError() : new ToolError(`could not start ffmpeg: ${e}`)));
    p.on('close', (code) => {
      if (signal?.aborted) return reject(new InterruptedError());
      if (failed) return reject(failed);
      resolve({ count, rest: Buffer.from(chunk.subarray(0, filled)), code, err });
    });
  });
}

/**
 * Streams the first audio track as mono 16-bit PCM at `rate` in blocks of `block` samples (the last
 * one zero-padded), never holding the whole track. Resolves with the number of blocks.
 */
export async function readAudioBlocks(path: string, rate: number, block: number, onBlock: (pcm: Int16Array) => void, signal?: AbortSignal, range?: MediaRange): Promise<number> {
  const args = ['-v', 'error', '-nostdin', ...rangeArgs(range), '-i', path, '-vn', '-sn', '-map', '0:a:0', '-ac', '1', '-ar', String(rate), '-f', 's16le', 'pipe:1'];
  const r = await streamChunks(args, block * 2, (bytes) => onBlock(new Int16Array(bytes.buffer, 0, block)), signal);
  let count = r.count;
  if (r.rest.length) {
    const last = new Uint8Array(block * 2);
    last.set(r.rest.subarray(0, r.rest.length & ~1));
    onBlock(new Int16Array(last.buffer, 0, block));
    count++;
  }
  if (r.code !== 0 && count === 0) throw new MediaError(`${path}: its audio could not be decoded (${lastLines(r.err) || `ffmpeg exit ${r.code}`})`);
  return count;
}

export interface MuxOptions {
  video: string;
  audio: string;
  out: string;
  keepOriginalAudio: boolean;
  hasOriginalAudio: boolean;
  /** Original dialogue level under the music, in dB. */
  originalGainDb: number;
}

/** Copies the picture and lays the soundtrack (optionally over the original audio) as AAC. */
export async function mux(o: MuxOptions, signal?: AbortSignal): Promise<void> {
  const args = ['-v', 'error', '-nostdin', '-y', '-i', o.video, '-i', o.audio];
  if (o.keepOriginalAudio && o.hasOriginalAudio) {
    // amix divides by its input count; the trailing volume undoes that so the music keeps its level.
    args.push('-filter_complex', `[0:a:0]aresample=${SAMPLE_RATE},volume=${o.originalGainDb}dB[d];[1:a][d]amix=inputs=2:duration=first:dropout_transition=0,volume=2[a]`, '-map', '0:v:0', '-map', '[a]');
  } else {
    args.push('-map', '0:v:0', '-map', '1:a:0');
  }
  args.push('-c:v', 'copy', '-c:a', 'aac', '-b:a', '256k', '-ar', String(SAMPLE_RATE), '-movflags', '+faststart', '-f', 'mp4', o.out);
  await run(ffmpegPath(), args, signal);
}

export interface TestScene {
  seconds: number;
  /** A lavfi source expression without size/rate/duration, e.g. "color=c=0x203050" or "testsrc2". */
  source: string;
  /** Filters after the source, e.g. "noise=alls=40:allf=t" or "hue=H=2*PI*t". */
  filter?: string;
  /** Fade from black at the start / to black at the end, seconds (fade transitions with known times). */
  fadeIn?: number;
  fadeOut?: number;
}

export interface TestVideoOptions {
  width: number;
  height: number;
  fps: number;
  /** none, a 220 Hz tone, or a speech-like voice (pitched, formant-shaped, syllable rhythm) in the given [from, to) windows. */
  audio?: 'none' | 'tone' | { speech: [number, number][] };
  /** Size the lavfi sources draw at before scaling to width x height (expensive sources at 1080p). */
  sourceSize?: [number, number];
  /** x264 preset (default ultrafast, which does not deblock; veryfast and slower deblock, as camera and NLE exports do). */
  preset?: string;
}

/** Writes an H.264 test video from lavfi sources with hard cuts and fades at known times (fixtures, demo, bench). */
export async function makeTestVideo(scenes: readonly TestScene[], out: string, o: TestVideoOptions, signal?: AbortSignal): Promise<void> {
  const args = ['-v', 'error', '-nostdin', '-y'];
  const [sw, sh] = o.sourceSize ?? [o.width, o.height];
  scenes.forEach((s) => args.push('-t', String(s.seconds), '-f', 'lavfi', '-i', `${s.source}${s.source.includes('=') ? ':' : '='}s=${sw}x${sh}:r=${o.fps}`));
  const total = scenes.reduce((a, s) => a + s.seconds, 0);
  const audio = o.audio ?? 'none';
  if (audio === 'tone') args.push('-f', 'lavfi', '-i', `sine=f=220:sample_rate=48000:d=${total}`);
  else if (typeof audio === 'object') {
    // A voice-like signal: a 110-150 Hz glottal buzz (harmonics falling off) gated into 4-5 Hz syllables.
    const gate = audio.speech.map(([a, b]) => `between(t,${a},${b})`).join('+') || '0';
    const f0 = '(130+20*sin(2*PI*0.7*t))';
    const buzz = [1, 2, 3, 4, 5, 6].map((h) => `sin(2*PI*${h}*${f0}*t)/${h}`).join('+');
    args.push('-f', 'lavfi', '-i', `aevalsrc='0.25*(${gate})*max(0,sin(2*PI*4.5*t))*(${buzz})':s=48000:d=${total}`);
  }
  const chain = scenes.map((s, i) => {
    const f = [s.filter, sw !== o.width || sh !== o.height ? `scale=${o.width}:${o.height}` : null,
      s.fadeIn ? `fade=t=in:st=0:d=${s.fadeIn}` : null, s.fadeOut ? `fade=t=out:st=${s.seconds - s.fadeOut}:d=${s.fadeOut}` : null,
      'format=yuv420p', 'setsar=1'].filter(Boolean).join(',');
    return `[${i}:v]${f}[v${i}]`;
  }).join(';');
  const concat = `${scenes.map((_, i) => `[v${i}]`).join('')}concat=n=${scenes.length}:v=1:a=0[v]`;
  args.push('-filter_complex', `${chain};${concat}`, '-map', '[v]');
  if (audio !== 'none') args.push('-map', `${scenes.length}:a`, '-c:a', 'aac', '-shortest');
  args.push('-c:v', 'libx264', '-preset', o.preset ?? 'ultrafast', '-pix_fmt', 'yuv420p', '-g', String(o.fps), out);
  await run(ffmpegPath(), args, signal);
}

/** A spectrogram of an audio file as a PNG (log amplitude, time axis and legend), for people to look at. */
export async function spectrogramPng(audio: string, png: string, width = 1200, height = 400): Promise<void> {
  await run(ffmpegPath(), ['-v', 'error', '-nostdin', '-y', '-i', audio, '-lavfi', `showspectrumpic=s=${width}x${height}:legend=1:scale=log`, png]);
}

/**
 * Time-stretches mono float audio by `tempo` (1.04 = 4 % faster, pitch kept) with the Rubber Band
 * library inside ffmpeg: the neural engine's way of bringing generated music onto the plan's tempo.
 */
export function stretchAudio(pcm: Float32Array, sampleRate: number, tempo: number, signal?: AbortSignal): Promise<Float32Array> {
  return new Promise((resolve, reject) => {
    const args = ['-v', 'error', '-f', 'f32le', '-ar', String(sampleRate), '-ac', '1', '-i', 'pipe:0', '-af', `rubberband=tempo=${tempo.toFixed(6)}:transients=crisp`, '-f', 'f32le', 'pipe:1'];
    const p = spawn(ffmpegPath(), args, { stdio: ['pipe', 'pipe', 'pipe'], signal });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    p.stdin.on('error', () => undefined); // ffmpeg may exit before reading it all; its exit code says why
    p.on('error', (e) => reject((e as Error).name === 'AbortError' ? new InterruptedError() : new ToolError(`could not start ffmpeg for a time-stretch (${(e as Error).message})`)));
    p.on('close', (code) => {
      if (signal?.aborted) return reject(new InterruptedError());
      if (code !== 0) return reject(new ToolError(`ffmpeg's rubberband time-stretch exited with ${code}: ${lastLines(err)}`));
      const b = Buffer.concat(out);
      resolve(new Float32Array(b.buffer, b.byteOffset, Math.floor(b.length / 4)).slice());
    });
    p.stdin.end(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  });
}
