import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../helper/core/compose/rng.ts';
import { STYLES } from '../helper/core/compose/styles.ts';
import { onnxModel, type Graph, type Tensor } from './onnx-writer.ts';
import { unigramFiles } from './tiny-clip.ts';

/**
 * Writes a tiny MusicGen folder in the layout of a transformers.js export such as
 * Xenova/musicgen-small, so the neural engine's whole path runs in tests on the CPU in seconds:
 *
 *   onnx/text_encoder.onnx           input_ids, attention_mask -> last_hidden_state
 *   onnx/decoder_model_merged.onnx   input_ids [batch*codebooks, seq], encoder_hidden_states,
 *                                    encoder_attention_mask, past_key_values.0.{decoder,encoder}.{key,value},
 *                                    use_cache_branch -> logits [batch*codebooks, seq, vocab], present.0.*
 *   onnx/encodec_decode.onnx         audio_codes [1, batch, codebooks, frames] -> audio_values [batch, 1, frames*640]
 *   config.json, generation_config.json, tokenizer.json (T5's SentencePiece kind), tokenizer_config.json,
 *   preprocessor_config.json
 *
 * The real names, shapes and config fields, tiny sizes (4 codebooks of 64 tokens, 2 heads of 4, one
 * layer) and a short window (max_length 150 steps, 3 s) so windowed continuation is exercised. It is
 * designed where tests need meaning: the text conditioning shifts the logits (two prompts give
 * different music, an all-zero mask gives the unconditional branch), the history feeds back through
 * the past keys, and each token decodes to a 20 ms grain of a pitch with a decaying envelope, so the
 * audio has onsets and pitch.
 *
 * Usage: node --import tsx scripts/tiny-musicgen.ts OUT_DIR
 */

const CODEBOOKS = 4;
const VOCAB = 64;
const PAD = VOCAB; // MusicGen's pad / decoder start token is vocab_size
const HEADS = 2;
const HEAD_DIM = 4;
const D = HEADS * HEAD_DIM;
const D_TEXT = 8;
const HOP = 640; // EnCodec 32 kHz: 8*5*4*4 samples per frame, 50 frames a second
const RATE = 32000;

const f32 = (name: string, dims: number[], f: (i: number) => number): Tensor => ({ name, type: 'float', dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => f(i)) });
const i64 = (name: string, values: number[]): Tensor => ({ name, type: 'int64', dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });

/** The words the tiny tokenizer knows: every style's genre and instrument words, moods, and prompt labels. */
function vocabulary(): string[] {
  const words = new Set<string>();
  const add = (s: string) => s.toLowerCase().split(/[^a-z]+/).filter(Boolean).forEach((w) => words.add(w));
  for (const s of STYLES) {
    s.genre.forEach(add);
    s.parts.forEach((p) => add(p.name));
    add(s.id);
  }
  'genre key bpm instruments mood major minor dorian lydian phrygian mixolydian warm peaceful calm dark tense joyful melancholic reflective energetic bright sharp flat'.split(' ').forEach(add);
  return [...words].sort();
}

export function writeTinyMusicgen(dir: string, o: { seed?: number } = {}): void {
  const rng = new Rng(o.seed ?? 11);
  const r = () => rng.next() * 2 - 1;
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const words = vocabulary();
  const { json, vocabSize } = unigramFiles(words);

  const text: Graph = {
    name: 'tiny_t5_encoder',
    inputs: [{ name: 'input_ids', type: 'int64', shape: ['batch_size', 'encoder_sequence_length'] }, { name: 'attention_mask', type: 'int64', shape: ['batch_size', 'encoder_sequence_length'] }],
    outputs: [{ name: 'last_hidden_state', type: 'float', shape: ['batch_size', 'encoder_sequence_length', D_TEXT] }],
    initializers: [f32('shared.weight', [vocabSize, D_TEXT], r), i64('last_axis', [-1])],
    nodes: [
      { op: 'Gather', inputs: ['shared.weight', 'input_ids'], outputs: ['embedded'] },
      { op: 'Cast', inputs: ['attention_mask'], outputs: ['mask_f'], attrs: { to: 1 } },
      { op: 'Unsqueeze', inputs: ['mask_f', 'last_axis'], outputs: ['mask_3d'] },
      { op: 'Mul', inputs: ['embedded', 'mask_3d'], outputs: ['last_hidden_state'] },
    ],
  };

  const past = (k: 'decoder' | 'encoder', kv: 'key' | 'value') => `past_key_values.0.${k}.${kv}`;
  const present = (k: 'decoder' | 'encoder', kv: 'key' | 'value') => `present.0.${k}.${kv}`;
  const kvShape = (len: string) => ['batch_size_x_codebooks', HEADS, len, HEAD_DIM];
  const decoder: Graph = {
    name: 'tiny_musicgen_decoder_merged',
    inputs: [
      { name: 'input_ids', type: 'int64', shape: ['batch_size_x_codebooks', 'decoder_sequence_length'] },
      { name: 'encoder_attention_mask', type: 'int64', shape: ['batch_size', 'encoder_sequence_length'] },
      { name: 'encoder_hidden_states', type: 'float', shape: ['batch_size', 'encoder_sequence_length', D_TEXT] },
      { name: past('decoder', 'key'), type: 'float', shape: kvShape('past_decoder_sequence_length') },
      { name: past('decoder', 'value'), type: 'float', shape: kvShape('past_decoder_sequence_length') },
      { name: past('encoder', 'key'), type: 'float', shape: kvShape('encoder_sequence_length_out') },
      { name: past('encoder', 'value'), type: 'float', shape: kvShape('encoder_sequence_length_out') },
      { name: 'use_cache_branch', type: 'bool', shape: [1] },
    ],
    outputs: [
      { name: 'logits', type: 'float', shape: ['batch_size_x_codebooks', 'decoder_sequence_length', VOCAB] },
      { name: present('decoder', 'key'), type: 'float', shape: kvShape('past_decoder_sequence_length + 1') },
      { name: present('decoder', 'value'), type: 'float', shape: kvShape('past_decoder_sequence_length + 1') },
      { name: present('encoder', 'key'), type: 'float', shape: kvShape('encoder_sequence_length_out') },
      { name: present('encoder', 'value'), type: 'float', shape: kvShape('encoder_sequence_length_out') },
    ],
    initializers: [
      f32('embed_tokens', [VOCAB + 1, D], r),
      f32('lm_heads', [D, VOCAB], () => 1.5 * r()),
      f32('history_proj', [D, VOCAB], () => 2 * r()),
      f32('enc_to_dec_proj', [D_TEXT, VOCAB], () => 3 * r()),
      i64('split_heads', [0, 0, HEADS, HEAD_DIM]),
      i64('merge_heads', [0, 1, D]),
      i64('axis_last', [-1]),
      i64('axis_1', [1]),
      i64('per_codebook', [1, CODEBOOKS, 1]),
      i64('rows_of_codebooks', [-1, 1, VOCAB]),
      f32('eps', [1], () => 1e-6),
    ],
    nodes: [
      // The new tokens' keys and values join the history (the decoder cache grows by seq).
      { op: 'Gather', inputs: ['embed_tokens', 'input_ids'], outputs: ['x'] },
      { op: 'Reshape', inputs: ['x', 'split_heads'], outputs: ['x_heads'] },
      { op: 'Transpose', inputs: ['x_heads'], outputs: ['kv_new'], attrs: { perm: [0, 2, 1, 3] } },
      { op: 'Concat', inputs: [past('decoder', 'key'), 'kv_new'], outputs: [present('decoder', 'key')], attrs: { axis: 2 } },
      { op: 'Concat', inputs: [past('decoder', 'value'), 'kv_new'], outputs: [present('decoder', 'value')], attrs: { axis: 2 } },
      { op: 'Identity', inputs: [past('encoder', 'key')], outputs: [present('encoder', 'key')] },
      { op: 'Identity', inputs: [past('encoder', 'value')], outputs: [present('encoder', 'value')] },
      // The mean of the whole history, a stand-in for attention over it.
      { op: 'ReduceMean', inputs: [present('decoder', 'value')], outputs: ['hist_heads'], attrs: { axes: [2], keepdims: 1 } },
      { op: 'Transpose', inputs: ['hist_heads'], outputs: ['hist_t'], attrs: { perm: [0, 2, 1, 3] } },
      { op: 'Reshape', inputs: ['hist_t', 'merge_heads'], outputs: ['hist'] },
      // Cross-attention's stand-in: the masked mean of the text states, projected, one row per codebook.
      { op: 'Cast', inputs: ['encoder_attention_mask'], outputs: ['enc_mask_f'], attrs: { to: 1 } },
      { op: 'Unsqueeze', inputs: ['enc_mask_f', 'axis_last'], outputs: ['enc_mask_3d'] },
      { op: 'Mul', inputs: ['encoder_hidden_states', 'enc_mask_3d'], outputs: ['enc_masked'] },
      { op: 'ReduceSum', inputs: ['enc_masked', 'axis_1'], outputs: ['enc_sum'], attrs: { keepdims: 0 } },
      { op: 'ReduceSum', inputs: ['enc_mask_f', 'axis_1'], outputs: ['enc_count'], attrs: { keepdims: 1 } },
      { op: 'Add', inputs: ['enc_count', 'eps'], outputs: ['enc_count_eps'] },
      { op: 'Div', inputs: ['enc_sum', 'enc_count_eps'], outputs: ['text_mean'] },
      { op: 'MatMul', inputs: ['text_mean', 'enc_to_dec_proj'], outputs: ['cond'] },
      { op: 'Unsqueeze', inputs: ['cond', 'axis_1'], outputs: ['cond_3d'] },
      { op: 'Expand', inputs: ['cond_3d', 'per_codebook'], outputs: ['cond_cb'] },
      { op: 'Reshape', inputs: ['cond_cb', 'rows_of_codebooks'], outputs: ['cond_rows'] },
      { op: 'MatMul', inputs: ['x', 'lm_heads'], outputs: ['token_logits'] },
      { op: 'MatMul', inputs: ['hist', 'history_proj'], outputs: ['hist_logits'] },
      { op: 'Add', inputs: ['token_logits', 'hist_logits'], outputs: ['tl_hl'] },
      { op: 'Add', inputs: ['tl_hl', 'cond_rows'], outputs: ['logits'] },
    ],
  };

  // Each token is a 20 ms grain: a pitch from a pentatonic ladder, struck and decaying.
  const grain = (token: number, i: number) => {
    if (token === PAD) return 0;
    const ladder = [0, 2, 4, 7, 9];
    const semis = 12 * Math.floor(token / 5 % 4) + ladder[token % 5]!;
    const hz = 110 * 2 ** (semis / 12);
    return 0.12 * Math.exp((-4 * i) / HOP) * Math.sin((2 * Math.PI * hz * i) / RATE);
  };
  const encodec: Graph = {
    name: 'tiny_encodec_decode',
    inputs: [{ name: 'audio_codes', type: 'int64', shape: [1, 'batch_size', CODEBOOKS, 'chunk_length'] }],
    outputs: [{ name: 'audio_values', type: 'float', shape: ['batch_size', 1, 'audio_length'] }],
    initializers: [f32('grains', [VOCAB + 1, HOP], (i) => grain(Math.floor(i / HOP), i % HOP)), i64('codebook_axis', [2]), i64('flat', [0, 0, -1])],
    nodes: [
      { op: 'Gather', inputs: ['grains', 'audio_codes'], outputs: ['grain_rows'] },
      { op: 'ReduceSum', inputs: ['grain_rows', 'codebook_axis'], outputs: ['frames'], attrs: { keepdims: 0 } },
      { op: 'Reshape', inputs: ['frames', 'flat'], outputs: ['flat_audio'] },
      { op: 'Transpose', inputs: ['flat_audio'], outputs: ['audio_values'], attrs: { perm: [1, 0, 2] } },
    ],
  };

  writeFileSync(join(dir, 'onnx', 'text_encoder.onnx'), onnxModel(text, 'segue tiny-musicgen'));
  writeFileSync(join(dir, 'onnx', 'decoder_model_merged.onnx'), onnxModel(decoder, 'segue tiny-musicgen'));
  writeFileSync(join(dir, 'onnx', 'encodec_decode.onnx'), onnxModel(encodec, 'segue tiny-musicgen'));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'T5Tokenizer', model_max_length: 512, pad_token: '<pad>', eos_token: '</s>', unk_token: '<unk>' }, null, 2));
  writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify({ feature_extractor_type: 'EncodecFeatureExtractor', feature_size: 1, sampling_rate: RATE, padding_side: 'right', padding_value: 0, return_attention_mask: true, chunk_length_s: null, overlap: null }, null, 2));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({
    _note: 'tiny test model written by scripts/tiny-musicgen.ts: the shapes and names of musicgen-small, none of its music',
    architectures: ['MusicgenForConditionalGeneration'], model_type: 'musicgen', is_encoder_decoder: true,
    decoder: { model_type: 'musicgen_decoder', num_codebooks: CODEBOOKS, vocab_size: VOCAB, pad_token_id: PAD, bos_token_id: PAD, num_hidden_layers: 1, num_attention_heads: HEADS, hidden_size: D, ffn_dim: 4 * D, max_position_embeddings: 2048, audio_channels: 1 },
    text_encoder: { model_type: 't5', d_model: D_TEXT, vocab_size: vocabSize, num_layers: 1 },
    audio_encoder: { model_type: 'encodec', sampling_rate: RATE, audio_channels: 1, codebook_size: VOCAB, upsampling_ratios: [8, 5, 4, 4], frame_rate: RATE / HOP },
  }, null, 2));
  writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ decoder_start_token_id: PAD, pad_token_id: PAD, bos_token_id: PAD, do_sample: true, guidance_scale: 3.0, top_k: 16, max_length: 150 }, null, 2));
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node --import tsx scripts/tiny-musicgen.ts OUT_DIR');
    process.exit(2);
  }
  writeTinyMusicgen(out);
  console.log(`tiny MusicGen written to ${out}`);
}
