import { existsSync } from 'node:fs';
import { SAMPLE_RATE } from '../../shared/index.ts';
import { compose } from '../core/compose/composer.ts';
import { composeBridge } from '../core/compose/bridge.ts';
import type { Composition } from '../core/compose/types.ts';
import type { Role } from '../core/compose/styles.ts';
import type { CueJob } from '../core/layout.ts';
import { applyCurve, master, type MasterResult } from '../core/master.ts';
import { removeDc } from '../core/loudness.ts';
import { compositionToMidi } from '../core/midi.ts';
import { encodeWav24 } from '../core/wav.ts';
import { renderComposition } from '../adapters/synth.ts';
import { EngineError } from '../errors.ts';
import { hasNumbers, readCacheJson, writeAtomic } from './cache.ts';
import { companionPath, loudnessOf, recordOf, type CueRecord, type FileRecord } from './cue-files.ts';
import { readRender, writeRender, type StoredRender } from './render-store.ts';

/**
 * Compose, render, master and write one cue (what a worker thread does per job): the WAV, its
 * notes as MIDI, and on request one stem per instrument group. Stems are rendered separately,
 * summed into the cue, and given the cue's own mastering gain curve, so they add up to it.
 */

export const STEM_GROUPS = ['drums', 'bass', 'harmony', 'melody', 'pads'] as const;
export type StemGroup = (typeof STEM_GROUPS)[number];
const GROUP_OF: Record<Role, StemGroup> = { drums: 'drums', bass: 'bass', harmony: 'harmony', melody: 'melody', pad: 'pads' };

/** Cache file names beside the cue's WAV. */
export const midiPathOf = (wavPath: string) => companionPath(wavPath, '.mid');
export const stemPathOf = (wavPath: string, g: StemGroup) => companionPath(wavPath, `.${g}.wav`);

export function stemGroupsOf(comp: Composition): StemGroup[] {
  return STEM_GROUPS.filter((g) => comp.channels.some((c) => GROUP_OF[c.role] === g));
}

export function composeJob(job: CueJob): Composition {
  const c = job.composition;
  return c.kind === 'scene' ? compose(c.spec) : composeBridge(c.spec);
}

/** A cue described by its music: "noir in D minor", "noir to pastoral bridge". */
const what = ({ composition: c }: CueJob) =>
  c.kind === 'scene' ? `${c.spec.style} in ${c.spec.key.tonic} ${c.spec.key.mode}` : `${c.spec.from.style} to ${c.spec.to.style} bridge`;

/**
 * Renders a cue into the cache at wavPath, unless it is there. The caller verifies an existing entry
 * first (cue-files.ts). With `renderPath` (render-store.ts), the synth's output is taken from there
 * when an earlier cue had the same notes, grid and SoundFont, and stored there otherwise.
 */
export async function renderCue(job: CueJob, wavPath: string, renderPath?: string): Promise<MasterResult> {
  const cached = readCacheJson<CueRecord>(`${wavPath}.json`, (x) => hasNumbers(x, 'integratedLufs', 'truePeakDbtp', 'gainDb'));
  if (cached && existsSync(wavPath)) return loudnessOf(cached);
  const comp = composeJob(job);
  const stored = renderPath ? readRender(renderPath, job.render.totalSamples) : null;
  const parts = stored ?? (await synthesise(job, comp));
  if (renderPath && !stored) writeRender(renderPath, parts); // before mastering, which works in place
  const stems = job.stems ? parts.parts.map((group, i) => ({ group: group as StemGroup, pcm: parts.pcm[i]! })) : [];
  const pcm = job.stems ? sumOf(parts.pcm, job.render.totalSamples) : parts.pcm[0]!;
  const { curve, ...result } = master(pcm, job.master);
  // A silent render is a failure, never an output: it would be placed on the editor's timeline.
  if (result.integratedLufs <= -70) {
    throw new EngineError(`${job.id}: the ${what(job)} render came out silent; the SoundFont "${job.soundFont}" may lack General MIDI presets, try --soundfont musescore`);
  }
  const files: Record<string, FileRecord> = {};
  const write = (suffix: string, data: Uint8Array) => {
    writeAtomic(companionPath(wavPath, suffix), data);
    files[suffix] = recordOf(data);
  };
  for (const s of stems) {
    applyCurve(s.pcm, curve);
    write(`.${s.group}.wav`, encodeWav24(s.pcm, SAMPLE_RATE));
  }
  // Titled by content, not by cue number: the cached file serves whichever cue has this content.
  write('.mid', compositionToMidi(comp, job.render, `Segue: ${what(job)}`));
  write('', encodeWav24(pcm, SAMPLE_RATE));
  // The record last: an entry without it is incomplete, and one whose files do not match it is damaged.
  writeAtomic(`${wavPath}.json`, JSON.stringify({ ...result, files } satisfies CueRecord));
  return result;
}

/** The synth's output for a cue: the whole ensemble, or each stem group with its DC removed (they are summed into the cue). */
async function synthesise(job: CueJob, comp: Composition): Promise<StoredRender> {
  const map = { sampleRate: SAMPLE_RATE, ...job.render };
  if (!job.stems) return { parts: ['mix'], pcm: [await renderComposition(comp, map, job.soundFont)] };
  const groups = stemGroupsOf(comp);
  const pcm: Float32Array[][] = [];
  for (const group of groups) {
    const channels = comp.channels.filter((c) => GROUP_OF[c.role] === group);
    const notes = comp.notes.filter((n) => channels.some((c) => c.ch === n.ch));
    const stem = await renderComposition({ ...comp, channels, notes }, map, job.soundFont);
    removeDc(stem);
    pcm.push(stem);
  }
  return { parts: groups, pcm };
}

function sumOf(parts: Float32Array[][], samples: number): Float32Array[] {
  const pcm = [new Float32Array(samples), new Float32Array(samples)];
  for (const p of parts) for (let c = 0; c < 2; c++) for (let i = 0; i < samples; i++) pcm[c]![i] = pcm[c]![i]! + p[c]![i]!;
  return pcm;
}
