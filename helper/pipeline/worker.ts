import { parentPort } from 'node:worker_threads';
import type { CueJob } from '../core/layout.ts';
import type { MasterResult } from '../core/master.ts';
import { asSegueError, SegueError } from '../errors.ts';
import { renderCue } from './render-cue.ts';

/** Worker thread entry: renders cue jobs posted by the pool, one at a time. */
export interface WorkerRequest {
  id: number;
  job: CueJob;
  wavPath: string;
}

export type WorkerReply =
  | { id: number; ok: true; result: MasterResult }
  | { id: number; ok: false; error: { name: string; message: string; code: string | undefined } };

parentPort?.on('message', async (req: WorkerRequest) => {
  try {
    const result = await renderCue(req.job, req.wavPath);
    parentPort!.postMessage({ id: req.id, ok: true, result } satisfies WorkerReply);
  } catch (e) {
    const err = asSegueError(e) ?? (e as Error);
    parentPort!.postMessage({ id: req.id, ok: false, error: { name: err.name, message: err.message, code: err instanceof SegueError ? err.code : undefined } } satisfies WorkerReply);
  }
});
