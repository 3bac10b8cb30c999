import { z } from 'zod';

/** Pipeline stages in the order they run; progress events name one of these. */
export const STAGES = ['probe', 'scenes', 'analysis', 'prompts', 'plan', 'audio', 'mix', 'outputs'] as const;
export const Stage = z.enum(STAGES);
export type Stage = z.infer<typeof Stage>;

/** One line of `segue score --json`, and one server-sent event of the helper. */
export const ProgressEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('stage'),
    stage: Stage,
    status: z.enum(['start', 'progress', 'done']),
    /** 0..1 within the stage. */
    fraction: z.number().min(0).max(1),
    message: z.string(),
    cached: z.boolean().optional(),
  }),
  z.object({ type: z.literal('warning'), message: z.string() }),
  z.object({
    type: z.literal('result'),
    outDir: z.string(),
    plan: z.string(),
    mix: z.string(),
    video: z.string().nullable(),
    cues: z.array(z.string()),
    /** Edits: the cues that got a new current take. */
    changed: z.array(z.string()).optional(),
    seconds: z.number(),
  }),
  z.object({ type: z.literal('error'), code: z.string(), exitCode: z.number().int(), message: z.string() }),
]);
export type ProgressEvent = z.infer<typeof ProgressEvent>;
