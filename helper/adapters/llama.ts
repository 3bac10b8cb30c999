import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { EngineError } from '../errors.ts';

/**
 * The only module that touches node-llama-cpp. Loads a GGUF instruct model the user points to
 * (never downloads anything), and answers one question at a time under a JSON-schema grammar,
 * with a time limit. llama.cpp runs on the CPU unless SEGUE_LLM_GPU names a backend
 * (auto, cuda, vulkan, metal); node-llama-cpp's prebuilt binaries are used, never a local build.
 * SEGUE_LLM_THREADS sets llama.cpp's CPU threads (default: all cores but one).
 */

export interface Llm {
  readonly path: string;
  /** The model's JSON answer (parsed, not yet validated), or a thrown error. */
  ask(system: string, user: string, schema: object, o: { seed: number; signal?: AbortSignal }): Promise<unknown>;
  close(): Promise<void>;
}

/** Refuses what cannot be a GGUF before llama.cpp sees it: clearer messages, and no native crash on garbage. */
export function checkGguf(path: string): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    throw new EngineError(`the LLM model ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? e}); give the path of a .gguf file`);
  }
  const head = Buffer.alloc(8);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 8, 0);
  } finally {
    closeSync(fd);
  }
  if (size < 64 || head.toString('latin1', 0, 4) !== 'GGUF') throw new EngineError(`${path} is not a GGUF model file (it does not start with "GGUF"); give a GGUF instruct model`);
  const version = head.readUInt32LE(4);
  if (version < 2 || version > 3) throw new EngineError(`${path} is GGUF version ${version}; llama.cpp reads versions 2 and 3`);
}

export async function openLlm(path: string, o: { timeoutMs: number }): Promise<Llm> {
  checkGguf(path);
  const { getLlama, LlamaChatSession, LlamaLogLevel } = await import('node-llama-cpp');
  const gpu = process.env.SEGUE_LLM_GPU;
  let llama;
  let model;
  try {
    llama = await getLlama({ gpu: gpu ? (gpu as 'auto' | 'cuda' | 'vulkan' | 'metal') : false, build: 'never', logLevel: LlamaLogLevel.error, logger: () => undefined });
    model = await llama.loadModel({ modelPath: path });
  } catch (e) {
    await llama?.dispose().catch(() => undefined);
    throw new EngineError(`llama.cpp could not load ${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  // The paper's few-shot director prompt is about 800 tokens for a real tokenizer; 8192 leaves room for any.
  // One core is left free: llama.cpp's threads spin-wait, and on a busy machine (the render pool,
  // ffmpeg, other jobs) a thread per core made a tiny model 100x slower here. SEGUE_LLM_THREADS overrides.
  const threads = Number(process.env.SEGUE_LLM_THREADS) || Math.max(1, availableParallelism() - 1);
  const context = await model.createContext({ contextSize: Math.min(8192, model.trainContextSize || 8192), threads });
  return {
    path,
    async ask(system, user, schema, q) {
      const grammar = await llama.createGrammarForJsonSchema(schema as never);
      const sequence = context.getSequence();
      const session = new LlamaChatSession({ contextSequence: sequence, systemPrompt: system });
      const timeout = AbortSignal.timeout(o.timeoutMs);
      const signal = q.signal ? AbortSignal.any([q.signal, timeout]) : timeout;
      try {
        const text = await session.prompt(user, { grammar, maxTokens: 300, temperature: 0.2, seed: q.seed, signal });
        try {
          return JSON.parse(text);
        } catch {
          throw new EngineError('the model stopped before finishing its JSON answer');
        }
      } catch (e) {
        if (timeout.aborted) throw new EngineError(`no answer within ${Math.round(o.timeoutMs / 1000)} s`);
        throw e;
      } finally {
        session.dispose();
        sequence.dispose();
      }
    },
    async close() {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}
