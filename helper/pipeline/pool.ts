import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CueJob } from '../core/layout.ts';
import type { MasterResult } from '../core/master.ts';
import { EngineError, InterruptedError, MusicParameterError } from '../errors.ts';
import type { WorkerRequest } from './worker.ts';

/**
 * A small pool of worker threads that render cues in parallel (one per core by default). Jobs are
 * independent, so order of completion does not matter; results are matched by id.
 */

const defaultWorkerUrl = new URL(import.meta.url.endsWith('.ts') ? '../../dist/worker.js' : './worker.js', import.meta.url);

export class RenderPool {
  private workers: Worker[] = [];
  private idle: Worker[] = [];
  private queue: { req: WorkerRequest; resolve: (r: MasterResult) => void; reject: (e: Error) => void }[] = [];
  private inflight = new Map<number, { resolve: (r: MasterResult) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private closed = false;

  constructor(size = Math.max(1, Math.min(availableParallelism(), 4)), workerUrl: URL = defaultWorkerUrl) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(workerUrl);
      w.on('message', (m: { id: number; ok: boolean; result?: MasterResult; error?: { name: string; message: string; code?: string } }) => {
        const p = this.inflight.get(m.id);
        this.inflight.delete(m.id);
        this.idle.push(w);
        if (p) {
          if (m.ok) p.resolve(m.result!);
          else p.reject(m.error?.code === 'music-parameter' ? new MusicParameterError(m.error.message) : new EngineError(m.error?.message ?? 'render failed'));
        }
        this.pump();
      });
      w.on('error', (e) => this.failAll(new EngineError(`a render worker crashed: ${e.message}`)));
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  render(job: CueJob, wavPath: string): Promise<MasterResult> {
    if (this.closed) return Promise.reject(new InterruptedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { id: this.nextId++, job, wavPath }, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const t = this.queue.shift()!;
      this.inflight.set(t.req.id, t);
      w.postMessage(t.req);
    }
  }

  private failAll(e: Error): void {
    for (const t of this.queue) t.reject(e);
    for (const p of this.inflight.values()) p.reject(e);
    this.queue = [];
    this.inflight.clear();
  }

  /** Stops every worker; pending renders reject. Cache entries are atomic, so nothing half-written remains. */
  async close(reason: Error = new InterruptedError()): Promise<void> {
    this.closed = true;
    this.failAll(reason);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
