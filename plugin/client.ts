import { z } from 'zod';
import {
  Accepted,
  ApiError,
  Health,
  Job,
  Plan,
  ProjectDetail,
  TakesResponse,
  type CreateProject,
  type RecutRequest,
  type RegenerateRequest,
  type ScoreRequest,
  type TransitionRequest,
} from '../shared/index.ts';

/**
 * The panel's typed client of the helper's /v1 API. Every answer is parsed with the schema the
 * helper itself answers with (shared/schema/api.ts), so a helper of another API version is caught
 * at the first call with a clear message instead of a broken panel.
 */

/** The helper answered with an error (4xx/5xx); `message` is its one-line explanation. */
export class HelperError extends Error {
  override name = 'HelperError';
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string) {
    super(message);
  }
}

/** Nothing answered at the helper's address. */
export class HelperUnreachable extends Error {
  override name = 'HelperUnreachable';
}

export interface Connection {
  /** e.g. https://127.0.0.1:7717 */
  url: string;
  token: string;
}

export const DEFAULT_HELPER_URL = 'http://127.0.0.1:7717';

export class HelperClient {
  constructor(private readonly conn: Connection, private readonly fetchImpl: typeof fetch = (...a) => fetch(...a)) {}

  get url(): string {
    return this.conn.url;
  }

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchImpl(this.conn.url.replace(/\/+$/, '') + path, {
        method,
        headers: { Authorization: `Bearer ${this.conn.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new HelperUnreachable(`No Segue helper answers at ${this.conn.url} (${(e as Error).message}). Start it with "segue serve" (or "npm run helper") and check the address in Settings.`);
    }
    if (res.ok) return res;
    const text = await res.text();
    let parsed: z.infer<typeof ApiError> | null = null;
    try {
      parsed = ApiError.parse(JSON.parse(text));
    } catch {
      parsed = null;
    }
    if (parsed) throw new HelperError(res.status, parsed.error.code, parsed.error.message, parsed.error.field);
    throw new HelperError(res.status, 'http', `the helper answered ${res.status} ${res.statusText}: ${text.slice(0, 200)}`);
  }

  private async json<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown): Promise<z.output<S>> {
    const res = await this.request(method, path, body);
    const data: unknown = await res.json();
    const r = schema.safeParse(data);
    if (!r.success) {
      throw new HelperError(res.status, 'version', `the helper at ${this.conn.url} answered ${method} ${path} in a form this panel does not know (${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}); update the panel or the helper so both are the same version`);
    }
    return r.data;
  }

  health = () => this.json(Health, 'GET', '/v1/health');
  /** Checks the token too: health needs none, the project list does. */
  async pair(): Promise<Health> {
    const h = await this.health();
    await this.request('GET', '/v1/projects');
    return h;
  }
  createProject = (body: CreateProject) => this.json(Accepted, 'POST', '/v1/projects', body);
  project = (id: string) => this.json(ProjectDetail, 'GET', `/v1/projects/${enc(id)}`);
  plan = (id: string) => this.json(Plan, 'GET', `/v1/projects/${enc(id)}/plan`);
  /** The sequence after a re-cut: kept scenes keep their music, the helper re-plans the rest. */
  recut = (id: string, body: RecutRequest) => this.json(Accepted, 'PUT', `/v1/projects/${enc(id)}/sequence`, body);
  score = (id: string, body: ScoreRequest = {}) => this.json(Accepted, 'POST', `/v1/projects/${enc(id)}/score`, body);
  /** `scene` is 1-based, as in the CLI and the API. */
  regenerate = (id: string, scene: number, body: RegenerateRequest = {}) => this.json(Accepted, 'POST', `/v1/projects/${enc(id)}/scenes/${scene}/regenerate`, body);
  /** `cut` is 1-based: cut 1 joins scenes 1 and 2. */
  transition = (id: string, cut: number, body: TransitionRequest) => this.json(Accepted, 'POST', `/v1/projects/${enc(id)}/cuts/${cut}/transition`, body);
  takes = (id: string) => this.json(TakesResponse, 'GET', `/v1/projects/${enc(id)}/takes`);
  useTake = (id: string, cue: string, take: number) => this.json(Accepted, 'PUT', `/v1/projects/${enc(id)}/cues/${enc(cue)}/take`, { take });
  job = (id: string) => this.json(Job, 'GET', `/v1/jobs/${enc(id)}`);
  cancel = (id: string) => this.json(Job, 'DELETE', `/v1/jobs/${enc(id)}`);

  /** A project file (a cue WAV): its bytes. */
  async file(id: string, path: string): Promise<Uint8Array> {
    const res = await this.request('GET', `/v1/projects/${enc(id)}/files/${path.split('/').map(enc).join('/')}`);
    return new Uint8Array(await res.arrayBuffer());
  }

  /**
   * Follows a job to its end. Polls the job record (which the helper updates from the same events
   * its SSE stream carries): UXP's fetch does not document streamed response bodies or
   * EventSource, and a poll survives a helper restart (the job comes back "interrupted").
   */
  async follow(jobId: string, onJob: (j: Job) => void, o: { intervalMs?: number; signal?: AbortSignal } = {}): Promise<Job> {
    for (;;) {
      const j = await this.job(jobId);
      onJob(j);
      if (j.state !== 'queued' && j.state !== 'running') return j;
      if (o.signal?.aborted) return j;
      await new Promise((r) => setTimeout(r, o.intervalMs ?? 250));
    }
  }
}

const enc = encodeURIComponent;
