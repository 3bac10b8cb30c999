import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CueJob } from '../core/layout.ts';
import type { MasterResult } from '../core/master.ts';
import { EngineError, InterruptedError, MusicParameterError, OutputError } from '../errors.ts';
import type { WorkerReply, WorkerRequest, WorkerStart } from './worker.ts';

/**
 * A small pool of worker threads that render cues in parallel (one per core by default). Jobs are
 * independent, so order of completion does not matter; results are matched by id. The helper keeps
 * one pool for its lifetime, so each worker's decoded SoundFont stays resident between requests.
 * A render whose signal aborts is dropped from the queue or, when already running, left to finish
 * into the cache (its writes are atomic) while its caller is released at once. A worker that dies
 * fails only the render it was doing and is replaced.
 */

const defaultWorkerUrl = new URL(import.meta.url.endsWith('.ts') ? '../../dist/worker.js' : './worker.js', import.meta.url);

interface Task {
  req: WorkerRequest;
  resolve: (r: MasterResult) => void;
  reject: (e: Error) => void;
}

/**
 * Cores this process may use: the CPUs Node sees, less a container's CPU quota (cgroup v2 cpu.max,
 * "quota period" or "max"), which availableParallelism() does not apply: a container limited to two
 * CPUs on a 32-core host would otherwise start 32 renders competing for two cores.
 */
export function coresAllowed(parallelism: number, cpuMax: string | null): number {
  const m = cpuMax ? /^(\d+)\s+(\d+)/.exec(cpuMax.trim()) : null;
  const quota = m ? Math.floor(Number(m[1]) / Number(m[2])) : Infinity;
  return Math.max(1, Math.min(parallelism, quota));
}

export function usableCores(): number {
  let cpuMax: string | null = null;
  try {
    cpuMax = readFileSync('/sys/fs/cgroup/cpu.max', 'utf8');
  } catch {
    // not Linux, or cgroup v1: no quota to apply
  }
  return coresAllowed(availableParallelism(), cpuMax);
}

export class RenderPool {
  private workers = new Set<Worker>();
  private idle: Worker[] = [];
  private queue: Task[] = [];
  private running = new Map<Worker, Task>();
  private nextId = 0;
  private closed = false;

  /** One worker per usable core, at most four: more threads than cores only adds switching and memory. */
  static defaultSize(): number {
    return Math.min(usableCores(), 4);
  }

  /** `start.warmSoundFont`: each worker decodes it as it starts (the helper's pool, which outlives many requests). */
  constructor(readonly size = RenderPool.defaultSize(), private readonly start: WorkerStart = {}, private readonly workerUrl: URL = defaultWorkerUrl) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  private spawn(): void {
    const w = new Worker(this.workerUrl, { workerData: this.start });
    this.workers.add(w);
    this.idle.push(w);
    w.on('message', (m: WorkerReply) => {
      const t = this.running.get(w);
      this.running.delete(w);
      this.idle.push(w);
      if (t) {
        if (m.ok) t.resolve(m.result);
        else t.reject(m.error.code === 'music-parameter' ? new MusicParameterError(m.error.message) : m.error.code === 'output' ? new OutputError(m.error.message) : new EngineError(m.error.message));
      }
      this.pump();
    });
    const lost = (why: string) => {
      if (!this.workers.delete(w)) return;
      this.idle = this.idle.filter((x) => x !== w);
      const t = this.running.get(w);
      this.running.delete(w);
      t?.reject(new EngineError(`a render worker stopped (${why}) while rendering ${t.req.job.id}; try again`));
      if (!this.closed) {
        this.spawn();
        this.pump();
      }
    };
    w.on('error', (e) => lost(e.message));
    w.on('exit', (code) => lost(`exit code ${code}`));
  }

  render(job: CueJob, wavPath: string, signal?: AbortSignal, renderPath?: string): Promise<MasterResult> {
    if (this.closed || signal?.aborted) return Promise.reject(new InterruptedError());
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.queue = this.queue.filter((q) => q !== task);
        task.resolve = task.reject = () => {}; // a running render finishes into the cache; nobody waits for it
        reject(new InterruptedError());
      };
      const task: Task = {
        req: { id: this.nextId++, job, wavPath, renderPath },
        resolve: (r) => (signal?.removeEventListener('abort', onAbort), resolve(r)),
        reject: (e) => (signal?.removeEventListener('abort', onAbort), reject(e)),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(task);
      this.pump();
    });
  }

  /** Renders waiting for a worker. */
  get pending(): number {
    return this.queue.length + this.running.size;
  }

  private pump(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const t = this.queue.shift()!;
      this.running.set(w, t);
      w.postMessage(t.req);
    }
  }

  /** Stops every worker; pending renders reject. Cache entries are atomic, so nothing half-written remains. */
  async close(reason: Error = new InterruptedError()): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of [...this.queue, ...this.running.values()]) t.reject(reason);
    this.queue = [];
    this.running.clear();
    await Promise.all([...this.workers].map((w) => w.terminate()));
  }
}
