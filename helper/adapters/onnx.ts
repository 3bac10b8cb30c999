import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { z } from 'zod';
import { pixelValues } from '../core/vision.ts';
import { EngineError } from '../errors.ts';
import type { FrameFit } from './ffmpeg.ts';

/**
 * The only module that loads onnxruntime-node (adapters/musicgen.ts runs its sessions through
 * loadOrt/openSession here): a CLIP or SigLIP model exported to ONNX the way
 * Hugging Face's exporters lay it out (a folder the user gives; nothing is downloaded):
 *
 *   onnx/vision_model.onnx   pixel_values [batch, 3, S, S] -> image_embeds (or pooler_output)
 *   onnx/text_model.onnx     input_ids [, attention_mask]  -> text_embeds (or pooler_output)
 *   tokenizer.json, tokenizer_config.json, preprocessor_config.json, config.json
 *
 * or, instead of the two graphs, one combined onnx/model.onnx with both inputs and image_embeds
 * and text_embeds outputs (Optimum's default CLIP export). The .onnx files may also sit in the
 * folder itself; a quantized variant is used when it is the only one. Text goes through @huggingface/tokenizers, which reads tokenizer.json as the Python
 * library does (CLIP's byte-level BPE, SigLIP's SentencePiece). Runs on the CPU unless
 * SEGUE_VISION_EP lists other execution providers (cuda, dml, coreml; see README "GPU").
 */

const Preprocessor = z.object({
  size: z.union([z.number().int().positive(), z.object({ shortest_edge: z.number().int().positive() }), z.object({ height: z.number().int().positive(), width: z.number().int().positive() })]),
  crop_size: z.union([z.number().int().positive(), z.object({ height: z.number().int().positive(), width: z.number().int().positive() })]).optional(),
  do_center_crop: z.boolean().optional(),
  image_mean: z.array(z.number()).length(3),
  image_std: z.array(z.number().positive()).length(3),
});

export interface VisionModel {
  readonly dir: string;
  readonly kind: 'clip' | 'siglip';
  /** The square side the vision model takes, and how a frame is fitted to it. */
  readonly size: number;
  readonly fit: FrameFit;
  embedImages(frames: readonly Uint8Array[]): Promise<Float32Array[]>;
  embedTexts(texts: readonly string[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

type Ort = typeof import('onnxruntime-node');
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

const HELP = 'give the folder of a CLIP or SigLIP ONNX export (onnx/vision_model.onnx, onnx/text_model.onnx, tokenizer.json, preprocessor_config.json)';

function readJson(dir: string, name: string, required: boolean): unknown {
  const path = join(dir, name);
  if (!existsSync(path)) {
    if (required) throw new EngineError(`the vision model folder ${dir} has no ${name}; ${HELP}`);
    return {};
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new EngineError(`${path} is not valid JSON (${(e as Error).message}); export the model again`);
  }
}

/** onnx/STEM.onnx or STEM.onnx, else the first quantized or other variant (STEM_*.onnx); null when none. */
export function onnxFile(dir: string, stem: string): string | null {
  for (const sub of [join(dir, 'onnx'), dir]) {
    if (!existsSync(sub)) continue;
    if (existsSync(join(sub, `${stem}.onnx`))) return join(sub, `${stem}.onnx`);
    const variant = readdirSync(sub).filter((f) => f.startsWith(`${stem}_`) && f.endsWith('.onnx')).sort()[0];
    if (variant) return join(sub, variant);
  }
  return null;
}

function missing(dir: string, stem: string): never {
  throw new EngineError(`the vision model folder ${dir} has no ${stem}.onnx (looked in ${dir}/onnx and ${dir}); ${HELP}`);
}

async function session(ort: Ort, path: string): Promise<Session> {
  return (await openSession(ort, path, providersFrom(process.env.SEGUE_VISION_EP), (m) => process.stderr.write(`segue: warning: ${m}\n`))).session;
}

/** Execution providers from a comma list ("cuda,cpu"); CPU when none is given. */
export const providersFrom = (list: string | undefined): string[] => (list || 'cpu').split(',').map((x) => x.trim().toLowerCase()).filter(Boolean);

/**
 * An inference session on the providers asked for. When a GPU provider cannot be used here (not
 * installed, no device), the session falls back to the CPU and `announce` says so: a silent
 * fallback would make an editor wait ten times longer without knowing why.
 */
export async function openSession(ort: Ort, path: string, providers: readonly string[], announce: (message: string) => void): Promise<{ session: Session; provider: string }> {
  // A GPU attempt logs only fatal errors: its failure is announced below in one readable line.
  const create = (eps: readonly string[]) => ort.InferenceSession.create(path, { executionProviders: [...eps], intraOpNumThreads: Math.max(1, availableParallelism() - 1), graphOptimizationLevel: 'all', ...(eps.every((p) => p === 'cpu') ? {} : { logSeverityLevel: 4 as const }) });
  const fail = (e: unknown): never => {
    const why = (e as Error).message.split('\n')[0];
    throw new EngineError(`onnxruntime could not load ${path} (${why}); if it is not an ONNX model, export it again`);
  };
  try {
    return { session: await create(providers), provider: providers[0] ?? 'cpu' };
  } catch (e) {
    if (providers.every((p) => p === 'cpu')) fail(e);
    announce(`the ${providers.filter((p) => p !== 'cpu').join('/')} execution provider is not usable on this machine (${(e as Error).message.split('\n')[0]}); running ${path.split('/').pop()} on the CPU instead`);
    try {
      return { session: await create(['cpu']), provider: 'cpu' };
    } catch (e2) {
      return fail(e2);
    }
  }
}

/** onnxruntime-node itself, or a clear error when its native part is missing. */
export async function loadOrt(): Promise<Ort> {
  try {
    const mod = (await import('onnxruntime-node')) as Ort & { default?: Ort };
    return mod.default ?? mod;
  } catch (e) {
    throw new EngineError(`onnxruntime-node could not be loaded (${(e as Error).message.split('\n')[0]}); reinstall with npm ci`);
  }
}

export type { Ort, Session };

function pickOutput(s: Session, path: string, names: string[]): string {
  const found = names.find((n) => s.outputNames.includes(n));
  if (!found) throw new EngineError(`${path} has outputs ${s.outputNames.join(', ')}; a CLIP or SigLIP export has ${names.join(' or ')}`);
  return found;
}

/** Rows of a [n, dim] float tensor. */
function rows(data: Float32Array, n: number): Float32Array[] {
  const dim = data.length / n;
  return Array.from({ length: n }, (_, i) => data.slice(i * dim, (i + 1) * dim));
}

export async function openVisionModel(dir: string): Promise<VisionModel> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new EngineError(`the vision model folder ${dir} does not exist; ${HELP}`);
  const config = readJson(dir, 'config.json', false) as { model_type?: string };
  const pre = Preprocessor.safeParse(readJson(dir, 'preprocessor_config.json', true));
  if (!pre.success) throw new EngineError(`${join(dir, 'preprocessor_config.json')} is not an image processor config (${pre.error.issues[0]?.path.join('.')}: ${pre.error.issues[0]?.message}); export the model again`);
  const tokJson = readJson(dir, 'tokenizer.json', true);
  const tokConfig = readJson(dir, 'tokenizer_config.json', false) as { model_max_length?: number; pad_token?: string | { content: string } };
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(tokJson as object, tokConfig);
  } catch (e) {
    throw new EngineError(`${join(dir, 'tokenizer.json')} is not a tokenizer this helper can read (${(e as Error).message}); export the model again`);
  }
  const kind = config.model_type?.includes('siglip') ? 'siglip' : 'clip';
  const p = pre.data;
  const crop = p.do_center_crop !== false && p.crop_size !== undefined;
  const side = (v: typeof p.size | NonNullable<typeof p.crop_size>) => (typeof v === 'number' ? v : 'shortest_edge' in v ? v.shortest_edge : v.height);
  const size = crop ? side(p.crop_size!) : side(p.size);
  const fit: FrameFit = crop ? 'crop' : 'squash';

  const ort = await loadOrt();
  // Split exports (vision_model + text_model) first; else one combined model.onnx (Optimum's
  // default CLIP export), fed a one-token text or a blank picture for the half not asked for.
  const [visionFile, textFile] = [onnxFile(dir, 'vision_model'), onnxFile(dir, 'text_model')];
  const combined = visionFile || textFile ? null : onnxFile(dir, 'model');
  const visionPath = combined ?? visionFile ?? missing(dir, 'vision_model');
  const textPath = combined ?? textFile ?? missing(dir, 'text_model');
  const vision = await session(ort, visionPath);
  const text = combined ? vision : await session(ort, textPath);
  if (!vision.inputNames.includes('pixel_values')) throw new EngineError(`${visionPath} takes ${vision.inputNames.join(', ')}; a CLIP or SigLIP vision model takes pixel_values`);
  if (!text.inputNames.includes('input_ids')) throw new EngineError(`${textPath} takes ${text.inputNames.join(', ')}; a CLIP or SigLIP text model takes input_ids`);
  const imageOut = pickOutput(vision, visionPath, combined ? ['image_embeds'] : ['image_embeds', 'pooler_output']);
  const textOut = pickOutput(text, textPath, combined ? ['text_embeds'] : ['text_embeds', 'pooler_output']);
  const maxLength = tokConfig.model_max_length && tokConfig.model_max_length < 1e6 ? tokConfig.model_max_length : kind === 'siglip' ? 64 : 77;
  const padName = typeof tokConfig.pad_token === 'object' ? tokConfig.pad_token.content : tokConfig.pad_token;
  const padId = (padName && tokenizer.token_to_id(padName)) ?? 0;
  type Feeds = Record<string, InstanceType<Ort['Tensor']>>;
  const run = async (s: Session, path: string, feeds: Feeds, out: string) => {
    if (combined) {
      // The other half of a combined model still needs its inputs: the smallest valid ones.
      feeds.pixel_values ??= new ort.Tensor('float32', new Float32Array(3 * size * size), [1, 3, size, size]);
      feeds.input_ids ??= new ort.Tensor('int64', BigInt64Array.from([BigInt(padId)]), [1, 1]);
      if (s.inputNames.includes('attention_mask')) feeds.attention_mask ??= new ort.Tensor('int64', BigInt64Array.from([1n]), [1, 1]);
    }
    try {
      return (await s.run(feeds))[out]!;
    } catch (e) {
      throw new EngineError(`${path} failed to run (${(e as Error).message.split('\n')[0]}); the model folder may be damaged or mismatched`);
    }
  };

  return {
    dir, kind, size, fit,
    async embedImages(frames) {
      const out: Float32Array[] = [];
      const per = 3 * size * size;
      for (let i = 0; i < frames.length; i += 8) {
        const batch = frames.slice(i, i + 8);
        const px = new Float32Array(batch.length * per);
        batch.forEach((f, j) => pixelValues(f, size, p.image_mean, p.image_std, px, j * per));
        const t = await run(vision, visionPath, { pixel_values: new ort.Tensor('float32', px, [batch.length, 3, size, size]) }, imageOut);
        out.push(...rows(t.data as Float32Array, batch.length));
      }
      return out;
    },
    async embedTexts(texts) {
      // CLIP pads to the longest prompt with a mask; SigLIP was trained on max-length padding.
      const encoded: number[][] = texts.map((t) => tokenizer.encode(t).ids.slice(0, maxLength));
      const len = kind === 'siglip' ? maxLength : Math.max(...encoded.map((e) => e.length));
      const ids = new BigInt64Array(texts.length * len).fill(BigInt(padId));
      const mask = new BigInt64Array(texts.length * len);
      encoded.forEach((e, i) => e.forEach((id, j) => {
        ids[i * len + j] = BigInt(id);
        mask[i * len + j] = 1n;
      }));
      const feeds: Feeds = { input_ids: new ort.Tensor('int64', ids, [texts.length, len]) };
      if (text.inputNames.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', mask, [texts.length, len]);
      const t = await run(text, textPath, feeds, textOut);
      return rows(t.data as Float32Array, texts.length);
    },
    async close() {
      await Promise.all(combined ? [vision.release()] : [vision.release(), text.release()]);
    },
  };
}

/** The execution providers onnxruntime-node offers on this machine (for the helper's health answer). */
export async function executionProviders(): Promise<string[]> {
  try {
    const ort: Ort = await import('onnxruntime-node');
    return ort.listSupportedBackends().filter((b) => b.bundled).map((b) => b.name); // cuda and tensorrt are listed even when their binaries were not installed
  } catch {
    return [];
  }
}
