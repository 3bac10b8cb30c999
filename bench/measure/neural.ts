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
 * The real-model figure (real-time factor per provider) needs a GPU and musicgen-small: see README.
 */

export interface NeuralOverhead {
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
}

export async function measureNeural(video: string, cuts: number[], work: string): Promise<NeuralOverhead> {
  const model = join(work, 'tiny-musicgen');
  writeTinyMusicgen(model);
  const out = join(work, 'neural-out');
  const run = await runSegue(['score', video, '--out', out, '--cuts', cuts.join(',') || '5', '--engine', 'musicgen', '--model', model], { SEGUE_CACHE_DIR: join(work, 'neural-cache') });
  if (run.code !== 0) throw new Error(`segue score --engine musicgen failed: ${run.stderr.slice(-400)}`);
  const plan = Plan.parse(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')));
  const codes = plan.cues.map((c) => JSON.parse(readFileSync(join(out, c.file.replace(/\.wav$/, '.codes.json')), 'utf8')) as NeuralCodes);
  const modelSec = codes.reduce((a, c) => a + c.seconds.model, 0);
  const wholeSec = codes.reduce((a, c) => a + c.seconds.whole, 0);
  const audioSec = plan.cues.reduce((a, c) => a + c.fileSamples / plan.sampleRate, 0);
  return {
    cues: codes.length, audioSec, modelSec, wholeSec,
    overheadPerCueSec: (wholeSec - modelSec) / codes.length,
    overheadRtf: audioSec / Math.max(1e-9, wholeSec - modelSec),
    stretched: codes.filter((c) => c.tempo.stretch !== 1).length,
  };
}
