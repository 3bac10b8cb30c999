import { existsSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import type { Plan, PlanSettings, ProgressEvent, Stage } from '../../shared/index.ts';
import { analyseScene } from '../core/analysis.ts';
import { detectContentCuts, type ContentWeights } from '../core/frames.ts';
import { sceneSeed } from '../core/layout.ts';
import { planSequence } from '../core/plan.ts';
import { parseCutList, scenesFromCuts } from '../core/scenes.ts';
import { probe } from '../adapters/ffmpeg.ts';
import { InterruptedError } from '../errors.ts';
import { cachedFrames } from './frames.ts';
import { commitOutput, ensureCache, ensureWritable, withStaging } from './output.ts';
import { withProjectLock } from './lock.ts';
import { CACHE_VERSION, realise } from './realise.ts';
import { applyLlm } from './llm.ts';
import { loadPlan } from './edit.ts';
import { speechPerSecond } from './speech.ts';
import { sceneTags, videoFrames } from './vision.ts';

/** `segue score`: video in, scored outputs in a folder. Stages run in order; cues render in parallel. */

export interface ScoreOptions {
  video: string;
  outDir: string;
  cuts: string | null;
  minSceneSec: number;
  engine: string;
  seed: number;
  loudnessLufs: number;
  truePeakDbtp: number;
  handleBars: number;
  soundFont: string;
  keepOriginalAudio: boolean;
  threshold: number;
  /** ContentDetector component weights (hue, saturation, luma, edges). */
  weights: ContentWeights;
  fadeShape: PlanSettings['fadeShape'];
  stems: boolean;
  /** A GGUF instruct model for LLM mode (prompts and transitions), or null for the rules. */
  llm: string | null;
  llmTimeoutSec: number;
  /** A CLIP or SigLIP ONNX folder for scene tags, or null. */
  vision: string | null;
  /** The MusicGen ONNX folder for engine "musicgen", or null. */
  model: string | null;
}

export interface ScoreResult {
  plan: Plan;
  outDir: string;
  files: { plan: string; mix: string; video: string | null; cues: string[] };
}

type Emit = (e: ProgressEvent) => void;

export const ENGINES = ['symbolic', 'musicgen'] as const;

/**
 * The plan already in the output folder, if it is a readable current one: scoring again keeps its
 * take history, so take numbers are never reused and no earlier take file is overwritten.
 */
function earlierPlan(outDir: string): Plan | null {
  if (!existsSync(join(outDir, 'plan.json'))) return null;
  try {
    return loadPlan(outDir);
  } catch {
    return null;
  }
}

export async function score(o: ScoreOptions, emit: Emit, signal: AbortSignal): Promise<ScoreResult> {
  const started = Date.now();
  const stage = (s: Stage, status: 'start' | 'progress' | 'done', fraction: number, message: string, cached?: boolean) =>
    emit({ type: 'stage', stage: s, status, fraction, message, ...(cached === undefined ? {} : { cached }) });
  const check = () => {
    if (signal.aborted) throw new InterruptedError();
  };
  const outDir = resolve(o.outDir);
  // The folder is checked first, so an unwritable --out fails before minutes of analysis; the lock
  // keeps a helper or a second CLI from editing the folder while it is being scored again.
  ensureWritable(outDir);
  ensureCache();
  return withProjectLock(outDir, emit, signal, () => withStaging(outDir, async (staging) => {
    stage('probe', 'start', 0, `reading ${o.video}`);
    const src = await probe(o.video, signal);
    stage('probe', 'done', 1, `${src.width}x${src.height}, ${src.frameRate.toFixed(3)} fps, ${src.durationSec.toFixed(2)} s`);
    const callerCuts = o.cuts === null ? null : parseCutList(o.cuts, src.durationSec);

    stage('scenes', 'start', 0, 'decoding frames');
    const stats = await cachedFrames(src, CACHE_VERSION, { edges: o.weights.edges !== 0, progress: (f) => stage('scenes', 'progress', f, 'decoding frames'), signal, warn: (message) => emit({ type: 'warning', message }) });
    check();
    const decodedSec = stats.series.frames.length / src.frameRate;
    if (decodedSec < src.durationSec - 1) {
      emit({ type: 'warning', message: `could only decode ${decodedSec.toFixed(1)} s of the ${src.durationSec.toFixed(1)} s picture (the file may be damaged there); later scenes are described by the last frame seen` });
    }
    const cuts = callerCuts ?? detectContentCuts(stats.series.frames, { threshold: o.threshold, weights: o.weights, minSceneFrames: 15 });
    const scenes = scenesFromCuts(cuts, { durationSec: src.durationSec, frameRate: src.frameRate, minSceneSec: o.minSceneSec, origin: callerCuts ? 'caller' : 'detected' });
    stage('scenes', 'done', 1, `${scenes.length} scene(s) from ${callerCuts ? 'your cuts' : `${cuts.length} detected cut(s)`}`, stats.cached);

    stage('analysis', 'start', 0, 'describing scenes');
    const speech = await speechPerSecond(src, CACHE_VERSION, signal);
    const tags = o.vision ? await sceneTags(videoFrames(src, signal), scenes, o.vision, emit, signal) : null;
    const analysed = scenes.map((scene, k) => ({ scene, analysis: analyseScene(scene, stats.series, speech, tags?.[k]) }));
    stage('analysis', 'done', 1, analysed.map((a, i) => `${i + 1}: ${a.analysis.caption}`).join(' '));

    const settings: PlanSettings = {
      minSceneSec: o.minSceneSec, engine: o.engine, seed: o.seed, loudnessLufs: o.loudnessLufs,
      truePeakDbtp: o.truePeakDbtp, handleBars: o.handleBars, fadeShape: o.fadeShape, stems: o.stems, llm: o.llm, vision: tags ? o.vision : null, soundFont: o.soundFont,
      model: o.model === null ? null : resolve(o.model),
    };
    stage('prompts', 'start', 0, 'writing music prompts');
    let seq = planSequence(analysed, settings);
    if (o.llm) seq = await applyLlm(seq, settings, { model: o.llm, timeoutMs: o.llmTimeoutSec * 1000, seed: o.seed }, emit, signal);
    stage('prompts', 'done', 1, seq.scenes.map((s) => s.prompt.caption).join(' | '));
    stage('plan', 'done', 1, seq.transitions.map((t) => `cut ${t.cut + 1} @${t.at.toFixed(2)}s: ${t.style}`).join('; ') || 'one scene, no cuts');
    check();

    const videoName = `${basename(o.video, extname(o.video))}.scored.mp4`;
    const done = await realise({
      outDir, staging, source: { ...src, path: resolve(src.path) }, durationSamples: src.durationSamples, settings, anchor: seq.anchor, scenes: seq.scenes, transitions: seq.transitions,
      seeds: seq.scenes.map((_, k) => sceneSeed(o.seed, k)), previous: earlierPlan(outDir), reason: 'score', keepOriginalAudio: o.keepOriginalAudio, mix: true, videoName,
    }, emit, signal);
    const { plan } = done;
    commitOutput(staging, outDir, done.files);
    const cues = plan.cues.map((c) => join(outDir, c.file));
    stage('outputs', 'done', 1, outDir);
    emit({ type: 'result', outDir, plan: join(outDir, 'plan.json'), mix: join(outDir, plan.outputs.mix!), video: join(outDir, videoName), cues, seconds: (Date.now() - started) / 1000 });
    return { plan, outDir, files: { plan: join(outDir, 'plan.json'), mix: join(outDir, plan.outputs.mix!), video: join(outDir, videoName), cues } };
  }));
}
