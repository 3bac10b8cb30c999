import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { z } from 'zod';
import { Rng } from '../core/compose/rng.ts';
import { columnToken, guide, sampleTopK } from '../core/musicgen.ts';
import { EngineError, InterruptedError } from '../errors.ts';
import { loadOrt, onnxFile, openSession, type Ort, type Session } from './onnx.ts';

/**
 * MusicGen exported to ONNX in the layout transformers.js uses (e.g. a Xenova/musicgen-small folder
 * the user gives; nothing is downloaded), run with our own decoding loop on onnxruntime-node
 * (sessions through adapters/onnx.ts). Our own loop rather than @huggingface/transformers' generate():
 * Segue needs what that hides: continuing from given codes (windowed scenes, bridges from the
 * outgoing cue's last tokens), conditioning that changes while decoding (a bridge's prompt moves
 * from A to B), a seeded sampler (a take is reproducible) and per-step cancellation; and it keeps
 * one onnxruntime-node, the project's, instead of a second pinned copy.
 */

const HELP = 'give the folder of a MusicGen ONNX export such as Xenova/musicgen-small (onnx/text_encoder.onnx, onnx/decoder_model_merged.onnx, onnx/encodec_decode.onnx, config.json, generation_config.json, tokenizer.json)';

const Config = z.object({
  decoder: z.object({
    num_codebooks: z.number().int().min(1).max(16),
    vocab_size: z.number().int().min(2),
    pad_token_id: z.number().int().min(0).optional(),
    num_hidden_layers: z.number().int().min(1),
    num_attention_heads: z.number().int().min(1),
    hidden_size: z.number().int().min(1),
    audio_channels: z.number().int().min(1).max(2).optional(),
  }),
  audio_encoder: z.object({ sampling_rate: z.number().int().positive(), upsampling_ratios: z.array(z.number().int().positive()).min(1) }),
});
const Generation = z.object({
  decoder_start_token_id: z.number().int().min(0).optional(),
  pad_token_id: z.number().int().min(0).optional(),
  guidance_scale: z.number().positive().optional(),
  top_k: z.number().int().min(1).optional(),
  temperature: z.number().positive().optional(),
  max_length: z.number().int().min(8),
});

/** A prompt's text-encoder states: `length` rows of `width`. */
export interface TextState {
  data: Float32Array;
  length: number;
  width: number;
}

export interface GenerateOptions {
  /** New frames to generate. */
  frames: number;
  /** The conditioning for the segment that starts at this new frame (constant for a scene; moving for a bridge). */
  condition: (frame: number) => TextState;
  /** A segment ends at least every this many frames, so `condition` is asked again (bridges). */
  chunkFrames?: number;
  /** Codes to continue from, per codebook (the end of the previous window or cue). */
  context?: readonly (readonly number[])[];
  seed: number;
  guidance?: number;
  topK?: number;
  temperature?: number;
  signal?: AbortSignal;
  progress?: (done: number, total: number) => void;
}

export interface MusicGenModel {
  readonly dir: string;
  readonly provider: string;
  readonly sampleRate: number;
  /** Audio frames (code columns) per second. */
  readonly frameRate: number;
  readonly codebooks: number;
  /** The most frames one decoder window holds (max_length less the delay columns). */
  readonly maxFrames: number;
  encode(prompt: string): Promise<TextState>;
  /** codes[k][f]: codebook k at new frame f. */
  generate(o: GenerateOptions): Promise<number[][]>;
  /** EnCodec: codes to mono audio at sampleRate, frameRate * hop samples per frame. */
  decode(codes: readonly (readonly number[])[]): Promise<Float32Array>;
  close(): Promise<void>;
}

function readJson(dir: string, name: string): unknown {
  const path = join(dir, name);
  if (!existsSync(path)) throw new EngineError(`the MusicGen folder ${dir} has no ${name}; ${HELP}`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new EngineError(`${path} is not valid JSON (${(e as Error).message}); export the model again`);
  }
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, path: string, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new EngineError(`${path}: ${i.path.join('.') || '(top level)'}: ${i.message}; expected ${what}`);
  }
  return r.data;
}

function graph(dir: string, stem: string): string {
  const path = onnxFile(dir, stem);
  if (!path) throw new EngineError(`the MusicGen folder ${dir} has no ${stem}.onnx (looked in ${dir}/onnx and ${dir}); ${HELP}`);
  return path;
}

function expectIo(s: Session, path: string, what: string, inputs: string[], outputs: string[]): void {
  const missingIn = inputs.filter((n) => !s.inputNames.includes(n));
  const missingOut = outputs.filter((n) => !s.outputNames.includes(n));
  if (missingIn.length || missingOut.length) {
    throw new EngineError(`${path} takes ${s.inputNames.join(', ')} and gives ${s.outputNames.join(', ')}; ${what} takes ${inputs.join(', ')} and gives ${outputs.join(', ')}. Is the file from another model? Export the model again`);
  }
}

export async function openMusicGen(dir: string, o: { providers: readonly string[]; announce: (message: string) => void }): Promise<MusicGenModel> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new EngineError(`the MusicGen folder ${dir} does not exist; ${HELP}`);
  const config = parsed(Config, readJson(dir, 'config.json'), join(dir, 'config.json'), 'a MusicGen config (decoder.num_codebooks, audio_encoder.sampling_rate ...)');
  const gen = parsed(Generation, readJson(dir, 'generation_config.json'), join(dir, 'generation_config.json'), 'a MusicGen generation config (max_length, guidance_scale, top_k ...)');
  if ((config.decoder.audio_channels ?? 1) !== 1) throw new EngineError(`${join(dir, 'config.json')}: a stereo MusicGen (audio_channels 2) is not supported yet; use a mono one such as musicgen-small`);
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(readJson(dir, 'tokenizer.json') as object, existsSync(join(dir, 'tokenizer_config.json')) ? (readJson(dir, 'tokenizer_config.json') as object) : {});
    tokenizer.encode('test');
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new EngineError(`${join(dir, 'tokenizer.json')} is not a tokenizer this helper can read (${(e as Error).message.split('\n')[0]}); export the model again`);
  }
  const ort = await loadOrt();
  const paths = { text: graph(dir, 'text_encoder'), decoder: graph(dir, 'decoder_model_merged'), codec: graph(dir, 'encodec_decode') };
  // The decoder decides the provider (it does nearly all the work); the other two follow it, so a fallback is announced once.
  const decoder = await openSession(ort, paths.decoder, o.providers, o.announce);
  const rest = decoder.provider === 'cpu' ? ['cpu'] : o.providers;
  const text = await openSession(ort, paths.text, rest, o.announce);
  const codec = await openSession(ort, paths.codec, rest, o.announce);
  expectIo(text.session, paths.text, 'a MusicGen text encoder', ['input_ids'], ['last_hidden_state']);
  expectIo(decoder.session, paths.decoder, 'a MusicGen decoder', ['input_ids', 'encoder_hidden_states'], ['logits']);
  expectIo(codec.session, paths.codec, 'an EnCodec decoder', ['audio_codes'], ['audio_values']);
  const pasts = decoder.session.inputNames.filter((n) => /^past_key_values\.\d+\.(decoder|encoder)\.(key|value)$/.test(n));
  const layers = new Set(pasts.map((n) => n.split('.')[1])).size;
  if (pasts.length && (layers !== config.decoder.num_hidden_layers || pasts.length !== 4 * layers)) {
    throw new EngineError(`${paths.decoder} has past key values for ${layers} layer(s), but ${join(dir, 'config.json')} says decoder.num_hidden_layers ${config.decoder.num_hidden_layers}; the files are from different models, export them again together`);
  }

  const K = config.decoder.num_codebooks;
  const pad = gen.pad_token_id ?? config.decoder.pad_token_id ?? config.decoder.vocab_size;
  const start = gen.decoder_start_token_id ?? pad;
  const heads = config.decoder.num_attention_heads;
  const headDim = config.decoder.hidden_size / heads;
  const hop = config.audio_encoder.upsampling_ratios.reduce((a, b) => a * b, 1);
  const maxFrames = gen.max_length - K;
  const T = (type: 'int64' | 'float32' | 'bool', data: BigInt64Array | Float32Array | boolean[], dims: number[]) => new ort.Tensor(type, data as never, dims);
  const run = async (s: Session, path: string, feeds: Record<string, InstanceType<Ort['Tensor']>>) => {
    try {
      return await s.run(feeds);
    } catch (e) {
      throw new EngineError(`${path} failed to run (${(e as Error).message.split('\n')[0]}); the model folder may be damaged or its files from different models`);
    }
  };

  /** One decoder window: `known` frames given, `total` frames in all; returns the frames it sampled. */
  async function window(known: number[][], total: number, cond: TextState, rng: Rng, opts: Required<Pick<GenerateOptions, 'guidance' | 'topK' | 'temperature'>>, signal?: AbortSignal, onFrame?: () => void): Promise<void> {
    const width = cond.width;
    // Row 0: the prompt; row 1: the unconditional branch (zero states, mask off), for guidance.
    const states = new Float32Array(2 * cond.length * width);
    states.set(cond.data, 0);
    const mask = new BigInt64Array(2 * cond.length);
    mask.fill(1n, 0, cond.length);
    const columns = total + K;
    const tokenAt = (k: number, c: number) => (c === 0 ? start : columnToken(k, c, known, total));
    const columnIds = (c: number) => {
      const ids = new BigInt64Array(2 * K);
      for (let k = 0; k < K; k++) {
        const t = tokenAt(k, c);
        if (t === 'sample') throw new Error(`column ${c} of codebook ${k} was fed before it was sampled`);
        ids[k] = ids[K + k] = BigInt(t === 'pad' ? pad : t);
      }
      return ids;
    };
    // Prefill: every column whose tokens are all known (the start, and the context frames).
    let firstOpen = 1;
    while (firstOpen < columns && [...Array(K).keys()].every((k) => tokenAt(k, firstOpen) !== 'sample')) firstOpen++;
    const prefillIds = new BigInt64Array(2 * K * firstOpen);
    for (let c = 0; c < firstOpen; c++) {
      const ids = columnIds(c);
      for (let r = 0; r < 2 * K; r++) prefillIds[r * firstOpen + c] = ids[r]!;
    }
    const emptyPast = () => T('float32', new Float32Array(0), [2 * K, heads, 0, headDim]);
    const feeds: Record<string, InstanceType<Ort['Tensor']>> = {
      input_ids: T('int64', prefillIds, [2 * K, firstOpen]),
      encoder_hidden_states: T('float32', states, [2, cond.length, width]),
    };
    const has = (n: string) => decoder.session.inputNames.includes(n);
    if (has('encoder_attention_mask')) feeds.encoder_attention_mask = T('int64', mask, [2, cond.length]);
    for (const n of pasts) feeds[n] = emptyPast();
    if (has('use_cache_branch')) feeds.use_cache_branch = T('bool', [false], [1]);
    let out = await run(decoder.session, paths.decoder, feeds);
    for (let c = firstOpen; c < columns; c++) {
      if (signal?.aborted) throw new InterruptedError();
      const logits = out.logits!;
      const [, seq, vocab] = logits.dims as number[];
      const data = logits.data as Float32Array;
      const last = (row: number) => data.subarray((row * seq! + seq! - 1) * vocab!, (row * seq! + seq!) * vocab!);
      for (let k = 0; k < K; k++) {
        const t = tokenAt(k, c);
        if (t !== 'sample') continue;
        // Only real codes are drawn: the pad token is the delay pattern's, never music.
        const guided = guide(last(k), last(K + k), opts.guidance).subarray(0, config.decoder.vocab_size);
        known[k]!.push(sampleTopK(guided, opts.topK, opts.temperature, rng));
        if (k === K - 1) onFrame?.(); // a frame is whole when its last codebook is drawn
      }
      if (c === columns - 1) break;
      const next: Record<string, InstanceType<Ort['Tensor']>> = { input_ids: T('int64', columnIds(c), [2 * K, 1]), encoder_hidden_states: feeds.encoder_hidden_states! };
      if (feeds.encoder_attention_mask) next.encoder_attention_mask = feeds.encoder_attention_mask;
      for (const n of pasts) next[n] = out[n.replace('past_key_values', 'present')]!;
      if (has('use_cache_branch')) next.use_cache_branch = T('bool', [true], [1]);
      out = await run(decoder.session, paths.decoder, next);
    }
  }

  return {
    dir, provider: decoder.provider, sampleRate: config.audio_encoder.sampling_rate, frameRate: config.audio_encoder.sampling_rate / hop, codebooks: K, maxFrames,
    async encode(prompt) {
      const ids = tokenizer.encode(prompt).ids;
      const feeds: Record<string, InstanceType<Ort['Tensor']>> = { input_ids: T('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]) };
      if (text.session.inputNames.includes('attention_mask')) feeds.attention_mask = T('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
      const t = (await run(text.session, paths.text, feeds)).last_hidden_state!;
      const [, length, width] = t.dims as number[];
      return { data: Float32Array.from(t.data as Float32Array), length: length!, width: width! };
    },
    async generate(g) {
      const opts = { guidance: g.guidance ?? gen.guidance_scale ?? 3, topK: g.topK ?? gen.top_k ?? 250, temperature: g.temperature ?? gen.temperature ?? 1 };
      const context = Math.min(g.context?.[0]?.length ?? 0, Math.floor(maxFrames / 3));
      const all = Array.from({ length: K }, (_, k) => (g.context?.[k] ?? []).slice((g.context?.[k]?.length ?? 0) - context));
      const base = all[0]!.length;
      const chunk = g.chunkFrames ?? Infinity;
      let done = 0;
      for (let segment = 0; done < g.frames; segment++) {
        // Each segment is one window: the last frames so far as its prompt, then new ones up to the window's size or the chunk's end.
        const keep = Math.min(all[0]!.length, Math.floor(maxFrames / 3));
        const room = Math.min(maxFrames - keep, chunk - (done % chunk), g.frames - done);
        const known = all.map((codes) => codes.slice(codes.length - keep));
        let drawn = done;
        await window(known, keep + room, g.condition(done), new Rng((g.seed * 7919 + segment * 104729) >>> 0), opts, g.signal, () => g.progress?.(++drawn, g.frames));
        all.forEach((codes, k) => codes.push(...known[k]!.slice(keep)));
        done += room;
      }
      return all.map((codes) => codes.slice(base));
    },
    async decode(codes) {
      const frames = codes[0]?.length ?? 0;
      const flat = new BigInt64Array(K * frames);
      codes.forEach((row, k) => row.forEach((v, f) => (flat[k * frames + f] = BigInt(v))));
      const out = (await run(codec.session, paths.codec, { audio_codes: T('int64', flat, [1, 1, K, frames]) })).audio_values!;
      return Float32Array.from(out.data as Float32Array);
    },
    async close() {
      await Promise.all([text.session.release(), decoder.session.release(), codec.session.release()]);
    },
  };
}
