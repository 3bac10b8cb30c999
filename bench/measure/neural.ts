import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Plan } from '../../shared/index.ts';
import type { NeuralCodes } from '../../helper/pipeline/render-neural.ts';
import { writeTinyMusicgen } from '../../scripts/tiny-musicgen.ts';
import { runSegue } from './process.ts';

/**
 * Issue 13: the neural engine's own cost beside the model's. The first bench video scored with
 * --engine musicgen on the tiny MusicGen from scripts/ (its model time is near zero, so what is
 * measured is the path around the model: encode calls, resampling, the pulse estimate, the
 * time-stretch, mastering, writing). Each cue records its model and whole seconds beside its codes.
 *
 * With SEGUE_BENCH_MUSICGEN=DIR (a real export such as musicgen-small) the same run measures that
 * model instead, on the provider SEGUE_ONNX_EP names: its real-time factor is the figure a GPU owner
 * reports (README, "Neural engine").
 */

export interface NeuralOverhead {
  /** "tiny" or the folder measured, and the execution provider asked for. */
  model: string;
  provider: string;
  cues: number;
  /** Seconds of cue audio rendered. */
  audioSec: number;
  modelSec: number;
  wholeSec: number;
  /** Whole-path seconds per cue beyond the model's own. */
  overheadPerCueSec: number;
  /** Overhead as a real-time factor: seconds of cue audio per second of overhead. */
  overheadRtf: number;
  stretched: number;
  /** Seconds of cue audio per second in the model: above 1 is faster than real time. */
  modelRtf: number;
}

export async function measureNeural(video: string, cuts: number[], work: string): Promise<NeuralOverhead> {
  const real = process.env.SEGUE_BENCH_MUSICGEN;
  const model = real ?? join(work, 'tiny-musicgen');
  if (!real) writeTinyMusicgen(model);
  const out = join(work, 'neural-out');
  const run = await runSegue(['score', video, '--out', out, '--cuts', cuts.join(',') || '5', '--engine', 'musicgen', '--model', model], { SEGUE_CACHE_DIR: join(work, 'neural-cache') });
  if (run.code !== 0) throw new Error(`segue score --engine musicgen failed: ${run.stderr.slice(-400)}`);
  const plan = Plan.parse(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')));
  const codes = plan.cues.map((c) => JSON.parse(readFileSync(join(out, c.file.replace(/\.wav$/, '.codes.json')), 'utf8')) as NeuralCodes);
  const modelSec = codes.reduce((a, c) => a + c.seconds.model, 0);
  const wholeSec = codes.reduce((a, c) => a + c.seconds.whole, 0);
  const audioSec = plan.cues.reduce((a, c) => a + c.fileSamples / plan.sampleRate, 0);
  return {
    model: real ?? 'tiny', provider: process.env.SEGUE_ONNX_EP || 'cpu', cues: codes.length, audioSec, modelSec, wholeSec, modelRtf: audioSec / Math.max(1e-9, modelSec),
    overheadPerCueSec: (wholeSec - modelSec) / codes.length,
    overheadRtf: audioSec / Math.max(1e-9, wholeSec - modelSec),
    stretched: codes.filter((c) => c.tempo.stretch !== 1).length,
  };
}
