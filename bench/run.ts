import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Plan, SAMPLE_RATE } from '../shared/index.ts';
import { ffmpegPath } from '../helper/adapters/ffmpeg.ts';
import { loadSoundFont, renderComposition, resolveSoundFont } from '../helper/adapters/synth.ts';
import { decisionsOf } from '../helper/core/edit.ts';
import { layoutCues } from '../helper/core/layout.ts';
import { cacheRoot } from '../helper/pipeline/cache.ts';
import { composeJob } from '../helper/pipeline/render-cue.ts';
import { runSegue } from './measure/process.ts';
import { writeReport } from './report.ts';
import { benchSet, ensureVideo, type BenchCut, type BenchVideo } from './set.ts';
import { benchVideo, type VideoResult } from './video.ts';
import { compareWithReference, findPythonWithCv2, type ReferenceComparison } from './reference/compare.ts';
import { measureAnalysisMemory } from './measure/analysis-memory.ts';
import { measureLongMemory } from './measure/long-memory.ts';
import { measureNeural } from './measure/neural.ts';
import { RenderPool } from '../helper/pipeline/pool.ts';
import { helperRunCache, measureHelperRuns } from './measure/helper.ts';

/**
 * `npm run bench`: scores the generated set (and any real footage in bench/real/) with the real
 * CLI, measures everything in issue 6, and writes report.json, report.md and SVG charts to
 * bench/out/<stamp>/, and the summary with a history row to bench/RESULTS.md.
 * `--smoke`: one short video, nothing written to RESULTS.md (run by npm test so the bench cannot rot).
 */

const args = parseArgs({ options: { smoke: { type: 'boolean' }, videos: { type: 'string' }, out: { type: 'string' }, real: { type: 'string' } } }).values;
const smoke = args.smoke ?? false;
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const outDir = resolve(args.out ?? join('bench', 'out', stamp));
const work = join(outDir, 'work');
const runCache = join(outDir, 'cache'); // a fresh cache: every figure is a cold run
mkdirSync(work, { recursive: true });
const setDir = join(cacheRoot(), 'bench-set');
const log = (s: string) => process.stderr.write(`${s}\n`);

const SMOKE: BenchVideo = {
  name: 'smoke', width: 320, height: 180, fps: 30, duration: 24, speech: [],
  scenes: [{ look: 'night', seconds: 12, mood: 'dark, cool, still' }, { look: 'pattern', seconds: 12, mood: 'saturated, moving' }],
  cuts: [{ at: 12, kind: 'hard' }],
};

const videos = smoke ? [SMOKE] : benchSet().slice(0, args.videos ? Number(args.videos) : undefined);
const started = performance.now();
const results: VideoResult[] = [];
const paths: string[] = [];
let generationSec = 0;
for (const v of videos) {
  const g = performance.now();
  const path = await ensureVideo(v, smoke ? join(outDir, 'set') : setDir);
  generationSec += (performance.now() - g) / 1000;
  log(`${v.name}: ${v.width}x${v.height} ${v.duration} s, ${v.scenes.length} scenes`);
  const { result } = await benchVideo(path, v, work, runCache);
  // Decode-only, after the score so neither slows the other: frame analysis is judged against it.
  const d = performance.now();
  execFileSync(ffmpegPath(), ['-v', 'error', '-nostdin', '-i', path, '-an', '-sn', '-f', 'null', '-'], { stdio: 'ignore' });
  result.decodeOnlySec = (performance.now() - d) / 1000;
  results.push(result);
  paths.push(path);
  log(`  ${result.run.wallSec.toFixed(1)} s (x${result.run.realTimeFactor.toFixed(2)} real time), F1 ${result.detection.withoutMinScene.f1.toFixed(2)}`);
}

// Real footage: any video in bench/real/ with a NAME.cuts file (one cut time in seconds per line).
const realDir = resolve(args.real ?? join('bench', 'real'));
if (!smoke && existsSync(realDir)) {
  for (const f of readdirSync(realDir).filter((x) => /\.(mp4|mov|mkv|webm)$/i.test(x))) {
    const cutsFile = join(realDir, f.replace(/\.[^.]+$/, '.cuts'));
    const cuts: BenchCut[] = existsSync(cutsFile) ? readFileSync(cutsFile, 'utf8').split(/\s+/).filter(Boolean).map((x) => ({ at: Number(x), kind: 'hard' })) : [];
    log(`real: ${f}`);
    const { result } = await benchVideo(join(realDir, f), { name: `real-${basename(f)}`, cuts, fps: 30, width: 0, height: 0, duration: 0 }, work, runCache);
    results.push(result);
  }
}

// Iteration: regenerate one scene and swap one transition on the first video's folder.
const first = results[0]!;
const folder = join(work, first.name);
const regen = await runSegue(['regenerate', folder, '--scene', String(Math.min(2, first.cues.length))], { SEGUE_CACHE_DIR: runCache });
const firstPlan = Plan.parse(JSON.parse(readFileSync(join(folder, 'plan.json'), 'utf8')));
const swapTo = firstPlan.transitions[0]?.style === 'fade' ? 'abrupt-cut' : 'fade';
const swap = firstPlan.transitions.length ? await runSegue(['transition', folder, '--cut', '1', '--style', swapTo], { SEGUE_CACHE_DIR: runCache }) : null;
const iteration = {
  regenerateSec: regen.wallSec, regenerateCode: regen.code, regenerateStages: regen.stages,
  swapSec: swap?.wallSec ?? null, swapTo, swapCode: swap?.code ?? null, swapStages: swap?.stages ?? null,
  fullScoreSec: first.run.wallSec,
};

// The helper through its HTTP API, as the panel drives it (cold cache of its own).
log('helper: the demo sequence through segue serve');
const helperRuns = smoke ? 1 : 3;
const helperCache = join(outDir, 'helper-cache');
const helper = await measureHelperRuns(work, helperCache, helperRuns);
log(`  score ${helper.scoreSec.toFixed(2)} s, regenerate ${helper.regenerateSec.toFixed(2)} s, swap ${helper.swapSec.toFixed(2)} s, RSS idle ${helper.idleRssMb} MB peak ${helper.peakRssMb} MB`);

// Rendering against Debian's fluidsynth: the same MIDI, the same SoundFont, in this run.
const fluid = spawnSync('fluidsynth', ['--version'], { encoding: 'utf8' });
let fluidsynth: { version: string; cueId: string; oursSec: number; fluidSec: number; allCuesFluidSec: number; allCuesOursParallelSec: number } | null = null;
if (fluid.status === 0) {
  const sf = resolveSoundFont(firstPlan.settings.soundFont);
  const d = decisionsOf(firstPlan);
  const layouts = layoutCues(d.scenes, d.transitions, firstPlan.settings, d.seeds);
  loadSoundFont(firstPlan.settings.soundFont);
  const t0 = performance.now();
  await renderComposition(composeJob(layouts[0]!.job), { sampleRate: SAMPLE_RATE, ...layouts[0]!.job.render }, firstPlan.settings.soundFont);
  const oursSec = (performance.now() - t0) / 1000;
  const fluidRender = (mid: string) => {
    const t = performance.now();
    execFileSync('fluidsynth', ['-ni', '-q', '-g', '0.5', '-r', String(SAMPLE_RATE), '-o', 'synth.cpu-cores=1', '-F', join(work, 'fluid.wav'), sf, mid], { stdio: 'ignore' });
    return (performance.now() - t) / 1000;
  };
  const mids = firstPlan.cues.map((c) => join(folder, c.midiFile!));
  const fluidSec = fluidRender(mids[0]!);
  const allCuesFluidSec = mids.reduce((a, m) => a + fluidRender(m), 0);
  fluidsynth = { version: fluid.stdout.split('\n')[0]!.trim(), cueId: firstPlan.cues[0]!.id, oursSec, fluidSec, allCuesFluidSec, allCuesOursParallelSec: first.run.stages.audio ?? NaN };
}

// Cut detection against PySceneDetect's ContentDetector pipeline on OpenCV (bench/reference/), when
// a Python with cv2 is installed (Debian: python3-opencv).
// Its time is reported on its own, not in the whole-set time (it checks Segue, it is not Segue's work).
const python = findPythonWithCv2();
const referenceStart = performance.now();
const reference: { python: string; seconds: number; videos: (ReferenceComparison & { name: string })[] } | null = python ? { python, seconds: 0, videos: [] } : null;
for (const [i, path] of paths.entries()) {
  if (!reference || !python) break;
  reference.videos.push({ name: results[i]!.name, ...(await compareWithReference(path, python)) });
  const c = reference.videos.at(-1)!;
  log(`reference ${c.name}: ${c.matchedWithinOneFrame} of ${Math.max(c.cutsOurs.length, c.cutsRef.length)} cuts within one frame`);
}
if (reference) reference.seconds = (performance.now() - referenceStart) / 1000;

// Analysis memory against video length: the first video looped to four times its length.
const analysisMemory = smoke ? null : measureAnalysisMemory(paths[0]!, work);
// A whole score's memory against length, up to two hours (SEGUE_BENCH_LONG_MINUTES to change it).
const longMinutes = Number(process.env.SEGUE_BENCH_LONG_MINUTES) || 120;
const longMemory = smoke ? null : await measureLongMemory(join(work, 'long'), [4, longMinutes], RenderPool.defaultSize());
if (longMemory) log(`long videos: peak ${longMemory.peakMb.join(' / ')} MB for ${longMemory.minutes.join(' / ')} min`);
// The neural engine's path around the model, on the tiny MusicGen (runs in --smoke too, so it cannot rot).
const neural = await measureNeural(paths[0]!, videos[0]!.cuts.filter((c) => c.kind === 'hard').map((c) => c.at), work);
log(`neural engine (tiny model): ${neural.overheadPerCueSec.toFixed(2)} s per cue around the model (${neural.modelSec.toFixed(2)} s in the model for ${neural.cues} cues)`);

const ffmpegVersion = execFileSync(ffmpegPath(), ['-version'], { encoding: 'utf8' }).split('\n')[0]!.split(' Copyright')[0]!.replace(/ https?:\S+/, '');
const report = {
  schema: 'segue.bench', version: 1, segue: (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version, startedAt: new Date().toISOString(), smoke, seed: 1,
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memGb: Math.round(totalmem() / 2 ** 30), node: process.version, ffmpeg: ffmpegVersion },
  // The reference and the long-video memory runs are timed apart: they check Segue, they are not the
  // set's work; nor is making the set's videos on a machine that has none cached (reported beside it).
  totalSec: (performance.now() - started) / 1000 - (reference?.seconds ?? 0) - (longMemory?.wallSec.reduce((a, b) => a + b, 0) ?? 0) - generationSec, generationSec, videos: results, iteration, helper, fluidsynth, reference, analysisMemory, longMemory, neural,
};
writeFileSync(join(outDir, 'report.json'), JSON.stringify(report, null, 2));
const summary = writeReport(report, outDir, smoke ? null : resolve('bench', 'RESULTS.md'));
if (!smoke) for (const d of [runCache, ...Array.from({ length: helperRuns }, (_, i) => helperRunCache(helperCache, i + 1))]) rmSync(d, { recursive: true, force: true });
log(summary);
log(`report: ${join(outDir, 'report.md')}`);

export type BenchReport = typeof report;
