import { z } from 'zod';
import { ProgressEvent } from './events.ts';
import { Key, MusicPrompt } from './music.ts';
import { FADE_SHAPES, Plan, Take, TRANSITION_STYLES } from './plan.ts';

/**
 * The helper's HTTP API (`/v1`): every request body and response is one of these schemas. The
 * helper validates with them, the panel imports their types, and /v1/openapi.json is generated
 * from them (helper/api/openapi.ts), so the three cannot drift. Bodies are strict: an unknown
 * field is an error naming the field, never silently ignored.
 *
 * API_VERSION follows the same rule as PLAN_VERSION (shared/README.md): it changes only when an
 * older client would misread a newer helper; new optional fields and new routes do not bump it.
 */
export const API_VERSION = 1;

const Seconds = z.number().finite().min(0);
/** A long feature is about 3 hours; a day is the hard ceiling of what the helper accepts. */
export const MAX_SEQUENCE_SEC = 24 * 3600;
export const MAX_CUTS = 5000;
export const MAX_FRAMES = 2000;
export const MAX_CLIPS = 5000;
/** Uploaded stills: each side at most this many pixels (the panel exports small stills). */
export const MAX_FRAME_SIDE = 8192;

/** Problems come back as this, with the HTTP status saying which kind. */
export const ApiError = z
  .object({
    error: z
      .object({
        /** Machine-readable: usage, not-found, conflict, auth, forbidden, busy, media, engine, internal ... */
        code: z.string(),
        /** One line: what was expected, what was found, what to do. */
        message: z.string(),
        /** The request field at fault (dotted path), when one is. */
        field: z.string().optional(),
      })
      .strict(),
  })
  .strict();
export type ApiError = z.infer<typeof ApiError>;

export const Health = z
  .object({
    name: z.literal('segue'),
    version: z.string(),
    api: z.literal(API_VERSION),
    engines: z.array(z.string()),
    soundFonts: z.array(z.string()),
    models: z.object({ llm: z.string().nullable(), vision: z.string().nullable(), musicgen: z.string().nullable() }).strict(),
    /** onnxruntime-node execution providers this machine offers (cpu always). */
    gpuProviders: z.array(z.string()),
    queue: z.object({ running: z.number().int(), queued: z.number().int(), limit: z.number().int() }).strict(),
    /** Render workers kept warm (SoundFont decoded) between requests. */
    workers: z.number().int(),
    /** Whether requests need the pairing token (always true except health and the OpenAPI document). */
    auth: z.literal('bearer'),
  })
  .strict();
export type Health = z.infer<typeof Health>;

/** One still of the sequence at a timeline time, as Premiere's exportSequenceFrame wrote it. */
export const SequenceFrame = z
  .object({
    time: Seconds,
    /** Base64 of a PNG or JPEG file. */
    image: z.string().min(1),
  })
  .strict();

/** A clip on a video track: where its media is and which part of it the timeline shows. */
export const ClipMedia = z
  .object({
    path: z.string().min(1).max(4096),
    sourceIn: Seconds,
    sourceOut: Seconds,
    timelineIn: Seconds,
    timelineOut: Seconds,
    /** Video track index, 0 = V1; higher tracks cover lower ones. */
    track: z.number().int().min(0).max(999),
  })
  .strict()
  .refine((c) => c.sourceOut > c.sourceIn && c.timelineOut > c.timelineIn, 'a clip must end after it starts (sourceOut > sourceIn, timelineOut > timelineIn)');
export type ClipMedia = z.infer<typeof ClipMedia>;

/** Settings a project is scored with; each has the CLI's default. */
export const ScoreSettings = z
  .object({
    engine: z.string().min(1).default('symbolic'),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    loudnessLufs: z.number().min(-40).max(-6).default(-16),
    handleBars: z.number().int().min(0).max(16).default(2),
    soundFont: z.string().min(1).max(4096).default('musescore'),
    fadeShape: z.enum(FADE_SHAPES).default('linear'),
    stems: z.boolean().default(false),
  })
  .strict();
export type ScoreSettings = z.infer<typeof ScoreSettings>;

/** `POST /v1/projects`: the sequence as the panel reads it from Premiere. */
export const CreateProject = z
  .object({
    name: z.string().min(1).max(200),
    frameRate: z.number().positive().max(1000),
    durationSec: z.number().min(1).max(MAX_SEQUENCE_SEC),
    /** Cut times in seconds (scene starts), or content detection on a rendered video of the sequence. */
    cuts: z.union([z.array(Seconds).max(MAX_CUTS), z.object({ detect: z.object({ video: z.string().min(1).max(4096) }).strict() }).strict()]),
    /** Cuts the editor forced: never merged away, however short their scenes (at least 1 s). */
    forcedCuts: z.array(Seconds).max(MAX_CUTS).default([]),
    frames: z.array(SequenceFrame).max(MAX_FRAMES).default([]),
    clips: z.array(ClipMedia).max(MAX_CLIPS).default([]),
    /** A file with the sequence's sound (dialogue), timeline-aligned from 0. */
    audioMixdown: z.string().min(1).max(4096).nullable().default(null),
    minSceneSec: z.number().min(0).max(3600).default(8),
    settings: ScoreSettings.default(ScoreSettings.parse({})),
  })
  .strict();
export type CreateProject = z.input<typeof CreateProject>;

/**
 * `PUT /v1/projects/{id}/sequence`: the sequence again after the editor re-cut it, described as for
 * creating the project (the cut list, never detection). Scenes that still show the same picture keep
 * their music; only new or changed ones are analysed, prompted and rendered.
 */
export const RecutRequest = CreateProject
  .omit({ name: true, settings: true })
  .extend({ cuts: z.array(Seconds).max(MAX_CUTS) })
  .strict();
export type RecutRequest = z.input<typeof RecutRequest>;

/** `POST /v1/projects/open`: a folder `segue score` wrote. */
export const OpenProject = z.object({ dir: z.string().min(1).max(4096) }).strict();

/** Fields of a music prompt an editor may change; the rest follow from them. */
export const PromptEdit = MusicPrompt.omit({ caption: true, source: true }).partial().strict();
export type PromptEdit = z.infer<typeof PromptEdit>;

/** `POST /v1/projects/{id}/score`: every field optional; absent ones keep the project's. */
export const ScoreRequest = z
  .object({
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    loudnessLufs: z.number().min(-40).max(-6).optional(),
    engine: z.string().min(1).optional(),
    /** The MusicGen ONNX folder on the helper's machine, for engine "musicgen". */
    model: z.string().min(1).max(4096).optional(),
    soundFont: z.string().min(1).max(4096).optional(),
    /** The global style anchor every scene varies around. */
    anchor: z.object({ style: z.string().min(1).optional(), key: Key.optional(), bpm: z.number().min(30).max(300).optional() }).strict().optional(),
    /** Per scene (1-based number as the key) the prompt fields to set. */
    scenes: z.record(z.string().regex(/^[1-9]\d{0,4}$/, 'scene numbers are whole numbers from 1'), PromptEdit).optional(),
    /** Also write soundtrack.wav (and the muxed video when the project has one); the panel does not need them. */
    mix: z.boolean().default(false),
  })
  .strict();
export type ScoreRequest = z.input<typeof ScoreRequest>;

export const RegenerateRequest = z
  .object({
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    prompt: PromptEdit.optional(),
    mix: z.boolean().default(false),
  })
  .strict();
export type RegenerateRequest = z.input<typeof RegenerateRequest>;

export const TransitionRequest = z
  .object({
    /** A style, or "accept" for the director's suggestion. */
    style: z.enum([...TRANSITION_STYLES, 'accept']),
    beats: z.number().min(0.25).max(64).optional(),
    bars: z.number().int().min(1).max(4).optional(),
    shape: z.enum(FADE_SHAPES).optional(),
    mix: z.boolean().default(false),
  })
  .strict();
export type TransitionRequest = z.input<typeof TransitionRequest>;

export const UseTakeRequest = z.object({ take: z.number().int().min(1), mix: z.boolean().default(false) }).strict();
export type UseTakeRequest = z.input<typeof UseTakeRequest>;

export const JOB_KINDS = ['analyse', 'score', 'regenerate', 'transition', 'take', 'recut'] as const;
export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export const JobState = z.enum(JOB_STATES);
export type JobState = z.infer<typeof JobState>;

/** What a finished job changed: the panel replaces exactly these cues' clips. */
export const JobResult = z
  .object({
    /** Cues whose current take is new (or another take made current), or that moved on the timeline (a re-cut). */
    changed: z.array(z.string()),
    /** Cues rendered by this job (a subset of changed: the rest came from disk or cache). */
    rendered: z.array(z.string()),
    /** Cues that no longer exist (a re-score with fewer bridges). */
    removed: z.array(z.string()),
    /** Recut only: new scene numbers (1-based) whose picture was new or changed, so analysed afresh. */
    fresh: z.array(z.number().int().min(1)).optional(),
    seconds: z.number(),
  })
  .strict();
export type JobResult = z.infer<typeof JobResult>;

export const Job = z
  .object({
    id: z.string(),
    project: z.string(),
    kind: z.enum(JOB_KINDS),
    state: JobState,
    /** 0..1 over the whole job; stage names the step. */
    progress: z.number().min(0).max(1),
    stage: z.string().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    /** Jobs ahead of this one (queued jobs only). */
    position: z.number().int().min(0).nullable(),
    result: JobResult.nullable(),
    error: ApiError.shape.error.nullable(),
    /** Interrupted jobs (the helper stopped while they ran) can be retried with POST /v1/jobs/{id}/retry. */
    retryOf: z.string().nullable(),
  })
  .strict();
export type Job = z.infer<typeof Job>;

/** What a long request answers at once (202): the job to follow. */
export const Accepted = z.object({ job: Job, project: z.string() }).strict();
export type Accepted = z.infer<typeof Accepted>;

export const ProjectSummary = z
  .object({
    id: z.string(),
    name: z.string(),
    /** new: being analysed (or its analysis was cut off); created: analysed, not scored; scored: cues exist; damaged: plan.json unreadable (see problem). */
    state: z.enum(['new', 'created', 'scored', 'damaged']),
    scenes: z.number().int(),
    cues: z.number().int(),
    dir: z.string(),
    updatedAt: z.string(),
    /** A job of this project that is queued or running, if any. */
    activeJob: z.string().nullable(),
    problem: z.string().optional(),
  })
  .strict();
export type ProjectSummary = z.infer<typeof ProjectSummary>;

export const ProjectList = z.object({ projects: z.array(ProjectSummary) }).strict();
export const ProjectDetail = z.object({ project: ProjectSummary, plan: Plan.nullable() }).strict();
export const TakesResponse = z
  .object({ cues: z.array(z.object({ id: z.string(), take: z.number().int(), file: z.string() }).strict()), takes: z.array(Take) })
  .strict();

/** One server-sent event of /v1/jobs/{id}/events: `event: progress` carries a ProgressEvent, `event: job` the job's state. */
export const JobEvent = z.union([ProgressEvent, Job]);
