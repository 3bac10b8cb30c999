import { existsSync } from 'node:fs';
import { SAMPLE_RATE } from '../../shared/index.ts';
import { compose } from '../core/compose/composer.ts';
import type { CueJob } from '../core/layout.ts';
import { master, type MasterResult } from '../core/master.ts';
import { encodeWav24 } from '../core/wav.ts';
import { renderComposition } from '../adapters/synth.ts';
import { readJsonIfExists, writeAtomic } from './cache.ts';

/** Compose, render, master and write one cue: what a worker thread does per job. */
export async function renderCue(job: CueJob, wavPath: string): Promise<MasterResult> {
  const metaPath = `${wavPath}.json`;
  const cached = readJsonIfExists<MasterResult>(metaPath);
  if (cached && existsSync(wavPath)) return cached;
  const comp = compose(job.composition);
  const pcm = await renderComposition(comp, { sampleRate: SAMPLE_RATE, ...job.render }, job.soundFont);
  const result = master(pcm, job.master);
  writeAtomic(wavPath, encodeWav24(pcm, SAMPLE_RATE));
  writeAtomic(metaPath, JSON.stringify(result));
  return result;
}
