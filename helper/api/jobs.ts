import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setMaxListeners } from 'node:events';
import { Job, type JobResult, type ProgressEvent } from '../../shared/index.ts';
import { writeAtomic } from '../pipeline/cache.ts';
import { asSegueError, BusyError, ConflictError, InterruptedError, NotFoundError, SegueError } from '../errors.ts';

/**
 * The helper's jobs. Every long request becomes a job at once; a project runs one job at a time
 * (later ones wait in order), at most `concurrency` run at once across projects, and at most
 * `limit` wait or run in all (more answer 429). Each job's record is kept on disk as it changes, so
 * after a crash or kill -9 a restarted helper reports what was running as interrupted, and the
 * job can be retried from its stored request.
 */

export type JobKind = Job['kind'];
export interface JobSpec {
  kind: JobKind;
  project: string;
  /** The parsed request, stored for retry. */
  body: unknown;
}
export type Runner = (spec: JobSpec, emit: (e: ProgressEvent) => void, signal: AbortSignal) => Promise<JobResult>;

interface Live {
  job: Job;
  spec: JobSpec;
  events: ProgressEvent[];
  listeners: Set<(e: ProgressEvent | Job) => void>;
  controller: AbortController;
  done: Promise<void>;
  settle: () => void;
}

/** Jobs kept in memory and on disk; older finished ones are forgotten beyond this. */
const KEEP_FINISHED = 500;
/** Progress events a late listener is replayed. */
const KEEP_EVENTS = 400;
const FINAL = new Set<Job['state']>(['done', 'failed', 'cancelled', 'interrupted']);
const STAGE_WEIGHT: Record<string, [number, number]> = {
  probe: [0, 0.02], scenes: [0.02, 0.2], analysis: [0.2, 0.3], prompts: [0.3, 0.32], plan: [0.32, 0.33], audio: [0.33, 0.93], mix: [0.93, 0.98], outputs: [0.98, 1],
};

export class JobQueue {
  private jobs = new Map<string, Live>();
  private order: string[] = [];
  private closing = false;

  constructor(private readonly dir: string, private readonly run: Runner, readonly limit: number, readonly concurrency: number) {
    mkdirSync(dir, { recursive: true });
    this.recover();
  }

  /** Jobs on disk from an earlier run: what was queued or running was cut off, so it is interrupted. */
  private recover(): void {
    const found: { spec: JobSpec; job: Job }[] = [];
    for (const f of readdirSync(this.dir).filter((x) => x.endsWith('.json'))) {
      try {
        const stored = JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as { job: unknown; spec: JobSpec };
        const job = Job.parse(stored.job);
        if (!FINAL.has(job.state)) {
          Object.assign(job, { state: 'interrupted', finishedAt: new Date().toISOString(), position: null, error: { code: 'interrupted', message: 'the helper stopped while this job was queued or running; nothing it left half-done is visible. Retry it with POST /v1/jobs/{id}/retry' } });
        }
        found.push({ spec: stored.spec, job });
      } catch {
        rmSync(join(this.dir, f), { force: true }); // an unreadable record is dropped, never trusted
      }
    }
    found.sort((a, b) => a.job.createdAt.localeCompare(b.job.createdAt));
    for (const { spec, job } of found) {
      const live = this.live(job, spec);
      live.settle();
      this.persist(live);
    }
  }

  private live(job: Job, spec: JobSpec): Live {
    let settle!: () => void;
    const done = new Promise<void>((r) => (settle = r));
    const controller = new AbortController();
    setMaxListeners(0, controller.signal); // every render of the job listens for its cancel
    const l: Live = { job, spec, events: [], listeners: new Set(), controller, done, settle };
    this.jobs.set(job.id, l);
    this.order.push(job.id);
    return l;
  }

  private persist(l: Live): void {
    writeAtomic(join(this.dir, `${l.job.id}.json`), JSON.stringify({ job: l.job, spec: l.spec }));
  }

  get counts(): { running: number; queued: number; limit: number } {
    let running = 0;
    let queued = 0;
    for (const l of this.jobs.values()) {
      if (l.job.state === 'running') running++;
      else if (l.job.state === 'queued') queued++;
    }
    return { running, queued, limit: this.limit };
  }

  submit(spec: JobSpec, retryOf: string | null = null): Job {
    if (this.closing) throw new BusyError('the helper is shutting down; start it again and retry', 5);
    const { running, queued } = this.counts;
    if (running + queued >= this.limit) {
      throw new BusyError(`the helper has ${running + queued} jobs waiting or running (its limit is ${this.limit}); retry in a few seconds`, Math.max(1, Math.min(30, queued)));
    }
    const job: Job = {
      id: `job-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`, project: spec.project, kind: spec.kind, state: 'queued', progress: 0, stage: null,
      createdAt: new Date().toISOString(), startedAt: null, finishedAt: null, position: null, result: null, error: null, retryOf,
    };
    const l = this.live(job, spec);
    this.persist(l);
    this.prune();
    this.pump();
    return this.get(job.id);
  }

  retry(id: string): Job {
    const l = this.need(id);
    if (l.job.state !== 'interrupted' && l.job.state !== 'failed' && l.job.state !== 'cancelled') {
      throw new ConflictError(`job ${id} is ${l.job.state}; only an interrupted, failed or cancelled job can be retried`);
    }
    return this.submit(l.spec, id);
  }

  private need(id: string): Live {
    const l = this.jobs.get(id);
    if (!l) throw new NotFoundError(`there is no job "${id}"; job ids come from the answer that started the job`);
    return l;
  }

  get(id: string): Job {
    const l = this.need(id);
    const position = l.job.state === 'queued' ? this.ahead(l) : null;
    return { ...l.job, position };
  }

  /** Jobs that must finish before this queued one starts: earlier ones of its project, or any earlier queued one when all slots are busy. */
  private ahead(l: Live): number {
    let n = 0;
    for (const id of this.order) {
      if (id === l.job.id) break;
      const o = this.jobs.get(id)!.job;
      if ((o.state === 'queued' || o.state === 'running') && (o.project === l.job.project || o.state === 'queued')) n++;
    }
    return n;
  }

  activeFor(project: string): string | null {
    for (const id of this.order) {
      const j = this.jobs.get(id)!.job;
      if (j.project === project && (j.state === 'queued' || j.state === 'running')) return j.id;
    }
    return null;
  }

  list(project?: string): Job[] {
    return this.order.map((id) => this.get(id)).filter((j) => !project || j.project === project);
  }

  /** Cancels a queued job at once, a running one as soon as its current step notices. */
  cancel(id: string): Job {
    const l = this.need(id);
    if (l.job.state === 'queued') this.finish(l, 'cancelled', null, { code: 'cancelled', message: 'cancelled before it started' });
    else if (l.job.state === 'running') l.controller.abort();
    return this.get(id);
  }

  /** Replays the job's events so far, then calls back with each new one until the job ends; returns an unsubscribe. */
  subscribe(id: string, on: (e: ProgressEvent | Job) => void): () => void {
    const l = this.need(id);
    for (const e of l.events) on(e);
    on(this.get(id));
    if (FINAL.has(l.job.state)) return () => {};
    l.listeners.add(on);
    return () => l.listeners.delete(on);
  }

  /** Resolves when the job has ended (any final state). */
  wait(id: string): Promise<Job> {
    const l = this.need(id);
    return l.done.then(() => this.get(id));
  }

  private pump(): void {
    if (this.closing) return;
    const busy = new Set<string>();
    let running = 0;
    for (const l of this.jobs.values()) if (l.job.state === 'running') (busy.add(l.job.project), running++);
    for (const id of this.order) {
      if (running >= this.concurrency) return;
      const l = this.jobs.get(id)!;
      if (l.job.state !== 'queued' || busy.has(l.job.project)) continue;
      busy.add(l.job.project);
      running++;
      void this.start(l);
    }
  }

  private async start(l: Live): Promise<void> {
    Object.assign(l.job, { state: 'running', startedAt: new Date().toISOString() });
    this.persist(l);
    this.broadcast(l, this.get(l.job.id));
    const started = Date.now();
    try {
      const result = await this.run(l.spec, (e) => this.progress(l, e), l.controller.signal);
      this.finish(l, 'done', { ...result, seconds: (Date.now() - started) / 1000 }, null);
    } catch (thrown) {
      const e = asSegueError(thrown) ?? thrown;
      if (l.controller.signal.aborted || e instanceof InterruptedError) {
        this.finish(l, this.closing ? 'interrupted' : 'cancelled', null, { code: 'cancelled', message: this.closing ? 'the helper was shut down while this job ran; retry it' : 'cancelled; earlier results are as they were' });
      } else if (e instanceof SegueError) {
        this.finish(l, 'failed', null, { code: e.code, message: e.message, ...('field' in e && typeof e.field === 'string' ? { field: e.field } : {}) });
      } else {
        process.stderr.write(`segue helper: job ${l.job.id} failed with an internal error: ${(e as Error)?.stack ?? e}\n`);
        this.finish(l, 'failed', null, { code: 'internal', message: `internal error: ${(e as Error)?.message ?? e}; this is a bug in Segue, please report it with the helper's log` });
      }
    }
  }

  private progress(l: Live, e: ProgressEvent): void {
    if (e.type === 'stage') {
      const [a, b] = STAGE_WEIGHT[e.stage] ?? [0, 1];
      l.job.progress = Math.max(l.job.progress, Math.min(1, a + (b - a) * e.fraction));
      l.job.stage = e.stage;
    }
    l.events.push(e);
    if (l.events.length > KEEP_EVENTS) l.events.splice(0, l.events.length - KEEP_EVENTS);
    this.broadcast(l, e);
  }

  private broadcast(l: Live, e: ProgressEvent | Job): void {
    for (const f of l.listeners) f(e);
  }

  private finish(l: Live, state: Job['state'], result: JobResult | null, error: Job['error']): void {
    Object.assign(l.job, { state, result, error, finishedAt: new Date().toISOString(), progress: state === 'done' ? 1 : l.job.progress });
    this.persist(l);
    const final = this.get(l.job.id);
    this.broadcast(l, final);
    l.listeners.clear();
    l.settle();
    this.pump();
  }

  private prune(): void {
    const finished = this.order.filter((id) => FINAL.has(this.jobs.get(id)!.job.state));
    for (const id of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) {
      this.jobs.delete(id);
      this.order = this.order.filter((x) => x !== id);
      rmSync(join(this.dir, `${id}.json`), { force: true });
    }
  }

  /**
   * Shutdown: nothing new starts; running jobs get `graceMs` to finish, then are cancelled (their
   * staging folders are removed as they unwind, so nothing half-written stays); queued ones are
   * left queued on disk and reported as interrupted by the next start.
   */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    const running = [...this.jobs.values()].filter((l) => l.job.state === 'running');
    const timer = setTimeout(() => running.forEach((l) => l.controller.abort()), graceMs);
    await Promise.all(running.map((l) => l.done));
    clearTimeout(timer);
  }
}
