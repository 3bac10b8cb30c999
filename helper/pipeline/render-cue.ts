import { existsSync } from 'node:fs';
import { SAMPLE_RATE } from '../../shared/index.ts';
import { compose } from '../core/compose/composer.ts';
import { composeBridge } from '../core/compose/bridge.ts';
import type { CueJob } from '../core/layout.ts';
import { master, type MasterResult } from '../core/master.ts';
import { encodeWav24 } from '../core/wav.ts';
import { renderComposition } from '../adapters/synth.ts';
import { EngineError } from '../errors.ts';
import { readJsonIfExists, writeAtomic } from './cache.ts';

/** Compose, render, master and write one cue: what a worker thread does per job. */
export async function renderCue(job: CueJob, wavPath: string): Promise<MasterResult> {
  const metaPath = `${wavPath}.json`;
  const cached = readJsonIfExists<MasterResult>(metaPath);
  if (cached && existsSync(wavPath)) return cached;
  const c = job.composition;
  const comp = c.kind === 'scene' ? compose(c.spec) : composeBridge(c.spec);
  const pcm = await renderComposition(comp, { sampleRate: SAMPLE_RATE, ...job.render }, job.soundFont);
  const result = master(pcm, job.master);
  // A silent render is a failure, never an output: it would be placed on the editor's timeline.
  if (result.integratedLufs <= -70) throw new EngineError(`${job.id}: the ${c.kind === 'scene' ? c.spec.style : `${c.spec.from.style} to ${c.spec.to.style} bridge`} render came out silent; the SoundFont "${job.soundFont}" may lack General MIDI presets, try --soundfont musescore`);
  writeAtomic(wavPath, encodeWav24(pcm, SAMPLE_RATE));
  writeAtomic(metaPath, JSON.stringify(result));
  return result;
}
