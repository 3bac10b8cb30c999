import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { API_VERSION, type JobResult, RegenerateRequest, ScoreRequest, ScoreSettings, TransitionRequest, UseTakeRequest, type ApiError, type Health } from '../../shared/index.ts';
import { regenerate, setTransition, useTake } from '../core/edit.ts';
import { executionProviders } from '../adapters/onnx.ts';
import { SOUNDFONTS } from '../adapters/synth.ts';
import { HttpError, MediaError, OutputError, SegueError, UsageError, MusicParameterError, BusyError, RequestError } from '../errors.ts';
import { writeAtomic } from '../pipeline/cache.ts';
import { applyEdit, type EditOutcome } from '../pipeline/edit.ts';
import { RenderPool } from '../pipeline/pool.ts';
import { scoreProject } from '../pipeline/project.ts';
import { ENGINES } from '../pipeline/score.ts';
import { analyseSequence } from '../pipeline/sequence.ts';
import { readStoredSequence, recutProject, type RecutSequence } from '../pipeline/recut.ts';
import { VERSION } from '../version.ts';
import { JobQueue, type Runner } from './jobs.ts';
import { openApiDocument } from './openapi.ts';
import { ProjectStore } from './projects.ts';
import { ROUTES, type Context } from './routes.ts';
import { guard, hostsFor, loadOrCreateCert, loadOrCreateToken } from './security.ts';
import { loadedMusicgen } from '../pipeline/render-neural.ts';

/**
 * `segue serve`: the helper the panel talks to. One express app over the route table, the job
 * queue, the project store and one warm render pool that lives as long as the process.
 */

export const DEFAULT_PORT = 7717;

/** The platform's usual place for an app's data. */
export function defaultDataDir(): string {
  if (process.env.SEGUE_DATA_DIR) return process.env.SEGUE_DATA_DIR;
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Segue');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Segue');
  return join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'segue');
}

export interface HelperOptions {
  dataDir: string;
  host: string;
  port: number;
  https: boolean;
  allowOrigins: string[];
  vision: string | null;
  /** Jobs queued or running at most (more get 429). */
  queueLimit: number;
  /** Jobs running at once across projects. */
  concurrency: number;
  workers: number;
  /** One line per request; null for none. */
  log: ((line: string) => void) | null;
}

export interface Helper {
  url: string;
  token: string;
  certPath: string | null;
  fingerprint: string | null;
  staleStagingRemoved: number;
  close(graceMs?: number): Promise<void>;
}

function statusOf(e: SegueError): number {
  if (e instanceof HttpError) return e.status;
  if (e instanceof UsageError || e instanceof MusicParameterError) return 400;
  if (e instanceof MediaError) return 422;
  if (e instanceof OutputError) return 507;
  return 500;
}

export async function startHelper(o: HelperOptions): Promise<Helper> {
  const store = new ProjectStore(o.dataDir);
  const staleStagingRemoved = store.cleanStaging();
  const token = loadOrCreateToken(o.dataDir);
  // Warm with the default SoundFont: the first score after start does not wait for its decoding.
  const pool = new RenderPool(o.workers, { warmSoundFont: ScoreSettings.parse({}).soundFont });
  // The job queue fills in the seconds.
  const outcome = (r: EditOutcome): JobResult => ({ changed: r.changed, rendered: r.rendered, removed: r.removed, seconds: 0 });
  const run: Runner = async (spec, emit, signal) => {
    const dir = store.dirOf(spec.project);
    const edit = { pool, mix: false };
    switch (spec.kind) {
      case 'analyse': {
        const plan = await analyseSequence(readStoredSequence(dir), dir, { vision: o.vision }, emit, signal);
        writeAtomic(join(dir, 'plan.json'), JSON.stringify(plan, null, 2) + '\n');
        return { changed: [], rendered: [], removed: [], seconds: 0 };
      }
      case 'score': {
        return outcome(await scoreProject(dir, ScoreRequest.parse(spec.body), { pool }, emit, signal));
      }
      case 'regenerate': {
        const b = RegenerateRequest.extend({ k: z.number() }).parse(spec.body);
        const r = await applyEdit(dir, (p) => regenerate(p, b.k, b), 'regenerate', emit, signal, { ...edit, mix: b.mix });
        return outcome(r);
      }
      case 'transition': {
        const b = TransitionRequest.extend({ k: z.number() }).parse(spec.body);
        const r = await applyEdit(dir, (p) => setTransition(p, { ...b, cut: b.k }), 'transition', emit, signal, { ...edit, mix: b.mix });
        return outcome(r);
      }
      case 'recut': {
        const r = await recutProject(dir, spec.body as RecutSequence, { pool, vision: o.vision }, emit, signal);
        return { ...outcome(r), fresh: r.fresh.map((k) => k + 1) };
      }
      case 'take': {
        const b = UseTakeRequest.extend({ cue: z.string() }).parse(spec.body);
        const r = await applyEdit(dir, (p) => useTake(p, b.cue, b.take), 'restore', emit, signal, { ...edit, mix: b.mix });
        return outcome(r);
      }
    }
  };
  const jobs = new JobQueue(join(o.dataDir, 'jobs'), run, o.queueLimit, o.concurrency);
  const providers = await executionProviders();
  const health = async (): Promise<Health> => ({
    name: 'segue', version: VERSION, api: API_VERSION, engines: [...ENGINES], soundFonts: Object.keys(SOUNDFONTS),
    models: { llm: null, vision: o.vision, musicgen: loadedMusicgen() }, gpuProviders: providers, queue: jobs.counts, workers: pool.size, auth: 'bearer',
  });
  const ctx: Context = { store, jobs, health };

  const tls = o.https ? await loadOrCreateCert(o.dataDir) : null;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    const t0 = performance.now();
    res.on('finish', () => o.log?.(`${new Date().toISOString()} ${req.method} ${req.originalUrl.slice(0, 200)} ${res.statusCode} ${(performance.now() - t0).toFixed(1)} ms`));
    next();
  });
  // The Host check needs the bound port (--port 0 picks one), so it is filled in once listening.
  const hosts = new Set<string>();
  app.use(guard({ token, hosts, origins: new Set(o.allowOrigins), open: new Set(['/v1/health', '/v1/openapi.json']) }));

  const doc = openApiDocument(ROUTES);
  app.get('/v1/openapi.json', (_req, res) => res.json(doc));
  for (const r of ROUTES) {
    const path = r.path.replace('{path}', '*path').replace(/\{(\w+)\}/g, ':$1');
    const parseBody = r.body ? express.json({ limit: r.limit ?? '1mb', strict: true, type: () => true }) : (_q: Request, _s: Response, n: NextFunction) => n();
    app[r.method](path, parseBody, async (req: Request, res: Response, next: NextFunction) => {
      try {
        const params: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.params as Record<string, string | string[]>)) params[k] = Array.isArray(v) ? v.join('/') : v;
        let body: unknown = undefined;
        if (r.body) {
          const parsed = r.body.safeParse(req.body ?? {});
          if (!parsed.success) {
            const issue = parsed.error.issues[0]!;
            const field = issue.path.join('.');
            const unknownKeys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')}: not a field of this request; see /v1/openapi.json)` : '';
            throw new RequestError(`${field || 'body'}: ${issue.message}${unknownKeys}`, field || undefined);
          }
          body = parsed.data;
        }
        const out = await r.handler({ params, body }, ctx);
        if (r.response === 'file') return res.sendFile(out as string, { dotfiles: 'deny', acceptRanges: true, cacheControl: false });
        if (r.response === 'events') return streamEvents(req, res, jobs, params.id!);
        res.status(r.status).json(out);
      } catch (e) {
        next(e);
      }
    });
  }
  app.use((req, _res, next) => next(new RequestError(`${req.method} ${req.path} is not part of this API; see /v1/openapi.json`)));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number; message?: string; stack?: string };
    let status = 500;
    let body: ApiError['error'];
    if (err instanceof SegueError) {
      status = statusOf(err);
      body = { code: err.code, message: err.message, ...(err instanceof HttpError && err.field ? { field: err.field } : {}) };
      if (err instanceof BusyError) res.set('Retry-After', String(err.retryAfterSec));
    } else if (e?.type === 'entity.parse.failed') {
      status = 400;
      body = { code: 'usage', message: `the body is not valid JSON (${e.message}); send JSON` };
    } else if (e?.type === 'entity.too.large') {
      status = 413;
      body = { code: 'too-large', message: 'the body is larger than this request accepts; send smaller stills (e.g. 320 px wide JPEGs) or fewer of them' };
    } else if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      status = e.status;
      body = { code: 'usage', message: `${e.message ?? 'bad request'}` };
    } else {
      process.stderr.write(`segue helper: internal error: ${e?.stack ?? err}\n`);
      body = { code: 'internal', message: `internal error: ${e?.message ?? err}; this is a bug in Segue, please report it with the helper's log` };
    }
    if (res.headersSent) return res.end();
    res.status(status).json({ error: body });
  });

  const server: Server = tls ? createHttps({ key: tls.key, cert: tls.cert }, app) : createHttp(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new OutputError(`port ${o.port} on ${o.host} is in use (another helper running?); stop it or start with --port N`) : e));
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  for (const h of hostsFor(o.host, port)) hosts.add(h);
  const scheme = tls ? 'https' : 'http';
  const hostName = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `${scheme}://${hostName}:${port}`, token, certPath: tls?.certPath ?? null, fingerprint: tls?.fingerprint ?? null, staleStagingRemoved,
    async close(graceMs = 10_000) {
      server.close();
      server.closeAllConnections();
      await jobs.close(graceMs);
      await pool.close();
    },
  };
}

function streamEvents(req: Request, res: Response, jobs: JobQueue, id: string): void {
  res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  res.flushHeaders();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(ping);
    unsubscribe();
    res.end();
  };
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  const unsubscribe = jobs.subscribe(id, (e) => {
    if (ended) return;
    const isJob = 'state' in e;
    res.write(`event: ${isJob ? 'job' : 'progress'}\ndata: ${JSON.stringify(e)}\n\n`);
    if (isJob && ['done', 'failed', 'cancelled', 'interrupted'].includes(e.state)) setImmediate(end);
  });
  req.on('close', end);
}
