import { parentPort } from 'node:worker_threads';
import type { CueJob } from '../core/layout.ts';
import { SegueError } from '../errors.ts';
import { renderCue } from './render-cue.ts';

/** Worker thread entry: renders cue jobs posted by the pool, one at a time. */
export interface WorkerRequest {
  id: number;
  job: CueJob;
  wavPath: string;
}

parentPort?.on('message', async (req: WorkerRequest) => {
  try {
    const result = await renderCue(req.job, req.wavPath);
    parentPort!.postMessage({ id: req.id, ok: true, result });
  } catch (e) {
    const err = e as Error;
    parentPort!.postMessage({ id: req.id, ok: false, error: { name: err.name, message: err.message, code: e instanceof SegueError ? e.code : undefined } });
  }
});
