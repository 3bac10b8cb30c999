import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FADE_SHAPES, TRANSITION_STYLES, type TransitionStyle } from '../../shared/index.ts';
import type { TransitionEdit } from '../core/edit.ts';
import { DEFAULT_WEIGHTS, type ContentWeights } from '../core/frames.ts';
import { UsageError } from '../errors.ts';
import { ENGINES, type ScoreOptions } from '../pipeline/score.ts';

/** Command-line arguments of every command into typed options; anything wrong is a UsageError naming the flag. */

type Spec = Record<string, { type: 'string' | 'boolean' }>;

function num(name: string, v: string | undefined, def: number, lo: number, hi: number, int = false): number {
  if (v === undefined) return def;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || (int && !Number.isInteger(x)) || x < lo || x > hi) {
    throw new UsageError(`--${name} "${v}" must be ${int ? 'a whole number' : 'a number'} from ${lo} to ${hi}`);
  }
  return x;
}

const optNum = (name: string, v: string | undefined, lo: number, hi: number, int = false) => (v === undefined ? undefined : num(name, v, 0, lo, hi, int));

function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[], def: T): T {
  if (v === undefined) return def;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${name} "${v}" is not one of: ${allowed.join(', ')}`);
  return v as T;
}

/** "--loudness -14" is a value, not a flag: join such pairs so parseArgs does not call them ambiguous. */
function joinNegativeValues(argv: string[], spec: Spec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a.startsWith('--') && spec[a.slice(2)]?.type === 'string' && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

function parse(argv: string[], options: Spec, usage: string): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    return parseArgs({ args: joinNegativeValues(argv, options), allowPositionals: true, strict: true, options: { ...options, json: { type: 'boolean' } } });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]}; usage: ${usage}`);
  }
}

function onePositional(positionals: string[], what: string, usage: string): string {
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one ${what}, got ${positionals.length}: ${positionals.join(' ')}` : `no ${what} given; usage: ${usage}`);
  return positionals[0]!;
}

/** "--weights H,S,L,E": ContentDetector's four component weights, as PySceneDetect's -w takes them. */
function weightsArg(v: string | undefined): ContentWeights {
  if (v === undefined) return DEFAULT_WEIGHTS;
  const xs = v.split(',').map((x) => (x.trim() === '' ? NaN : Number(x)));
  if (xs.length !== 4 || xs.some((x) => !Number.isFinite(x) || x < 0) || xs.every((x) => x === 0)) {
    throw new UsageError(`--weights "${v}" must be four numbers >= 0, not all 0: hue,saturation,luma,edges (default 1,1,1,0)`);
  }
  const [hue, sat, lum, edges] = xs as [number, number, number, number];
  return { hue, sat, lum, edges };
}

/** An empty --out would mean the current folder, which is never what was meant. */
function outDirArg(v: string | undefined): string | undefined {
  if (v !== undefined && v.trim() === '') throw new UsageError('--out is empty; give the folder to write into, e.g. --out segue-out/my-cut');
  return v;
}

const SCORE_USAGE = 'segue score <video> [options]';

export function parseScoreArgs(argv: string[]): ScoreOptions & { json: boolean } {
  const { values: v, positionals } = parse(argv, {
    out: { type: 'string' }, cuts: { type: 'string' }, 'min-scene': { type: 'string' }, threshold: { type: 'string' }, weights: { type: 'string' },
    engine: { type: 'string' }, seed: { type: 'string' }, loudness: { type: 'string' }, handles: { type: 'string' },
    soundfont: { type: 'string' }, 'fade-shape': { type: 'string' }, stems: { type: 'boolean' }, llm: { type: 'string' }, 'llm-timeout': { type: 'string' }, vision: { type: 'string' }, model: { type: 'string' }, 'keep-original-audio': { type: 'boolean' },
  }, SCORE_USAGE);
  const video = onePositional(positionals, 'video', SCORE_USAGE);
  const engine = (v.engine as string | undefined) ?? 'symbolic';
  if (!(ENGINES as readonly string[]).includes(engine)) throw new UsageError(`--engine "${engine}" is not available; use one of: ${ENGINES.join(', ')}`);
  const model = (v.model as string | undefined) ?? null;
  if (engine === 'musicgen' && !model) throw new UsageError('--engine musicgen needs --model DIR: a MusicGen ONNX folder such as Xenova/musicgen-small (see README "Neural engine")');
  if (engine !== 'musicgen' && model) throw new UsageError('--model is the neural engine\'s MusicGen folder; add --engine musicgen, or leave --model out');
  if (engine === 'musicgen' && v.stems) throw new UsageError('--stems needs the symbolic engine (a neural cue has no separate instruments); leave --stems out');
  const name = video.split(/[\\/]/).pop()!.replace(/\.[^.]*$/, '') || 'video';
  const s = (k: string) => v[k] as string | undefined;
  return {
    video,
    outDir: outDirArg(s('out')) ?? `segue-out/${name}`,
    cuts: s('cuts') ?? null,
    minSceneSec: num('min-scene', s('min-scene'), 8, 0, 3600),
    threshold: num('threshold', s('threshold'), 27, 1, 255),
    weights: weightsArg(s('weights')),
    engine,
    seed: num('seed', s('seed'), 1, 0, 2 ** 31 - 1, true),
    loudnessLufs: num('loudness', s('loudness'), -16, -40, -6),
    truePeakDbtp: -1,
    handleBars: num('handles', s('handles'), 2, 0, 16, true),
    fadeShape: oneOf('fade-shape', s('fade-shape'), FADE_SHAPES, 'linear'),
    soundFont: s('soundfont') ?? 'musescore',
    stems: (v.stems as boolean | undefined) ?? false,
    llm: s('llm') ?? null,
    llmTimeoutSec: num('llm-timeout', s('llm-timeout'), 60, 1, 3600),
    vision: s('vision') ?? null,
    model,
    keepOriginalAudio: (v['keep-original-audio'] as boolean | undefined) ?? false,
    json: (v.json as boolean | undefined) ?? false,
  };
}

const REGEN_USAGE = 'segue regenerate DIR --scene K [--seed N] [--prompt FILE]';

export function parseRegenerateArgs(argv: string[]): { dir: string; scene: number; seed?: number; prompt?: unknown } {
  const { values: v, positionals } = parse(argv, { scene: { type: 'string' }, seed: { type: 'string' }, prompt: { type: 'string' } }, REGEN_USAGE);
  const dir = onePositional(positionals, 'output folder', REGEN_USAGE);
  if (v.scene === undefined) throw new UsageError(`--scene is required; usage: ${REGEN_USAGE}`);
  const out: { dir: string; scene: number; seed?: number; prompt?: unknown } = { dir, scene: num('scene', v.scene as string, 0, 1, 100000, true) };
  const seed = optNum('seed', v.seed as string | undefined, 0, 2 ** 31 - 1, true);
  if (seed !== undefined) out.seed = seed;
  if (v.prompt !== undefined) out.prompt = readJsonFile('--prompt', v.prompt as string);
  return out;
}

function readJsonFile(flag: string, path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? e}); give a JSON file with the prompt fields to change, e.g. {"style":"jazz","bpm":120}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${flag} ${path} is not valid JSON (${(e as Error).message})`);
  }
}

const TRANSITION_USAGE = 'segue transition DIR --cut K (--style NAME | --accept) [--beats N] [--bars N] [--shape linear|equal-power]';

export function parseTransitionArgs(argv: string[]): { dir: string } & TransitionEdit {
  const { values: v, positionals } = parse(argv, {
    cut: { type: 'string' }, style: { type: 'string' }, accept: { type: 'boolean' }, beats: { type: 'string' }, bars: { type: 'string' }, shape: { type: 'string' },
  }, TRANSITION_USAGE);
  const dir = onePositional(positionals, 'output folder', TRANSITION_USAGE);
  if (v.cut === undefined) throw new UsageError(`--cut is required; usage: ${TRANSITION_USAGE}`);
  if ((v.style === undefined) === (v.accept === undefined)) throw new UsageError(`give either --style NAME or --accept; usage: ${TRANSITION_USAGE}`);
  const style: TransitionStyle | 'accept' = v.accept ? 'accept' : oneOf('style', v.style as string, TRANSITION_STYLES, 'abrupt-cut');
  const out: { dir: string } & TransitionEdit = { dir, cut: num('cut', v.cut as string, 0, 1, 100000, true), style };
  const beats = optNum('beats', v.beats as string | undefined, 0.25, 64);
  const bars = optNum('bars', v.bars as string | undefined, 1, 4, true);
  if (beats !== undefined) out.beats = beats;
  if (bars !== undefined) out.bars = bars;
  if (v.shape !== undefined) out.shape = oneOf('shape', v.shape as string, FADE_SHAPES, 'linear');
  return out;
}

const TAKES_USAGE = 'segue takes DIR [--scene K --use N]';

export function parseTakesArgs(argv: string[]): { dir: string; json: boolean; use: { cue: string; take: number } | null } {
  const { values: v, positionals } = parse(argv, { scene: { type: 'string' }, use: { type: 'string' } }, TAKES_USAGE);
  const dir = onePositional(positionals, 'output folder', TAKES_USAGE);
  if ((v.scene === undefined) !== (v.use === undefined)) throw new UsageError(`--scene and --use go together; usage: ${TAKES_USAGE}`);
  const use = v.scene === undefined ? null : { cue: `scene-${num('scene', v.scene as string, 0, 1, 100000, true)}`, take: num('use', v.use as string, 0, 1, 100000, true) };
  return { dir, json: (v.json as boolean | undefined) ?? false, use };
}
