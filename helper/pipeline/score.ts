import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { Plan, PLAN_VERSION, SAMPLE_RATE, type Cue, type PlanSettings, type ProgressEvent, type Stage } from '../../shared/index.ts';
import { analyseScene } from '../core/analysis.ts';
import { detectContentCuts, FrameMeter, type FrameStats } from '../core/frames.ts';
import { limitTruePeak } from '../core/loudness.ts';
import { mixCues } from '../core/mix.ts';
import { planSequence } from '../core/plan.ts';
import { parseCutList, scenesFromCuts } from '../core/scenes.ts';
import { decodeWav, encodeWav24 } from '../core/wav.ts';
import { analysisSize, mux, probe, readFrames } from '../adapters/ffmpeg.ts';
import { resolveSoundFont } from '../adapters/synth.ts';
import { InterruptedError, OutputError } from '../errors.ts';
import { cacheRoot, hashFile, hashJson, readJsonIfExists, writeAtomic } from './cache.ts';
import { RenderPool } from './pool.ts';
import { VERSION } from '../version.ts';

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
}

export interface ScoreResult {
  plan: Plan;
  outDir: string;
  files: { plan: string; mix: string; video: string | null; cues: string[] };
}

type Emit = (e: ProgressEvent) => void;

/** Bump when analysis or rendering changes output, so stale cache entries are never reused. */
const CACHE_VERSION = 2;
export const ENGINES = ['symbolic'] as const;

export async function score(o: ScoreOptions, emit: Emit, signal: AbortSignal): Promise<ScoreResult> {
  const started = Date.now();
  const stage = (s: Stage, status: 'start' | 'progress' | 'done', fraction: number, message: string, cached?: boolean) =>
    emit({ type: 'stage', stage: s, status, fraction, message, ...(cached === undefined ? {} : { cached }) });
  const check = () => {
    if (signal.aborted) throw new InterruptedError();
  };
  const outDir = resolve(o.outDir);
  const staging = prepareOutput(outDir);
  let pool: RenderPool | null = null;
  try {
    stage('probe', 'start', 0, `reading ${o.video}`);
    const src = await probe(o.video, signal);
    stage('probe', 'done', 1, `${src.width}x${src.height}, ${src.frameRate.toFixed(3)} fps, ${src.durationSec.toFixed(2)} s`);
    const callerCuts = o.cuts === null ? null : parseCutList(o.cuts, src.durationSec);

    stage('scenes', 'start', 0, 'decoding frames');
    const stats = await frameStats(src, (f) => stage('scenes', 'progress', f, 'decoding frames'), signal);
    check();
    const cuts = callerCuts ?? detectContentCuts(stats.list, { threshold: o.threshold, minSceneFrames: 15 });
    const scenes = scenesFromCuts(cuts, { durationSec: src.durationSec, frameRate: src.frameRate, minSceneSec: o.minSceneSec, origin: callerCuts ? 'caller' : 'detected' });
    stage('scenes', 'done', 1, `${scenes.length} scene(s) from ${callerCuts ? 'your cuts' : `${cuts.length} detected cut(s)`}`, stats.cached);

    stage('analysis', 'start', 0, 'describing scenes');
    const analysed = scenes.map((scene) => ({ scene, analysis: analyseScene(scene, stats.list) }));
    stage('analysis', 'done', 1, analysed.map((a, i) => `${i + 1}: ${a.analysis.caption}`).join(' '));

    const settings: PlanSettings = {
      minSceneSec: o.minSceneSec, engine: o.engine, seed: o.seed, loudnessLufs: o.loudnessLufs,
      truePeakDbtp: o.truePeakDbtp, handleBars: o.handleBars, soundFont: o.soundFont,
    };
    stage('prompts', 'start', 0, 'writing music prompts');
    const seq = planSequence(analysed, settings);
    stage('prompts', 'done', 1, seq.scenes.map((s) => s.prompt.caption).join(' | '));
    stage('plan', 'done', 1, seq.transitions.map((t) => `cut ${t.cut + 1} @${t.at.toFixed(2)}s: ${t.style}`).join('; ') || 'one scene, no cuts');

    stage('audio', 'start', 0, `rendering ${seq.cues.length} cue(s)`);
    const sfPath = resolveSoundFont(o.soundFont);
    const sfId = existsSync(sfPath) ? await hashFile(sfPath) : sfPath;
    pool = new RenderPool();
    const stopPool = () => void pool?.close();
    signal.addEventListener('abort', stopPool, { once: true });
    let done = 0;
    const cues: Cue[] = await Promise.all(
      seq.cues.map(async (layout) => {
        const { job, ...rest } = layout;
        const hash = hashJson({ v: CACHE_VERSION, engine: VERSION, job: { ...job, soundFont: sfId } });
        const cachePath = join(cacheRoot(), 'cues', `${hash}.wav`);
        const hit = existsSync(cachePath) && existsSync(`${cachePath}.json`);
        const loudness = await pool!.render(job, cachePath);
        const file = `cues/${layout.id}-take-${layout.take}.wav`;
        copyFileSync(cachePath, join(staging, file));
        done++;
        stage('audio', 'progress', done / seq.cues.length, `${layout.id}${hit ? ' (cached)' : ''}`);
        return { ...rest, file, midiFile: null, loudness, hash };
      }),
    );
    await pool.close();
    pool = null;
    stage('audio', 'done', 1, `${cues.length} cue(s) at ${o.loudnessLufs} LUFS`);

    stage('mix', 'start', 0, 'mixing the soundtrack');
    const decoded = cues.map((cue) => ({ cue, pcm: decodeWav(readFileSync(join(staging, cue.file))).channels }));
    const mix = mixCues(decoded, src.durationSamples);
    limitTruePeak(mix, o.truePeakDbtp - 0.2);
    const mixName = 'soundtrack.wav';
    writeFileSync(join(staging, mixName), encodeWav24(mix, SAMPLE_RATE));
    stage('mix', 'done', 1, mixName);
    check();

    stage('outputs', 'start', 0, 'muxing the video');
    const videoName = `${basename(o.video, extname(o.video))}.scored.mp4`;
    await mux({ video: src.path, audio: join(staging, mixName), out: join(staging, videoName), keepOriginalAudio: o.keepOriginalAudio, hasOriginalAudio: src.hasAudio, originalGainDb: -3 }, signal);
    const plan = Plan.parse({
      schema: 'segue.plan', version: PLAN_VERSION, generator: { name: 'segue', version: VERSION }, sampleRate: SAMPLE_RATE,
      source: { ...src, path: resolve(src.path) }, durationSamples: src.durationSamples, settings, anchor: seq.anchor,
      scenes: seq.scenes, transitions: seq.transitions, cues,
      takes: cues.map((c) => ({ cue: c.id, take: c.take, file: c.file, seed: c.seed, hash: c.hash, createdAt: new Date().toISOString() })),
      outputs: { mix: mixName, video: videoName },
    });
    writeFileSync(join(staging, 'plan.json'), JSON.stringify(plan, null, 2) + '\n');
    check();
    const files = [...cues.map((c) => c.file), mixName, videoName, 'plan.json'];
    commitOutput(staging, outDir, files);
    stage('outputs', 'done', 1, outDir);
    emit({ type: 'result', outDir, plan: join(outDir, 'plan.json'), mix: join(outDir, mixName), video: join(outDir, videoName), cues: cues.map((c) => join(outDir, c.file)), seconds: (Date.now() - started) / 1000 });
    return { plan, outDir, files: { plan: join(outDir, 'plan.json'), mix: join(outDir, mixName), video: join(outDir, videoName), cues: cues.map((c) => join(outDir, c.file)) } };
  } finally {
    if (pool) await pool.close();
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Frame stats for the whole video, cached by the file's content hash and the analysis size. */
async function frameStats(src: Awaited<ReturnType<typeof probe>>, progress: (f: number) => void, signal: AbortSignal): Promise<{ list: FrameStats[]; cached: boolean }> {
  const size = analysisSize(src.width, src.height);
  const key = hashJson({ v: CACHE_VERSION, file: await hashFile(src.path), size, fps: src.frameRate });
  const path = join(cacheRoot(), 'frames', `${key}.json`);
  type Stored = Omit<FrameStats, 'colours'> & { colours: number[] };
  const hit = readJsonIfExists<Stored[]>(path);
  if (hit) return { list: hit.map((s) => ({ ...s, colours: Float32Array.from(s.colours) })), cached: true };
  const meter = new FrameMeter();
  const list: FrameStats[] = [];
  let lastReport = 0;
  await readFrames(src, (f) => {
    list.push(meter.measure(f));
    if (f.index - lastReport >= 30) {
      lastReport = f.index;
      progress(Math.min(1, f.index / src.frameCount));
    }
  }, signal);
  writeAtomic(path, JSON.stringify(list.map((s) => ({ ...s, colours: Array.from(s.colours, (x) => Math.round(x * 1e4) / 1e4) }))));
  return { list, cached: false };
}

/** Makes the output folder and a private staging folder inside it; fails early if it cannot be written. */
function prepareOutput(outDir: string): string {
  const staging = join(outDir, `.segue-staging-${process.pid}`);
  try {
    mkdirSync(join(staging, 'cues'), { recursive: true });
    writeFileSync(join(staging, '.probe'), '');
  } catch (e) {
    throw new OutputError(`cannot write to ${outDir} (${(e as NodeJS.ErrnoException).code ?? e}); choose another folder with --out`);
  }
  return staging;
}

/** Moves finished files into place, one rename each, so earlier output is replaced only by complete files. */
function commitOutput(staging: string, outDir: string, files: string[]): void {
  mkdirSync(join(outDir, 'cues'), { recursive: true });
  for (const f of files) renameSync(join(staging, f), join(outDir, f));
}
