import { createRequire } from 'node:module';
import { EngineError } from '../errors.ts';

/**
 * The only module that touches the voice activity detector: WebRTC's VAD (libfvad) compiled to
 * WebAssembly, from @echogarden/fvad-wasm. No native build, no model file. It takes 16 kHz mono
 * 16-bit audio in 30 ms frames and says, per frame, whether someone is speaking.
 */

export const VAD_RATE = 16000;
export const VAD_FRAME = 480; // 30 ms

interface FvadModule {
  _fvad_new(): number;
  _fvad_free(inst: number): void;
  _fvad_set_mode(inst: number, mode: number): number;
  _fvad_set_sample_rate(inst: number, rate: number): number;
  _fvad_process(inst: number, frame: number, length: number): number;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAP16: Int16Array;
}

export interface Vad {
  /** 1 when the frame (exactly VAD_FRAME samples) holds speech. */
  frame(samples: Int16Array): number;
  close(): void;
}

/** Mode 0-3: higher is stricter about calling a frame speech (3 = "very aggressive"). */
export async function openVad(mode = 2): Promise<Vad> {
  let m: FvadModule;
  try {
    // The package is ESM with a wasm file beside it; resolve it the way Node would.
    const url = createRequire(import.meta.url).resolve('@echogarden/fvad-wasm');
    const factory = (await import(url)).default as () => Promise<FvadModule>;
    m = await factory();
  } catch (e) {
    throw new EngineError(`the voice activity detector could not start (${(e as Error).message}); reinstall with npm ci`);
  }
  const inst = m._fvad_new();
  if (!inst || m._fvad_set_mode(inst, mode) !== 0 || m._fvad_set_sample_rate(inst, VAD_RATE) !== 0) throw new EngineError('the voice activity detector refused its settings');
  const ptr = m._malloc(VAD_FRAME * 2);
  return {
    frame(samples) {
      m.HEAP16.set(samples, ptr >> 1);
      return m._fvad_process(inst, ptr, VAD_FRAME) === 1 ? 1 : 0;
    },
    close() {
      m._free(ptr);
      m._fvad_free(inst);
    },
  };
}
