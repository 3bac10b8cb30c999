import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  Accepted, CreateProject, Health, Job, OpenProject, Plan, ProjectDetail, ProjectList, RecutRequest, RegenerateRequest, ScoreRequest, TakesResponse,
  TransitionRequest, UseTakeRequest,
} from '../../shared/index.ts';
import { regenerate, setTransition, useTake } from '../core/edit.ts';
import { ConflictError, NotFoundError, RequestError } from '../errors.ts';
import { loadPlan } from '../pipeline/edit.ts';
import { ENGINES } from '../pipeline/score.ts';
import { validateCuts } from '../core/scenes.ts';
import { sequenceCuts } from '../core/sequence.ts';
import { readStoredSequence, type RecutSequence } from '../pipeline/recut.ts';
import { storeFrames, type StoredSequence } from '../pipeline/sequence.ts';
import type { JobQueue, JobSpec } from './jobs.ts';
import type { ProjectStore } from './projects.ts';

/**
 * The /v1 routes as one table: method, path, the zod schemas of body and answer, and the handler.
 * The server mounts exactly this table and the OpenAPI document is generated from it, so what is
 * documented is what is served. Handlers check everything a request names (project, scene, cut,
 * take; the edit itself, dry-run on the current plan) before a job is queued, so a bad request gets
 * its 4xx at once and changes nothing.
 */

export interface Context {
  store: ProjectStore;
  jobs: JobQueue;
  health: () => Promise<Health>;
}

export interface Call {
  params: Record<string, string>;
  body: unknown;
}

export interface Route {
  method: 'get' | 'post' | 'put' | 'delete';
  /** OpenAPI form: /v1/projects/{id}. */
  path: string;
  summary: string;
  auth: boolean;
  body?: z.ZodType;
  /** Largest accepted body. */
  limit?: string;
  status: number;
  response: z.ZodType | 'file' | 'events';
  handler: (c: Call, ctx: Context) => unknown;
}

const positive = (name: string, v: string | undefined): number => {
  if (!v || !/^[1-9]\d{0,5}$/.test(v)) throw new RequestError(`${name} "${v}" must be a whole number from 1`, name);
  return Number(v);
};
const CUE_ID = /^(scene|bridge)-[1-9]\d{0,5}$/;

function scoredPlan(ctx: Context, id: string): Plan {
  const plan = loadPlan(ctx.store.dirOf(id));
  if (!plan.cues.length) throw new ConflictError(`project ${id} has not been scored yet; POST /v1/projects/${id}/score first`);
  return plan;
}

/** A sequence description's cuts and mixdown, checked before anything is stored. */
function checkCuts(req: Pick<z.output<typeof CreateProject>, 'cuts' | 'forcedCuts' | 'durationSec' | 'audioMixdown'>): void {
  if (Array.isArray(req.cuts)) {
    try {
      validateCuts(sequenceCuts(req.cuts, req.forcedCuts, req.durationSec).cuts, req.durationSec);
    } catch (e) {
      throw new RequestError(`cuts: ${(e as Error).message}`, 'cuts');
    }
  }
  if (req.audioMixdown && !existsSync(req.audioMixdown)) throw new RequestError(`audioMixdown: ${req.audioMixdown} does not exist; export the sequence's sound again or leave it out`, 'audioMixdown');
}

function accepted(ctx: Context, spec: JobSpec): z.infer<typeof Accepted> {
  return { job: ctx.jobs.submit(spec), project: spec.project };
}

export const ROUTES: Route[] = [
  {
    method: 'get', path: '/v1/health', summary: 'Version, engines, SoundFonts, models, GPU providers, queue depth', auth: false, status: 200, response: Health,
    handler: (_c, ctx) => ctx.health(),
  },
  {
    method: 'get', path: '/v1/projects', summary: 'Every project, newest first', auth: true, status: 200, response: ProjectList,
    handler: (_c, ctx) => ({
      projects: ctx.store.ids().map((id) => ctx.store.summary(id, ctx.jobs.activeFor(id))).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)),
    }),
  },
  {
    method: 'post', path: '/v1/projects', summary: 'Create a project from a sequence description; analysis runs as a job', auth: true, body: CreateProject, limit: '96mb', status: 202, response: Accepted,
    handler: (c, ctx) => {
      const req = c.body as z.output<typeof CreateProject>;
      if (!Array.isArray(req.cuts) && !existsSync(req.cuts.detect.video)) throw new RequestError(`cuts.detect.video: ${req.cuts.detect.video} does not exist; give a rendered video of the sequence`, 'cuts.detect.video');
      checkCuts(req);
      const { id, dir } = ctx.store.create(req.name);
      // Stills are checked and stored now (a bad one is a 4xx with nothing kept), so the job, and a retry of it, reads them from disk.
      let frames;
      try {
        frames = storeFrames(req, dir);
      } catch (e) {
        ctx.store.remove(id);
        throw new RequestError((e as Error).message, 'frames');
      }
      const { frames: _bytes, ...rest } = req;
      writeFileSync(join(dir, 'sequence.json'), JSON.stringify({ ...rest, frames } satisfies StoredSequence, null, 2));
      return accepted(ctx, { kind: 'analyse', project: id, body: null });
    },
  },
  {
    method: 'put', path: '/v1/projects/{id}/sequence', summary: 'The sequence after a re-cut: kept scenes keep their music, new or changed ones are analysed and scored', auth: true, body: RecutRequest, limit: '96mb', status: 202, response: Accepted,
    handler: (c, ctx) => {
      const id = c.params.id!;
      const dir = ctx.store.dirOf(id);
      if (!existsSync(join(dir, 'plan.json'))) throw new ConflictError(`project ${id} has no analysis yet; wait for its analyse job (GET /v1/projects/${id} shows it)`);
      readStoredSequence(dir); // a project scored from a video file has no sequence to re-cut: 409 now
      const req = c.body as z.output<typeof RecutRequest>;
      checkCuts(req);
      // The new stills get their own names: the project's current stills stay until the re-cut commits.
      let frames;
      try {
        frames = storeFrames(req, dir, `recut-${Date.now().toString(36)}-`);
      } catch (e) {
        throw new RequestError((e as Error).message, 'frames');
      }
      const { frames: _bytes, ...rest } = req;
      return accepted(ctx, { kind: 'recut', project: id, body: { ...rest, frames } satisfies RecutSequence });
    },
  },
  {
    method: 'post', path: '/v1/projects/open', summary: 'Open a folder `segue score` wrote', auth: true, body: OpenProject, status: 200, response: ProjectDetail,
    handler: (c, ctx) => {
      const id = ctx.store.open((c.body as z.infer<typeof OpenProject>).dir);
      return { project: ctx.store.summary(id, ctx.jobs.activeFor(id)), plan: loadPlan(ctx.store.dirOf(id)) };
    },
  },
  {
    method: 'get', path: '/v1/projects/{id}', summary: 'A project and its plan (null until analysed)', auth: true, status: 200, response: ProjectDetail,
    handler: (c, ctx) => {
      const project = ctx.store.summary(c.params.id!, ctx.jobs.activeFor(c.params.id!));
      return { project, plan: project.state === 'created' || project.state === 'scored' ? loadPlan(project.dir) : null };
    },
  },
  {
    method: 'get', path: '/v1/projects/{id}/plan', summary: 'The plan (segue.plan)', auth: true, status: 200, response: Plan,
    handler: (c, ctx) => {
      const dir = ctx.store.dirOf(c.params.id!);
      if (!existsSync(join(dir, 'plan.json'))) throw new ConflictError(`project ${c.params.id} is still being analysed (or its analysis was cut off: see its job); its plan comes when the analysis ends`);
      return loadPlan(dir);
    },
  },
  {
    method: 'post', path: '/v1/projects/{id}/score', summary: 'Score the project (cues for every scene and bridge)', auth: true, body: ScoreRequest, status: 202, response: Accepted,
    handler: (c, ctx) => {
      const dir = ctx.store.dirOf(c.params.id!);
      if (!existsSync(join(dir, 'plan.json'))) throw new ConflictError(`project ${c.params.id} has no analysis yet; wait for its analyse job (GET /v1/projects/${c.params.id} shows it)`);
      const body = c.body as z.output<typeof ScoreRequest>;
      if (body.engine && !(ENGINES as readonly string[]).includes(body.engine)) throw new RequestError(`engine "${body.engine}" is not available in this helper; use one of: ${ENGINES.join(', ')}`, 'engine');
      if (body.engine === 'musicgen' && !body.model && !loadPlan(dir).settings.model) throw new RequestError('engine "musicgen" needs "model": the MusicGen ONNX folder on the helper\'s machine (see README "Neural engine")', 'model');
      if (body.model && !existsSync(body.model)) throw new RequestError(`model: ${body.model} does not exist on the helper's machine`, 'model');
      const n = loadPlan(dir).scenes.length;
      const bad = Object.keys(body.scenes ?? {}).find((k) => Number(k) > n);
      if (bad) throw new RequestError(`scenes.${bad}: there is no scene ${bad}; this project has scenes 1 to ${n}`, `scenes.${bad}`);
      return accepted(ctx, { kind: 'score', project: c.params.id!, body });
    },
  },
  {
    method: 'post', path: '/v1/projects/{id}/scenes/{k}/regenerate', summary: 'A new take of scene k (new seed, or the prompt fields given)', auth: true, body: RegenerateRequest, status: 202, response: Accepted,
    handler: (c, ctx) => {
      const k = positive('k', c.params.k);
      const body = c.body as z.output<typeof RegenerateRequest>;
      regenerate(scoredPlan(ctx, c.params.id!), k, body); // dry run: a bad scene or prompt is refused now
      return accepted(ctx, { kind: 'regenerate', project: c.params.id!, body: { ...body, k } });
    },
  },
  {
    method: 'post', path: '/v1/projects/{id}/cuts/{k}/transition', summary: 'Set the transition at cut k (between scenes k and k+1), or accept the suggestion', auth: true, body: TransitionRequest, status: 202, response: Accepted,
    handler: (c, ctx) => {
      const k = positive('k', c.params.k);
      const body = c.body as z.output<typeof TransitionRequest>;
      setTransition(scoredPlan(ctx, c.params.id!), { ...body, cut: k });
      return accepted(ctx, { kind: 'transition', project: c.params.id!, body: { ...body, k } });
    },
  },
  {
    method: 'get', path: '/v1/projects/{id}/takes', summary: 'Every take of every cue, and the current ones', auth: true, status: 200, response: TakesResponse,
    handler: (c, ctx) => {
      const plan = scoredPlan(ctx, c.params.id!);
      return { cues: plan.cues.map((x) => ({ id: x.id, take: x.take, file: x.file })), takes: plan.takes };
    },
  },
  {
    method: 'put', path: '/v1/projects/{id}/cues/{cue}/take', summary: 'Make an earlier take of a scene cue current', auth: true, body: UseTakeRequest, status: 202, response: Accepted,
    handler: (c, ctx) => {
      const cue = c.params.cue!;
      if (!CUE_ID.test(cue)) throw new RequestError(`cue "${cue}" is not a cue id (scene-N or bridge-N)`, 'cue');
      const body = c.body as z.output<typeof UseTakeRequest>;
      const plan = scoredPlan(ctx, c.params.id!);
      if (!plan.cues.some((x) => x.id === cue)) throw new NotFoundError(`project ${c.params.id} has no cue ${cue}; its cues are ${plan.cues.map((x) => x.id).join(', ')}`);
      useTake(plan, cue, body.take);
      return accepted(ctx, { kind: 'take', project: c.params.id!, body: { ...body, cue } });
    },
  },
  {
    method: 'get', path: '/v1/projects/{id}/files/{path}', summary: 'A file of the project (cue WAVs, MIDI, stems, stills); Range requests supported', auth: true, status: 200, response: 'file',
    handler: (c, ctx) => ctx.store.file(c.params.id!, c.params.path!),
  },
  {
    method: 'get', path: '/v1/jobs/{id}', summary: 'A job: state, progress, result or error', auth: true, status: 200, response: Job,
    handler: (c, ctx) => ctx.jobs.get(c.params.id!),
  },
  {
    method: 'get', path: '/v1/jobs/{id}/events', summary: 'Server-sent events: `progress` (the CLI\'s --json events) and `job` (state changes); ends with the job', auth: true, status: 200, response: 'events',
    handler: (c, ctx) => ctx.jobs.get(c.params.id!),
  },
  {
    method: 'delete', path: '/v1/jobs/{id}', summary: 'Cancel a job (queued: at once; running: at its next step)', auth: true, status: 200, response: Job,
    handler: (c, ctx) => ctx.jobs.cancel(c.params.id!),
  },
  {
    method: 'post', path: '/v1/jobs/{id}/retry', summary: 'Run an interrupted, failed or cancelled job again', auth: true, status: 202, response: Accepted,
    handler: (c, ctx) => {
      const job = ctx.jobs.retry(c.params.id!);
      return { job, project: job.project };
    },
  },
];
