import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BeatGrid, SAMPLE_RATE } from '../../shared/index.ts';
import { openMusicGen, type MusicGenModel, type TextState } from '../adapters/musicgen.ts';
import { providersFrom } from '../adapters/onnx.ts';
import { estimatePulse } from '../core/beats.ts';
import { stretchAudio } from '../adapters/ffmpeg.ts';
import { fitTempo, type CueJob, type TempoFit } from '../core/layout.ts';
import { master, type MasterResult } from '../core/master.ts';
import { slerpRows } from '../core/musicgen.ts';
import { resample } from '../core/resample.ts';
import { encodeWav24 } from '../core/wav.ts';
import { EngineError } from '../errors.ts';
import { contentHash, hashJson, readCacheJson, writeAtomic } from './cache.ts';
import { companionPath, recordOf, type CueRecord } from './cue-files.ts';

/**
 * Neural cues (engine "musicgen"): generated from the scene's caption with MusicGen, fitted to the
 * plan's grid and mastered like every cue. Rendered in this process, one at a time (a model is
 * large, and on a GPU one stream of work is what it wants). Each cue's codes are kept beside it
 * (`<hash>.codes.json`), so a bridge can continue from the outgoing cue's last tokens.
 *
 * Fitting (fitToGrid): the audio is generated a beat and 10 % longer than the file, the pulse of
 * what came out is heard, stretched onto the grid or the grid refitted to it, and the file starts
 * where a beat falls on the cue's first downbeat (a bridge: on the cut).
 */

/** Stored beside a neural cue: its codes (frames at the model's frame rate) and where the file starts in their audio. */
export interface NeuralCodes {
  codes: number[][];
  frameRate: number;
  /** The file's first sample, in 48 kHz samples from the start of the codes' audio (after any stretch). */
  start: number;
  /** The pulse heard in the generated audio, and the stretch that brought it to the grid (1: none). */
  tempo: { heardBpm: number; stretch: number };
  /** Present when the music played too far from the planned tempo: the grid the audio was placed on instead (the plan's cue takes it). */
  grid?: BeatGrid;
  /** The model's own time (encode, generate, decode) and the whole render's, for the bench. */
  seconds: { model: number; whole: number };
}

/**
 * Generated audio placed on its cue's grid: its pulse heard (core/beats.ts, the multi-feature
 * estimator), brought to the grid's tempo, or the grid refitted to the music's (core/layout.ts
 * fitTempo), and cut so that a beat falls on the anchor (a scene's first downbeat, a bridge's cut).
 * Returns exactly the file's samples, where they start in the (stretched) audio, and the fit.
 */
export async function fitToGrid(audio: Float32Array, job: CueJob, signal: AbortSignal): Promise<{ mono: Float32Array; start: number; fit: TempoFit }> {
  const c = job.composition;
  const planned: BeatGrid = c.kind === 'scene'
    ? { bpm: c.spec.bpm, beatsPerBar: c.spec.beatsPerBar, samplesPerBeat: job.render.samplesPerBeat, bodyBeats: c.spec.bodyBeats }
    : { bpm: job.neural!.bpm, beatsPerBar: c.spec.to.beatsPerBar, samplesPerBeat: (60 / job.neural!.bpm) * SAMPLE_RATE, bodyBeats: 1 };
  const fit = fitTempo(estimatePulse(audio, 0, Math.min(audio.length, 20 * SAMPLE_RATE)).bpm, planned, c.kind === 'scene');
  const placed = fit.stretch === 1 ? audio : await stretchAudio(audio, SAMPLE_RATE, fit.stretch, signal);
  const total = job.render.totalSamples;
  const period = fit.grid.samplesPerBeat;
  const anchor = job.master.split?.at ?? job.render.originSample;
  const beat = estimatePulse(placed, 0, Math.min(placed.length, 12 * SAMPLE_RATE), fit.grid.bpm).firstBeat;
  const start = Math.round(Math.min(Math.max(0, placed.length - total), (((beat - anchor) % period) + period) % period));
  // Exactly the file's length whatever came out (zeros past the end, which the margin makes rare).
  const mono = new Float32Array(total);
  mono.set(placed.subarray(start, start + total));
  return { mono, start, fit };
}

const models = new Map<string, Promise<MusicGenModel>>();
let lastLoaded: string | null = null;

/** The MusicGen folder this process loaded last (the helper's /v1/health reports it), or null. */
export const loadedMusicgen = (): string | null => lastLoaded;

/** One loaded model per folder per process; providers from SEGUE_ONNX_EP (cuda, dml, coreml), else the CPU. */
export function musicgen(dir: string, announce: (message: string) => void): Promise<MusicGenModel> {
  let m = models.get(dir);
  if (!m) {
    m = openMusicGen(dir, { providers: providersFrom(process.env.SEGUE_ONNX_EP), announce });
    m.then(() => (lastLoaded = dir), () => models.delete(dir));
    models.set(dir, m);
  }
  return m;
}

/**
 * The content hash of a model folder, part of every neural cue's cache key (another export or
 * quantisation of "the same" model makes other music). Each file's hash is remembered while the
 * file is unchanged (cache.ts contentHash), so gigabytes are not read on every run.
 */
export async function modelHash(dir: string): Promise<string> {
  const files = (readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).map((f) => join(dir, f)).filter((f) => statSync(f).isFile()).sort();
  const parts: string[] = [];
  for (const f of files) parts.push(`${relative(dir, f)}:${await contentHash(f)}`);
  return hashJson(parts);
}

const CODES = '.codes.json';
export const codesPathOf = (wavPath: string) => companionPath(wavPath, CODES);

/** Conditioning tensors of the same shape: the shorter prompt's states padded with zero rows. */
function sameLength(a: TextState, b: TextState): [TextState, TextState] {
  const length = Math.max(a.length, b.length);
  const pad = (s: TextState): TextState => {
    const data = new Float32Array(length * s.width);
    data.set(s.data);
    return { data, length, width: s.width };
  };
  return [pad(a), pad(b)];
}

export interface NeuralRender {
  model: MusicGenModel;
  seed: number;
  /** A bridge's outgoing cue: its codes and the sample of its file where this bridge's file begins. */
  from?: { codes: NeuralCodes; at: number };
  signal: AbortSignal;
}

export async function renderNeuralCue(job: CueJob, wavPath: string, r: NeuralRender): Promise<MasterResult> {
  const spec = job.neural;
  if (!spec) throw new EngineError(`${job.id} is not a neural cue`);
  const m = r.model;
  const t0 = performance.now();
  const total = job.render.totalSamples;
  const period = (60 / spec.bpm) * SAMPLE_RATE;
  // Room to put a beat on the downbeat (a beat, at the slowest grid fitTempo may move to) and 10 % for a time-stretch.
  const frames = Math.ceil(((1.1 * total + 1.3 * period) / SAMPLE_RATE) * m.frameRate) + 2;
  let codes: number[][];
  if (spec.kind === 'scene') {
    const cond = await m.encode(spec.prompt);
    codes = await m.generate({ frames, condition: () => cond, seed: r.seed, signal: r.signal });
  } else {
    const [a, b] = sameLength(await m.encode(spec.from), await m.encode(spec.to));
    // The outgoing cue's codes up to where this file begins (its file position, back through its
    // stretch, to a frame of its codes): the bridge continues its music.
    const upTo = r.from ? Math.max(0, Math.floor((((r.from.codes.start + r.from.at) * r.from.codes.tempo.stretch) / SAMPLE_RATE) * m.frameRate)) : 0;
    const context = r.from?.codes.codes.map((row) => row.slice(0, upTo));
    codes = await m.generate({
      frames, seed: r.seed, signal: r.signal, chunkFrames: Math.max(1, Math.ceil(frames / 8)),
      ...(context && context[0]!.length ? { context } : {}),
      condition: (f) => ({ data: slerpRows(a.data, b.data, a.width, Math.min(1, f / frames)), length: a.length, width: a.width }),
    });
  }
  const decoded = await m.decode(codes);
  const modelSec = (performance.now() - t0) / 1000;
  const { mono, start, fit } = await fitToGrid(resample(decoded, m.sampleRate, SAMPLE_RATE), job, r.signal);
  const pcm = [mono, Float32Array.from(mono)];
  const { curve: _curve, ...result } = master(pcm, job.master);
  if (result.integratedLufs <= -70) throw new EngineError(`${job.id}: the MusicGen model made silence for "${spec.kind === 'scene' ? spec.prompt : `${spec.from} -> ${spec.to}`}"; try another seed (regenerate) or check the model folder`);
  const wav = encodeWav24(pcm, SAMPLE_RATE);
  const stored = JSON.stringify({ codes, frameRate: m.frameRate, start, tempo: { heardBpm: fit.heardBpm, stretch: fit.stretch }, ...(fit.changed ? { grid: fit.grid } : {}), seconds: { model: modelSec, whole: (performance.now() - t0) / 1000 } } satisfies NeuralCodes);
  writeAtomic(codesPathOf(wavPath), stored);
  writeAtomic(wavPath, wav);
  writeAtomic(`${wavPath}.json`, JSON.stringify({ ...result, files: { '': recordOf(wav), [CODES]: recordOf(Buffer.from(stored)) } } satisfies CueRecord));
  return result;
}

export function readNeuralCodes(wavPath: string): NeuralCodes | null {
  return readCacheJson<NeuralCodes>(codesPathOf(wavPath), (x) => {
    const c = x as NeuralCodes;
    return Array.isArray(c?.codes) && typeof c.start === 'number' && typeof c.tempo?.stretch === 'number' && (c.grid === undefined || BeatGrid.safeParse(c.grid).success);
  });
}

export interface NeuralEngine {
  /** Part of every neural cue's cache key: the model folder's content and the provider it runs on (how audio is fitted: realise.ts CUE_VERSION). */
  key: { model: string; provider: string };
  render(job: CueJob, wavPath: string, seed: number, from: NeuralRender['from'], signal: AbortSignal): Promise<MasterResult>;
}

export async function neuralEngine(dir: string | null, announce: (message: string) => void): Promise<NeuralEngine> {
  if (!dir) throw new EngineError('this plan uses the neural engine but names no model folder; score again with --engine musicgen --model DIR');
  const model = await musicgen(dir, announce);
  return {
    key: { model: await modelHash(dir), provider: model.provider },
    render: (job, wavPath, seed, from, signal) => renderNeuralCue(job, wavPath, { model, seed, signal, ...(from ? { from } : {}) }),
  };
}
