import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Plan, SAMPLE_RATE, type Transition } from '../shared/index.ts';
import { decisionsOf } from '../helper/core/edit.ts';
import { layoutCues } from '../helper/core/layout.ts';
import { decodeWav } from '../helper/core/wav.ts';
import { realise } from '../helper/pipeline/realise.ts';
import { composeJob } from '../helper/pipeline/render-cue.ts';
import { endingStart } from '../helper/core/compose/composer.ts';
import { commitOutput, withStaging } from '../helper/pipeline/output.ts';
import { beatErrorAt, chroma, compareKey, estimateKey, estimatePulse, fluxSpike, type KeyVerdict } from './measure/audio.ts';
import { ebur128, loudnessJump } from './measure/loudness.ts';
import { emptyBeatShare, musicStats, writtenPitchClasses, type MusicStats } from './measure/music.ts';
import { runSegue, type CliRun } from './measure/process.ts';
import type { BenchCut } from './set.ts';

/** Scores one video with the real CLI, renders the paper's baseline beside it, and measures both. */

export interface Detection {
  precision: number;
  recall: number;
  f1: number;
  detected: number[];
}

export interface CutMeasure {
  cut: number;
  at: number;
  style: Transition['style'];
  segue: { beatErrorSec: number; pulseClarity?: number; beatErrorOutSec: number; loudnessJumpLu: number; loudnessJump3sLu?: number; fluxSpike: number };
  baseline: { beatErrorSec: number; loudnessJumpLu: number; loudnessJump3sLu?: number; fluxSpike: number };
}

export interface CueMeasure {
  id: string;
  style: string;
  plannedKey: string;
  /** Heard: the chromagram of the cue's audio against key profiles with harmonics. */
  keyVerdict: KeyVerdict;
  /** The same chromagram against the plain profiles (the estimator before 2026-12-02, beside the new one for one run). */
  keyVerdictPlain?: KeyVerdict;
  /** Written: the plain profiles on the composition's pitch-class durations. */
  keyVerdictNotes?: KeyVerdict;
  plannedBpm: number;
  estimatedBpm: number;
  tempoRatio: number;
  /** Integrated loudness between the cue's fades (its sustained level); the fades are transitions, measured at the cuts. */
  I: number;
  /** The same over the whole body, fades included (the cue-loudness figure before 2026-12-02). */
  IWithFades: number;
  LRA: number;
  TP: number;
}

export interface VideoResult {
  name: string;
  width: number;
  height: number;
  fps: number;
  durationSec: number;
  run: { wallSec: number; realTimeFactor: number; framesRealTimeFactor: number; peakRssMb: number | null; stages: Record<string, number> };
  /** ffmpeg decoding the same file's picture to nothing, default decoder options: what frame analysis is compared with. */
  decodeOnlySec?: number;
  detection: { withMinScene: Detection; withoutMinScene: Detection; truth: number[] };
  cuts: CutMeasure[];
  cues: CueMeasure[];
  mix: { I: number; LRA: number; TP: number };
  /** Per scene cue, with the cue's style. */
  music: (MusicStats & { style?: string; emptyBeatRateWritten?: number })[];
  composeMs: number[];
  baselineSec: number;
}

/** Precision/recall of detected cuts, each truth cut matched at most once within its tolerance. */
export function matchCuts(truth: readonly BenchCut[], detected: readonly number[], fps: number): Detection {
  const used = new Set<number>();
  let hits = 0;
  for (const t of truth) {
    const tol = (t.kind === 'fade' ? 0.6 : 0) + 1.5 / fps;
    const i = detected.findIndex((d, j) => !used.has(j) && Math.abs(d - t.at) <= tol);
    if (i >= 0) (used.add(i), hits++);
  }
  const precision = detected.length ? hits / detected.length : truth.length ? 0 : 1;
  const recall = truth.length ? hits / truth.length : 1;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, detected: [...detected] };
}

export async function benchVideo(video: string, truth: { cuts: BenchCut[]; fps: number; width: number; height: number; name: string; duration: number }, work: string, cacheDir: string): Promise<{ result: VideoResult; outDir: string; run: CliRun }> {
  const outDir = join(work, truth.name);
  const run = await runSegue(['score', video, '--out', outDir, '--seed', '1'], { SEGUE_CACHE_DIR: cacheDir });
  if (run.code !== 0) throw new Error(`segue score ${video} failed (${run.code}): ${run.stderr.slice(-500)}`);
  const plan = Plan.parse(JSON.parse(readFileSync(join(outDir, 'plan.json'), 'utf8')));
  const sceneCuts = plan.scenes.slice(1).map((s) => s.scene.start);
  const rawCuts = [...sceneCuts, ...plan.scenes.flatMap((s) => s.scene.mergedCuts)].sort((a, b) => a - b);

  // The paper's baseline: the same scenes and prompts, every cue alone, joined by abrupt cuts.
  const d = decisionsOf(plan);
  const baseDir = join(work, `${truth.name}-baseline`);
  const t0 = performance.now();
  await withStaging(baseDir, async (staging) => {
    const done = await realise({
      outDir: baseDir, staging, source: plan.source!, durationSamples: plan.durationSamples, settings: plan.settings, anchor: plan.anchor, scenes: d.scenes, seeds: d.seeds,
      transitions: d.transitions.map((t) => ({ ...t, style: 'abrupt-cut', fade: null, bridge: null, gapBeats: 0 })),
      previous: null, reason: 'score', keepOriginalAudio: false, mix: true, videoName: null,
    }, () => undefined, new AbortController().signal);
    commitOutput(staging, baseDir, done.files);
  });
  const baselineSec = (performance.now() - t0) / 1000;

  const mix = decodeWav(readFileSync(join(outDir, 'soundtrack.wav'))).channels;
  const base = decodeWav(readFileSync(join(baseDir, 'soundtrack.wav'))).channels;
  const mono = (ch: Float32Array[]) => ch[0]!.map((x, i) => 0.5 * (x + ch[1]![i]!));
  const mMix = mono(mix);
  const mBase = mono(base);
  const W = 8 * SAMPLE_RATE;
  const cuts: CutMeasure[] = plan.transitions.map((t) => {
    const at = t.atSample;
    const next = plan.scenes[t.cut + 1]!.scene.endSample;
    const prev = plan.scenes[t.cut]!.scene.startSample;
    const inEnd = Math.min(next, at + W);
    const outStart = Math.max(prev, at - W);
    return {
      cut: t.cut + 1, at: t.at, style: t.style,
      segue: {
        ...((b) => ({ beatErrorSec: b.errorSec, pulseClarity: b.clarity }))(beatErrorAt(mMix, at, at, inEnd)),
        beatErrorOutSec: beatErrorAt(mMix, at, outStart, at).errorSec,
        loudnessJumpLu: loudnessJump(mix, at),
        loudnessJump3sLu: loudnessJump(mix, at, 3),
        fluxSpike: fluxSpike(mMix, at),
      },
      baseline: { beatErrorSec: beatErrorAt(mBase, at, at, inEnd).errorSec, loudnessJumpLu: loudnessJump(base, at), loudnessJump3sLu: loudnessJump(base, at, 3), fluxSpike: fluxSpike(mBase, at) },
    };
  });

  // The jobs the render used: their compositions are the written notes (each timed: composition time per scene).
  const jobs = layoutCues(d.scenes, d.transitions, plan.settings, d.seeds, d.bridgeSeeds).filter((l) => l.kind === 'scene');
  const composeMs: number[] = [];
  const compositions = new Map(jobs.map((j) => {
    const t = performance.now();
    const comp = composeJob(j.job);
    composeMs.push(performance.now() - t);
    return [j.id, comp];
  }));
  const cues: CueMeasure[] = [];
  for (const cue of plan.cues.filter((c) => c.kind === 'scene')) {
    const file = join(outDir, cue.file);
    const x = mono(decodeWav(readFileSync(file)).channels);
    const from = cue.handles.head;
    const to = cue.fileSamples - cue.handles.tail;
    const heard = chroma(x, from, to);
    const written = compositions.get(cue.id);
    const bpm = estimatePulse(x, from, to).bpm;
    const l = await ebur128(file, from / SAMPLE_RATE, to / SAMPLE_RATE);
    // A crossfade's half inside the body is heard fading away; counted in the cue's loudness it
    // lowers the figure by the fade's length (a 2.6 s fade on a 20 s cue: 0.3 LU), not by how the
    // cue was mastered. Cues too short to leave 3 s between their fades are measured whole.
    const [inFrom, inTo] = [from + (cue.fadeIn?.samples ?? 0), to - (cue.fadeOut?.samples ?? 0)];
    const sustained = inTo - inFrom >= 3 * SAMPLE_RATE ? (await ebur128(file, inFrom / SAMPLE_RATE, inTo / SAMPLE_RATE)).I : l.I;
    const prompt = plan.scenes[cue.scene!]!.prompt;
    cues.push({
      id: cue.id, style: prompt.style, plannedKey: `${cue.key.tonic} ${cue.key.mode}`, keyVerdict: compareKey(cue.key, estimateKey(heard, true)),
      keyVerdictPlain: compareKey(cue.key, estimateKey(heard)), ...(written ? { keyVerdictNotes: compareKey(cue.key, estimateKey(writtenPitchClasses(written))) } : {}),
      plannedBpm: cue.grid.bpm, estimatedBpm: bpm, tempoRatio: bpm / cue.grid.bpm, ...l, I: sustained, IWithFades: l.I,
    });
  }

  // Note statistics, from the same compositions.
  const music: (MusicStats & { style: string; emptyBeatRateWritten: number })[] = [];
  for (const j of jobs) {
    const comp = compositions.get(j.id)!;
    // The designed endings (a resolving cue's held final bar, a silent gap's released beats) are
    // empty by intent and weigh heavily in a short cue: the writing's own rate leaves them out.
    const spec = j.job.composition.kind === 'scene' ? j.job.composition.spec : null;
    music.push({ ...musicStats(comp, j.grid.bpm), emptyBeatRateWritten: emptyBeatShare(comp, spec ? endingStart(spec) : comp.bodyBeats), style: spec ? spec.style : 'bridge' });
  }
  const frames = run.stages.scenes ?? NaN;
  return {
    result: {
      name: truth.name, width: truth.width, height: truth.height, fps: truth.fps, durationSec: plan.source!.durationSec,
      run: { wallSec: run.wallSec, realTimeFactor: plan.source!.durationSec / run.wallSec, framesRealTimeFactor: plan.source!.durationSec / frames, peakRssMb: run.peakRssMb, stages: run.stages },
      detection: { withMinScene: matchCuts(truth.cuts, sceneCuts, truth.fps), withoutMinScene: matchCuts(truth.cuts, rawCuts, truth.fps), truth: truth.cuts.map((c) => c.at) },
      cuts, cues, mix: await ebur128(join(outDir, 'soundtrack.wav')), music, composeMs, baselineSec,
    },
    outDir,
    run,
  };
}
