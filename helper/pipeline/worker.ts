import { parentPort, workerData } from 'node:worker_threads';
import { loadSoundFont } from '../adapters/synth.ts';
import type { CueJob } from '../core/layout.ts';
import type { MasterResult } from '../core/master.ts';
import { asSegueError, SegueError } from '../errors.ts';
import { renderCue } from './render-cue.ts';

/** Worker thread entry: renders cue jobs posted by the pool, one at a time. */

/** What the pool starts a worker with: a SoundFont to decode before the first job (a long-lived helper's pool). */
export interface WorkerStart {
  warmSoundFont?: string;
}
export interface WorkerRequest {
  id: number;
  job: CueJob;
  wavPath: string;
  /** Where the render before mastering is kept (render-store.ts). */
  renderPath?: string;
}

export type WorkerReply =
  | { id: number; ok: true; result: MasterResult }
  | { id: number; ok: false; error: { name: string; message: string; code: string | undefined } };

// Decoding a SoundFont takes about a second and a half of CPU; done at start, the first render does
// not wait for it. Jobs posted meanwhile queue behind it. A SoundFont that fails to load is reported
// by the render that needs it, with the render's context.
const start = (workerData ?? {}) as WorkerStart;
if (start.warmSoundFont) {
  try {
    loadSoundFont(start.warmSoundFont);
  } catch {
    // reported by the first render that uses it
  }
}

parentPort?.on('message', async (req: WorkerRequest) => {
  try {
    const result = await renderCue(req.job, req.wavPath, req.renderPath);
    parentPort!.postMessage({ id: req.id, ok: true, result } satisfies WorkerReply);
  } catch (e) {
    const err = asSegueError(e) ?? (e as Error);
    parentPort!.postMessage({ id: req.id, ok: false, error: { name: err.name, message: err.message, code: err instanceof SegueError ? err.code : undefined } } satisfies WorkerReply);
  }
});
