import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { Rng } from '../helper/core/compose/rng.ts';
import { tagPrompts } from '../helper/core/vision.ts';
import { onnxModel, type Graph } from './onnx-writer.ts';

/**
 * Writes a tiny CLIP model folder in the layout Hugging Face's ONNX exports use (the one a user
 * points `--vision` at): onnx/vision_model.onnx (pixel_values -> image_embeds),
 * onnx/text_model.onnx (input_ids, attention_mask -> text_embeds), a CLIP-style byte-level BPE
 * tokenizer.json, tokenizer_config.json, preprocessor_config.json with CLIP's real normalisation,
 * and config.json. onnxruntime runs it like the real thing.
 *
 * It is designed rather than random where the tests need meaning: its image embedding is the mean
 * colour of the (normalised) picture plus a little texture, and the words "daylight", "night" and
 * "sunset" point at bright, dark and orange colours, so a dark scene really is tagged "night".
 * Every other word gets a random vector (so the other categories give arbitrary, deterministic
 * tags) and template words ("a photo of ...") none.
 *
 * Usage: node --import tsx scripts/tiny-clip.ts OUT_DIR [siglip]
 */

const DIM = 8;
const PATCH = 32;
const SIZE = 224;
const MEAN = [0.48145466, 0.4578275, 0.40821073];
const STD = [0.26862954, 0.26130258, 0.27577711];
const SPLIT = "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

const COLOUR_WORDS: Record<string, [number, number, number]> = {
  daylight: [1, 1, 1],
  night: [-1, -1, -0.8],
  sunset: [1, -0.4, -0.9],
};
const SILENT_WORDS = new Set(['a', 'an', 'the', 'of', 'photo', 'scene', 'in', 'at', 'people']);

/** GPT-2's reversible byte -> printable character map, which CLIP's byte-level BPE uses. */
function byteChars(): string[] {
  const keep = [...Array(256).keys()].filter((b) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174);
  let extra = 0;
  return [...Array(256).keys()].map((b) => String.fromCodePoint(keep.includes(b) ? b : 256 + extra++));
}

interface TokenizerFiles {
  json: object;
  config: object;
  vocabSize: number;
}

/** SigLIP's kind: a SentencePiece Unigram vocabulary with whole words as pieces, "</s>" appended. */
export function unigramFiles(words: string[]): TokenizerFiles {
  const pieces: [string, number][] = [['<pad>', 0], ['</s>', 0], ['<unk>', 0], ['\u2581', -5]];
  for (const c of 'abcdefghijklmnopqrstuvwxyz.,') pieces.push([c, -10]);
  for (const w of words) pieces.push([`\u2581${w}`, -1]);
  const json = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [['<pad>', 0], ['</s>', 1], ['<unk>', 2]].map(([content, id]) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true },
    post_processor: { type: 'TemplateProcessing', single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }, { Sequence: { id: 'B', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      special_tokens: { '</s>': { id: '</s>', ids: [1], tokens: ['</s>'] } } },
    decoder: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 2, vocab: pieces, byte_fallback: false },
  };
  const config = { tokenizer_class: 'SiglipTokenizer', model_max_length: 64, pad_token: '<pad>', eos_token: '</s>', unk_token: '<unk>' };
  return { json, config, vocabSize: pieces.length };
}

/** CLIP's kind: byte-level BPE with "</w>" word ends, <|startoftext|> ... <|endoftext|>. */
function bpeFiles(words: string[]): TokenizerFiles {
  const chars = byteChars();
  const vocab = new Map<string, number>();
  const add = (t: string) => vocab.has(t) || vocab.set(t, vocab.size);
  chars.forEach(add);
  chars.forEach((c) => add(`${c}</w>`));
  // Merges build each word left to right, so every word is one token (checked below).
  const merges: [string, string][] = [];
  const seen = new Set<string>();
  for (const w of words) {
    const sym = [...Buffer.from(w, 'utf8')].map((b) => chars[b]!);
    sym[sym.length - 1] += '</w>';
    let left = sym[0]!;
    for (const right of sym.slice(1)) {
      const key = `${left} ${right}`;
      if (!seen.has(key)) {
        seen.add(key);
        merges.push([left, right]);
      }
      left += right;
      add(left);
    }
  }
  const bos = vocab.size;
  const eos = bos + 1;
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true });
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(bos, '<|startoftext|>'), special(eos, '<|endoftext|>')],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }] },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { Regex: SPLIT }, behavior: 'Removed', invert: true },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
    ] },
    post_processor: { type: 'RobertaProcessing', sep: ['<|endoftext|>', eos], cls: ['<|startoftext|>', bos], trim_offsets: false, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: '<|endoftext|>', continuing_subword_prefix: '', end_of_word_suffix: '</w>', fuse_unk: false, byte_fallback: false,
      vocab: Object.fromEntries(vocab), merges: merges.map(([a, b]) => `${a} ${b}`) },
  };
  const config = { tokenizer_class: 'CLIPTokenizer', model_max_length: 77, bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', pad_token: '<|endoftext|>', unk_token: '<|endoftext|>', do_lower_case: true };
  return { json, config, vocabSize: eos + 1 };
}

/**
 * `kind` siglip writes SigLIP's layout instead: Unigram tokenizer, no crop, mean/std 0.5,
 * pooler_output, no attention mask. `combined` writes one onnx/model.onnx (Optimum's layout).
 */
export function writeTinyClip(dir: string, o: { seed?: number; kind?: 'clip' | 'siglip'; combined?: boolean } = {}): void {
  const siglip = o.kind === 'siglip';
  const seed = o.seed ?? 11;
  const rng = new Rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const prompts = tagPrompts();
  const words = [...new Set(prompts.flatMap((p) => p.toLowerCase().match(/\p{L}+/gu) ?? []))];
  // Coloured and template words first, so their merges come first and nothing splits them.
  const rank = (w: string) => (w in COLOUR_WORDS ? 0 : SILENT_WORDS.has(w) ? 1 : 2);
  words.sort((a, b) => rank(a) - rank(b));
  const { json, config, vocabSize } = siglip ? unigramFiles(words) : bpeFiles(words);
  const tok = new Tokenizer(json, config);

  const table = new Float32Array(vocabSize * DIM);
  const done = new Set<number>();
  for (const w of words) {
    const ids: number[] = tok.encode(w, { add_special_tokens: false }).ids;
    const colour = COLOUR_WORDS[w];
    if (ids.length !== 1 && rank(w) < 2) throw new Error(`tiny CLIP tokenizer splits "${w}" into ${ids.length} tokens`);
    // Other words may split into pieces that they share; a piece keeps the first vector it got.
    for (const id of ids.filter((i) => !done.has(i))) {
      done.add(id);
      if (SILENT_WORDS.has(w)) continue;
      for (let d = 0; d < DIM; d++) table[id * DIM + d] = colour ? (d < 3 ? colour[d]! : 0) : gauss();
    }
  }

  // Patch "embedding": dims 0-2 average each colour channel, the rest are faint random texture filters.
  const area = PATCH * PATCH;
  const patch = new Float32Array(DIM * 3 * area);
  for (let e = 0; e < DIM; e++) {
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < area; i++) patch[(e * 3 + c) * area + i] = e < 3 ? (e === c ? 1 / area : 0) : (gauss() * 0.05) / area;
    }
  }
  const imageOut = siglip ? 'pooler_output' : 'image_embeds';
  const vision: Graph = {
    name: 'tiny_clip_vision',
    nodes: [
      { op: 'Conv', inputs: ['pixel_values', 'patch_weight'], outputs: ['patches'], attrs: { kernel_shape: [PATCH, PATCH], strides: [PATCH, PATCH] } },
      { op: 'ReduceMean', inputs: ['patches'], outputs: [imageOut], attrs: { axes: [2, 3], keepdims: 0 } },
    ],
    initializers: [{ name: 'patch_weight', type: 'float', dims: [DIM, 3, PATCH, PATCH], data: patch }],
    inputs: [{ name: 'pixel_values', type: 'float', shape: ['batch_size', 3, SIZE, SIZE] }],
    outputs: [{ name: imageOut, type: 'float', shape: ['batch_size', DIM] }],
  };
  const text: Graph = siglip ? {
    name: 'tiny_siglip_text',
    nodes: [
      { op: 'Gather', inputs: ['token_embedding', 'input_ids'], outputs: ['embedded'], attrs: { axis: 0 } },
      { op: 'ReduceSum', inputs: ['embedded', 'sequence_axis'], outputs: ['pooler_output'], attrs: { keepdims: 0 } },
    ],
    initializers: [
      { name: 'token_embedding', type: 'float', dims: [vocabSize, DIM], data: table },
      { name: 'sequence_axis', type: 'int64', dims: [1], data: BigInt64Array.from([1n]) },
    ],
    inputs: [{ name: 'input_ids', type: 'int64', shape: ['batch_size', 'sequence_length'] }],
    outputs: [{ name: 'pooler_output', type: 'float', shape: ['batch_size', DIM] }],
  } : {
    name: 'tiny_clip_text',
    nodes: [
      { op: 'Gather', inputs: ['token_embedding', 'input_ids'], outputs: ['embedded'], attrs: { axis: 0 } },
      { op: 'Cast', inputs: ['attention_mask'], outputs: ['mask_f'], attrs: { to: 1 } },
      { op: 'Unsqueeze', inputs: ['mask_f', 'last_axis'], outputs: ['mask_3d'] },
      { op: 'Mul', inputs: ['embedded', 'mask_3d'], outputs: ['masked'] },
      { op: 'ReduceSum', inputs: ['masked', 'sequence_axis'], outputs: ['text_embeds'], attrs: { keepdims: 0 } },
    ],
    initializers: [
      { name: 'token_embedding', type: 'float', dims: [vocabSize, DIM], data: table },
      { name: 'last_axis', type: 'int64', dims: [1], data: BigInt64Array.from([2n]) },
      { name: 'sequence_axis', type: 'int64', dims: [1], data: BigInt64Array.from([1n]) },
    ],
    inputs: [
      { name: 'input_ids', type: 'int64', shape: ['batch_size', 'sequence_length'] },
      { name: 'attention_mask', type: 'int64', shape: ['batch_size', 'sequence_length'] },
    ],
    outputs: [{ name: 'text_embeds', type: 'float', shape: ['batch_size', DIM] }],
  };

  mkdirSync(join(dir, 'onnx'), { recursive: true });
  if (o.combined) {
    // One graph with both halves, as Optimum exports CLIP; the two batch sizes are independent.
    const rename = (g: Graph, batch: string): Graph => ({
      ...g,
      inputs: g.inputs.map((v) => ({ ...v, shape: v.shape.map((d) => (d === 'batch_size' ? batch : d)) })),
      outputs: g.outputs.map((v) => ({ ...v, shape: v.shape.map((d) => (d === 'batch_size' ? batch : d)) })),
    });
    const [v, t] = [rename(vision, 'image_batch_size'), rename(text, 'text_batch_size')];
    writeFileSync(join(dir, 'onnx', 'model.onnx'), onnxModel({
      name: 'tiny_clip', nodes: [...v.nodes, ...t.nodes], initializers: [...v.initializers, ...t.initializers],
      inputs: [...t.inputs, ...v.inputs], outputs: [...t.outputs, ...v.outputs],
    }, 'segue tiny-clip'));
  } else {
    writeFileSync(join(dir, 'onnx', 'vision_model.onnx'), onnxModel(vision, 'segue tiny-clip'));
    writeFileSync(join(dir, 'onnx', 'text_model.onnx'), onnxModel(text, 'segue tiny-clip'));
  }
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(config, null, 2));
  writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify(siglip
    ? { image_processor_type: 'SiglipImageProcessor', do_resize: true, size: { height: SIZE, width: SIZE }, resample: 3, do_rescale: true, rescale_factor: 1 / 255, do_normalize: true, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5] }
    : { image_processor_type: 'CLIPImageProcessor', do_resize: true, size: { shortest_edge: SIZE }, resample: 3, do_center_crop: true, crop_size: { height: SIZE, width: SIZE }, do_rescale: true, rescale_factor: 1 / 255, do_normalize: true, image_mean: MEAN, image_std: STD }, null, 2));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: siglip ? 'siglip' : 'clip', projection_dim: DIM, _note: 'tiny test model written by scripts/tiny-clip.ts; it knows colours, nothing else' }, null, 2));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node --import tsx scripts/tiny-clip.ts OUT_DIR [siglip]');
    process.exit(2);
  }
  const kind = process.argv[3] === 'siglip' ? 'siglip' : 'clip';
  writeTinyClip(out, { kind });
  console.log(`wrote a tiny ${kind === 'siglip' ? 'SigLIP' : 'CLIP'} model to ${out}`);
}
