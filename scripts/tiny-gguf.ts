import { writeFileSync } from 'node:fs';
import { Rng } from '../helper/core/compose/rng.ts';

/**
 * Writes a tiny Llama-architecture GGUF model with random weights, so the LLM code path (VMPT and
 * the director through node-llama-cpp) runs for real on every test run without model downloads.
 * It knows nothing, but it is a real model file: llama.cpp loads it, tokenizes with its vocabulary
 * (SentencePiece-style: control tokens, 256 byte-fallback tokens, and one token per printable ASCII
 * character), and samples from it under a JSON-schema grammar like any instruct model.
 *
 * Usage: node --import tsx scripts/tiny-gguf.ts OUT.gguf
 */

const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
const T = { UINT32: 4, INT32: 5, FLOAT32: 6, STRING: 8, ARRAY: 9 } as const;
const GGML_F32 = 0;
const ALIGN = 32;

class Writer {
  private chunks: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  pad(): void {
    const n = (ALIGN - (this.length % ALIGN)) % ALIGN;
    if (n) this.push(Buffer.alloc(n));
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

type Kv = [string, 'u32', number] | [string, 'f32', number] | [string, 'str', string] | [string, 'strs', string[]] | [string, 'f32s', number[]] | [string, 'i32s', number[]];

export interface TinyModelOptions {
  embd?: number;
  layers?: number;
  heads?: number;
  ff?: number;
  seed?: number;
}

/** The vocabulary: <unk>, <s>, </s>, <0x00>..<0xFF>, the space marker, then printable ASCII. */
export function tinyVocab(): { tokens: string[]; types: number[]; scores: number[] } {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [2, 3, 3];
  for (let b = 0; b < 256; b++) (tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`), types.push(6));
  tokens.push('\u2581');
  types.push(1);
  for (let c = 0x21; c <= 0x7e; c++) (tokens.push(String.fromCharCode(c)), types.push(1));
  return { tokens, types, scores: tokens.map((_, i) => (i < 259 ? 0 : -i / 1000)) };
}

export function tinyGguf(o: TinyModelOptions = {}): Buffer {
  const embd = o.embd ?? 32;
  const layers = o.layers ?? 1;
  const heads = o.heads ?? 2;
  const ff = o.ff ?? 64;
  const rng = new Rng(o.seed ?? 7);
  const vocab = tinyVocab();
  const nVocab = vocab.tokens.length;
  const kvs: Kv[] = [
    ['general.architecture', 'str', 'llama'],
    ['general.name', 'str', 'segue-tiny-test'],
    ['general.alignment', 'u32', ALIGN],
    ['llama.context_length', 'u32', 8192], // character-level tokens: the paper's prompts need room
    ['llama.embedding_length', 'u32', embd],
    ['llama.block_count', 'u32', layers],
    ['llama.feed_forward_length', 'u32', ff],
    ['llama.attention.head_count', 'u32', heads],
    ['llama.attention.head_count_kv', 'u32', heads],
    ['llama.rope.dimension_count', 'u32', embd / heads],
    ['llama.attention.layer_norm_rms_epsilon', 'f32', 1e-5],
    ['llama.vocab_size', 'u32', nVocab],
    ['tokenizer.ggml.model', 'str', 'llama'],
    ['tokenizer.ggml.tokens', 'strs', vocab.tokens],
    ['tokenizer.ggml.scores', 'f32s', vocab.scores],
    ['tokenizer.ggml.token_type', 'i32s', vocab.types],
    ['tokenizer.ggml.unknown_token_id', 'u32', 0],
    ['tokenizer.ggml.bos_token_id', 'u32', 1],
    ['tokenizer.ggml.eos_token_id', 'u32', 2],
  ];
  const tensors: { name: string; dims: number[]; init: 'ones' | 'random' }[] = [
    { name: 'token_embd.weight', dims: [embd, nVocab], init: 'random' },
    { name: 'output_norm.weight', dims: [embd], init: 'ones' },
    { name: 'output.weight', dims: [embd, nVocab], init: 'random' },
  ];
  for (let i = 0; i < layers; i++) {
    tensors.push(
      { name: `blk.${i}.attn_norm.weight`, dims: [embd], init: 'ones' },
      { name: `blk.${i}.attn_q.weight`, dims: [embd, embd], init: 'random' },
      { name: `blk.${i}.attn_k.weight`, dims: [embd, embd], init: 'random' },
      { name: `blk.${i}.attn_v.weight`, dims: [embd, embd], init: 'random' },
      { name: `blk.${i}.attn_output.weight`, dims: [embd, embd], init: 'random' },
      { name: `blk.${i}.ffn_norm.weight`, dims: [embd], init: 'ones' },
      { name: `blk.${i}.ffn_gate.weight`, dims: [embd, ff], init: 'random' },
      { name: `blk.${i}.ffn_up.weight`, dims: [embd, ff], init: 'random' },
      { name: `blk.${i}.ffn_down.weight`, dims: [ff, embd], init: 'random' },
    );
  }
  const w = new Writer();
  w.u32(GGUF_MAGIC);
  w.u32(3);
  w.u64(tensors.length);
  w.u64(kvs.length);
  for (const [key, kind, value] of kvs) {
    w.str(key);
    if (kind === 'u32') (w.u32(T.UINT32), w.u32(value as number));
    else if (kind === 'f32') (w.u32(T.FLOAT32), w.f32(value as number));
    else if (kind === 'str') (w.u32(T.STRING), w.str(value as string));
    else {
      const arr = value as (string | number)[];
      w.u32(T.ARRAY);
      w.u32(kind === 'strs' ? T.STRING : kind === 'f32s' ? T.FLOAT32 : T.INT32);
      w.u64(arr.length);
      for (const x of arr) kind === 'strs' ? w.str(x as string) : kind === 'f32s' ? w.f32(x as number) : w.i32(x as number);
    }
  }
  let offset = 0;
  const sizes = tensors.map((t) => t.dims.reduce((a, b) => a * b, 1) * 4);
  tensors.forEach((t, i) => {
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(GGML_F32);
    w.u64(offset);
    offset += Math.ceil(sizes[i]! / ALIGN) * ALIGN;
  });
  w.pad();
  tensors.forEach((t, i) => {
    const data = Buffer.alloc(Math.ceil(sizes[i]! / ALIGN) * ALIGN);
    const n = sizes[i]! / 4;
    for (let j = 0; j < n; j++) data.writeFloatLE(t.init === 'ones' ? 1 : (rng.next() - 0.5) * 0.2, j * 4);
    w.push(data);
  });
  return w.bytes();
}

export function writeTinyGguf(path: string, o: TinyModelOptions = {}): string {
  writeFileSync(path, tinyGguf(o));
  return path;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: node --import tsx scripts/tiny-gguf.ts OUT.gguf');
  writeTinyGguf(out);
  process.stderr.write(`wrote ${out}\n`);
}
