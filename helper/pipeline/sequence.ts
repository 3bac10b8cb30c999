import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateProject as CreateProjectSchema, MAX_FRAME_SIDE, Plan, PLAN_VERSION, SAMPLE_RATE, toSamples,
  type CreateProject as CreateProjectInput, type PlanSettings, type ProgressEvent, type Scene, type SourceMedia, type Stage,
} from '../../shared/index.ts';
import type { z } from 'zod';
import { analyseScene } from '../core/analysis.ts';
import { DEFAULT_WEIGHTS, detectContentCuts, FrameMeter, type FrameSeries, type FrameStats } from '../core/frames.ts';
import { imageInfo } from '../core/image.ts';
import { planSequence } from '../core/plan.ts';
import { scenesFromCuts } from '../core/scenes.ts';
import { covered, sequenceCuts, spansWithin, visibleSpans } from '../core/sequence.ts';
import { analysisSize, grabFrame, probe, readFrames, readImage } from '../adapters/ffmpeg.ts';
import { InterruptedError, MediaError } from '../errors.ts';
import { VERSION } from '../version.ts';
import { cachedFrames } from './frames.ts';
import { CACHE_VERSION } from './realise.ts';
import { speechPerSecond, speechTimeline, type SoundSource } from './speech.ts';
import { sceneTags, videoFrames, type SceneFrames } from './vision.ts';

/**
 * A sequence described by the panel into an analysed project: scenes from its cuts, analysis from
 * whatever it sent (stills for colour and light; the visible stretch of each clip's media for
 * motion, colour and dialogue; a sound mixdown for dialogue; a vision model on the stills), and the
 * plan's decisions, written as plan.json with no cues yet. Scoring it is an ordinary realise().
 */

type Request = z.output<typeof CreateProjectSchema>;
/** What the helper keeps of a sequence (sequence.json): the request, with each still stored as a file in the project folder. */
export type StoredSequence = Omit<Request, 'frames'> & { frames: StoredFrame[] };
export interface StoredFrame {
  time: number;
  /** Relative to the project folder. */
  file: string;
  width: number;
  height: number;
}
type Emit = (e: ProgressEvent) => void;
/** A stored still with its absolute path. */
export type Still = StoredFrame & { path: string };

/** The stored stills inside the sequence, with absolute paths. */
export const stillsOf = (req: StoredSequence, dir: string): Still[] => req.frames.filter((s) => s.time < req.durationSec).map((s) => ({ ...s, path: join(dir, s.file) }));

export interface AnalyseOptions {
  /** A CLIP/SigLIP folder the helper was started with, or null. */
  vision: string | null;
}

/** Writes each uploaded still into frames/ and returns their paths in timeline order; refuses anything not a sane PNG/JPEG. */
export function storeFrames(req: Pick<CreateProjectInput, 'frames'>, dir: string, prefix = ''): StoredFrame[] {
  mkdirSync(join(dir, 'frames'), { recursive: true });
  return (req.frames ?? [])
    .map((f, i) => ({ f, i }))
    .sort((a, b) => a.f.time - b.f.time)
    .map(({ f, i }) => {
      const bytes = Buffer.from(f.image, 'base64');
      const info = imageInfo(bytes);
      if (!info) throw new MediaError(`frames[${i}].image is not a PNG or JPEG file (base64 of the file's bytes expected); export the frame again`);
      if (info.width < 1 || info.height < 1 || info.width > MAX_FRAME_SIDE || info.height > MAX_FRAME_SIDE) {
        throw new MediaError(`frames[${i}].image is ${info.width}x${info.height} px; stills must be 1 to ${MAX_FRAME_SIDE} px a side (small stills are enough, e.g. 320 px wide)`);
      }
      const file = `frames/${prefix}${String(i).padStart(4, '0')}.${info.type === 'png' ? 'png' : 'jpg'}`;
      writeFileSync(join(dir, file), bytes);
      return { time: f.time, file, width: info.width, height: info.height };
    });
}

export async function analyseSequence(req: StoredSequence, dir: string, o: AnalyseOptions, emit: Emit, signal: AbortSignal): Promise<Plan> {
  const stage = (s: Stage, status: 'start' | 'progress' | 'done', fraction: number, message: string) => emit({ type: 'stage', stage: s, status, fraction, message });
  const check = () => {
    if (signal.aborted) throw new InterruptedError();
  };
  const stills = stillsOf(req, dir);
  let source: SourceMedia | null = null;
  let durationSec = req.durationSec;
  let series: FrameSeries;
  let speech: number[] | null;
  let cuts: number[];
  let frameRate = req.frameRate;

  if (!Array.isArray(req.cuts)) {
    // Content detection on a rendered video of the sequence: the CLI's path.
    stage('probe', 'start', 0, `reading ${req.cuts.detect.video}`);
    source = await probe(req.cuts.detect.video, signal);
    durationSec = source.durationSec;
    frameRate = source.frameRate;
    stage('scenes', 'start', 0, 'decoding frames');
    series = (await cachedFrames(source, CACHE_VERSION, { edges: false, progress: (f) => stage('scenes', 'progress', f, 'decoding frames'), signal, warn: (message) => emit({ type: 'warning', message }) })).series;
    cuts = detectContentCuts(series.frames, { threshold: 27, weights: DEFAULT_WEIGHTS, minSceneFrames: 15 });
    speech = await speechPerSecond(source, CACHE_VERSION, signal);
  } else {
    cuts = req.cuts;
    stage('scenes', 'start', 0, 'reading the clips');
    const measured = await measureSequence(req, stills, signal, (f, m) => stage('scenes', 'progress', f, m));
    series = measured.series;
    speech = measured.speech;
  }
  check();
  const { cuts: all, forced } = sequenceCuts(cuts, req.forcedCuts, durationSec);
  const scenes = scenesFromCuts(all, { durationSec, frameRate, minSceneSec: req.minSceneSec, origin: Array.isArray(req.cuts) ? 'caller' : 'detected', forced });
  stage('scenes', 'done', 1, `${scenes.length} scene(s) from ${all.length} cut(s)`);

  stage('analysis', 'start', 0, 'describing scenes');
  const framesOf: SceneFrames | null = source ? videoFrames(source, signal) : stills.length ? stillFrames(stills, signal) : null;
  const tags = o.vision && framesOf ? await sceneTags(framesOf, scenes, o.vision, emit, signal) : null;
  const analysed = scenes.map((scene, k) => ({ scene, analysis: analyseScene(scene, series, speech, tags?.[k]) }));
  stage('analysis', 'done', 1, analysed.map((a, i) => `${i + 1}: ${a.analysis.caption}`).join(' '));
  check();

  const s = req.settings;
  const settings: PlanSettings = {
    minSceneSec: req.minSceneSec, engine: s.engine, seed: s.seed, loudnessLufs: s.loudnessLufs, truePeakDbtp: -1, handleBars: s.handleBars,
    fadeShape: s.fadeShape, stems: s.stems, llm: null, vision: tags ? o.vision : null, soundFont: s.soundFont, model: null,
  };
  stage('prompts', 'start', 0, 'writing music prompts');
  const seq = planSequence(analysed, settings);
  stage('plan', 'done', 1, seq.transitions.map((t) => `cut ${t.cut + 1} @${t.at.toFixed(2)}s: ${t.style}`).join('; ') || 'one scene, no cuts');
  return Plan.parse({
    schema: 'segue.plan', version: PLAN_VERSION, generator: { name: 'segue', version: VERSION }, sampleRate: SAMPLE_RATE,
    source, durationSamples: source?.durationSamples ?? toSamples(durationSec), settings, anchor: seq.anchor,
    scenes: seq.scenes, transitions: seq.transitions, cues: [], takes: [],
    outputs: { mix: null, video: null, keepOriginalAudio: false },
  });
}

/**
 * Frame measurements over the timeline: the visible stretch of each clip's media decoded (motion,
 * light, colour), and the stills wherever no media was readable (light and colour; a still says
 * nothing about motion). Dialogue from the mixdown, else from the visible clips' own sound.
 */
export async function measureSequence(
  req: StoredSequence, stills: Still[], signal: AbortSignal, progress: (f: number, m: string) => void,
  ranges: readonly { start: number; end: number }[] = [{ start: 0, end: req.durationSec }],
): Promise<{ series: FrameSeries; speech: number[] | null }> {
  const meter = new FrameMeter({ edges: false });
  const frames: FrameStats[] = [];
  const spans = spansWithin(visibleSpans(req.clips, req.durationSec), ranges);
  const read: typeof spans = [];
  const sounds: SoundSource[] = [];
  for (const [i, span] of spans.entries()) {
    progress(i / Math.max(1, spans.length), `clip ${i + 1} of ${spans.length}`);
    let media: SourceMedia;
    try {
      media = await probe(span.path, signal);
    } catch (e) {
      if (e instanceof InterruptedError) throw e;
      continue; // a missing or unreadable clip: the stills describe that stretch
    }
    const range = { startSec: span.timelineIn + span.offset, durationSec: span.timelineOut - span.timelineIn };
    meter.forget();
    try {
      await readFrames(media, (f) => frames.push(meter.measure({ ...f, time: span.timelineIn + f.time })), signal, range);
    } catch (e) {
      if (e instanceof InterruptedError) throw e;
      continue; // nothing decodes in that range: the stills describe it
    }
    read.push(span);
    if (media.hasAudio) sounds.push({ path: span.path, range, timelineIn: span.timelineIn });
  }
  for (const s of stills) {
    if (covered(read, s.time) || !ranges.some((r) => r.start <= s.time && s.time < r.end)) continue;
    const size = analysisSize(s.width, s.height);
    meter.forget();
    frames.push(meter.measure({ index: 0, time: s.time, ...size, rgb: await readImage(s.path, size.width, size.height, signal) }));
  }
  frames.sort((a, b) => a.time - b.time);
  if (!frames.length) {
    throw new MediaError('nothing to describe the picture with: send stills (frames) or clips whose media files exist; the panel exports them from the sequence');
  }
  const seconds = Math.ceil(req.durationSec);
  const speech = req.audioMixdown
    ? await speechTimeline([{ path: req.audioMixdown, timelineIn: 0 }], seconds, CACHE_VERSION, signal).catch((e) => {
        if (e instanceof InterruptedError) throw e;
        throw new MediaError(`audioMixdown ${req.audioMixdown}: ${(e as Error).message}; export the sequence's sound again or leave it out`);
      })
    : sounds.length
      ? await speechTimeline(sounds, seconds, CACHE_VERSION, signal)
      : null;
  return { series: { frames, colourSeconds: meter.colourSeconds() }, speech };
}

/** The stills that fall in a scene (or the nearest one), fitted for a vision model. */
export function stillFrames(stills: { time: number; path: string }[], signal: AbortSignal): SceneFrames {
  return async (scene: Scene, size, fit) => {
    const inside = stills.filter((s) => s.time >= scene.start && s.time < scene.end);
    const mid = (scene.start + scene.end) / 2;
    const pick = inside.length ? inside.slice(0, 3) : [stills.reduce((a, b) => (Math.abs(b.time - mid) < Math.abs(a.time - mid) ? b : a))];
    const out: Uint8Array[] = [];
    for (const s of pick) {
      const f = await grabFrame(s.path, 0, size, fit, signal);
      if (f) out.push(f);
    }
    return out;
  };
}
