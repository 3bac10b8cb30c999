import { z } from 'zod';
import { SAMPLE_RATE } from '../units.ts';
import { Key, MusicPrompt } from './music.ts';

/**
 * The plan: the contract between the pipeline stages, the CLI's plan.json, the helper API and the
 * Premiere panel. Versioned; any change that breaks a reader bumps PLAN_VERSION and says why in
 * shared/README.md. Times are seconds; every audio position is an integer sample at 48 kHz.
 */
export const PLAN_VERSION = 2;

const Seconds = z.number().finite().min(0);
const SampleIndex = z.number().int().min(0);
const Unit = z.number().min(0).max(1);
const Signed = z.number().min(-1).max(1);

export const TRANSITION_STYLES = ['abrupt-cut', 'silent-gap', 'fade', 'bridge'] as const;
export const TransitionStyle = z.enum(TRANSITION_STYLES);
export type TransitionStyle = z.infer<typeof TransitionStyle>;

export const SourceMedia = z
  .object({
    path: z.string(),
    durationSec: Seconds,
    durationSamples: SampleIndex,
    frameRate: z.number().positive(),
    frameCount: z.number().int().min(1),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    rotation: z.number(),
    hasAudio: z.boolean(),
  })
  .strict();
export type SourceMedia = z.infer<typeof SourceMedia>;

/** A stretch of the sequence between two cuts (or the ends). */
export const Scene = z
  .object({
    index: z.number().int().min(0),
    start: Seconds,
    end: Seconds,
    startSample: SampleIndex,
    endSample: SampleIndex,
    /** caller: from --cuts or the NLE; detected: content detection; whole: no cuts at all. */
    origin: z.enum(['caller', 'detected', 'whole']),
    /** Cuts inside this scene that were merged away because a scene was shorter than the minimum. */
    mergedCuts: z.array(Seconds),
  })
  .strict()
  .refine((s) => s.end > s.start && s.endSample > s.startSample, 'a scene must end after it starts');
export type Scene = z.infer<typeof Scene>;

export const SceneAnalysis = z
  .object({
    brightness: Unit,
    contrast: Unit,
    saturation: Unit,
    /** -1 cool (blue) .. 1 warm (orange). */
    warmth: Signed,
    /** Mean frame-to-frame change, normalised to 0..1. */
    motion: Unit,
    /** Seconds from the scene start where motion peaks (visual accents). */
    motionPeaks: z.array(Seconds),
    /** Shots per minute inside the scene, merged cuts included. */
    shotRate: z.number().min(0),
    dominantColours: z.array(z.string().regex(/^#[0-9a-f]{6}$/)),
    valence: Signed,
    arousal: Signed,
    /**
     * NarraScore-style control curves at 1 Hz from the scene start; `speech` is the share of each
     * second the voice detector called speech (empty when the video has no sound).
     */
    curve: z.object({ valence: z.array(Signed), arousal: z.array(Signed), speech: z.array(Unit) }).strict(),
    /** Share of the scene's seconds that are mostly speech; null when the video has no sound. */
    speech: Unit.nullable(),
    tags: z.array(z.string()),
    caption: z.string(),
  })
  .strict();
export type SceneAnalysis = z.infer<typeof SceneAnalysis>;

/** Where the scene sits in the whole-sequence arc. */
export const ArcPoint = z
  .object({
    tension: Unit,
    role: z.enum(['setup', 'build', 'peak', 'resolve']),
    /** Why the scene got its role (core/director.ts planArc); optional: older v2 plans lack it. */
    reason: z.string().default(''),
  })
  .strict();
export type ArcPoint = z.infer<typeof ArcPoint>;

export const PlannedScene = z
  .object({ scene: Scene, analysis: SceneAnalysis, prompt: MusicPrompt, arc: ArcPoint })
  .strict();
export type PlannedScene = z.infer<typeof PlannedScene>;

/**
 * The tempo grid a cue was composed on (a neural cue: placed on, refitted to the generated music's
 * tempo when that is more than 8 % off the plan's); beat k of the body lies at downbeatSample + k*samplesPerBeat.
 */
export const BeatGrid = z
  .object({
    bpm: z.number().positive(),
    beatsPerBar: z.number().int().min(1).max(12),
    /** Exact (fractional) samples per beat; rounding happens only when a beat is placed. */
    samplesPerBeat: z.number().positive(),
    /** Whole beats in the body (timelineIn..timelineOut). */
    bodyBeats: z.number().int().min(1),
  })
  .strict();
export type BeatGrid = z.infer<typeof BeatGrid>;

export const FADE_SHAPES = ['linear', 'equal-power'] as const;
export const Fade = z
  .object({ samples: z.number().int().min(1), shape: z.enum(FADE_SHAPES) })
  .strict();
export type Fade = z.infer<typeof Fade>;

/**
 * Where a generative bridge sits: [startSample, endSample) spans the cut; preBeats of it lie
 * before the cut (whole bars of the outgoing meter), postBeats after (whole bars of the incoming).
 * The neighbouring cues are trimmed to meet it, overlapping it by joinSamples (a short equal-power
 * crossfade baked into both files, so no click where they meet). Fixed when the bridge is planned,
 * so regenerating a neighbour never moves it.
 */
export const BridgeSpan = z
  .object({
    startSample: SampleIndex,
    endSample: SampleIndex,
    preBeats: z.number().int().min(1),
    postBeats: z.number().int().min(1),
    joinSamples: z.number().int().min(2),
  })
  .strict()
  .refine((b) => b.endSample > b.startSample, 'a bridge must end after it starts');
export type BridgeSpan = z.infer<typeof BridgeSpan>;

/** Measured on the cue's audible body after mastering. */
export const Loudness = z.object({ integratedLufs: z.number(), truePeakDbtp: z.number(), gainDb: z.number() }).strict();

/**
 * One audio file on the timeline. Its sample `handles.head` plays at sequence sample `timelineIn`;
 * the audible body runs to `timelineOut`; handles are extra music either side for trims and
 * crossfades. fileSamples = handles.head + (timelineOut - timelineIn) + handles.tail.
 */
export const Cue = z
  .object({
    id: z.string().regex(/^(scene|bridge)-\d+$/),
    kind: z.enum(['scene', 'bridge']),
    scene: z.number().int().min(0).nullable(),
    cut: z.number().int().min(0).nullable(),
    take: z.number().int().min(1),
    file: z.string(),
    /** The cue's notes as a Standard MIDI File; tick 0 is the WAV's first sample. */
    midiFile: z.string().nullable(),
    /** With --stems: one WAV per instrument group (drums, bass, harmony, melody, pads) that sum to `file`. */
    stems: z.record(z.string(), z.string()).nullable(),
    timelineIn: SampleIndex,
    timelineOut: SampleIndex,
    handles: z.object({ head: SampleIndex, tail: SampleIndex }).strict(),
    fileSamples: SampleIndex,
    /** Fades baked into the file, measured on the timeline from timelineIn / back from timelineOut. */
    fadeIn: Fade.nullable(),
    fadeOut: Fade.nullable(),
    /**
     * Where the music stops sounding: timelineOut, or before a silent gap the point where the
     * natural release has died away (the notes stop gapBeats before the cut; they ring for half the gap).
     */
    musicEndsAt: SampleIndex,
    key: Key,
    grid: BeatGrid,
    /** Bridges only: the key and tempo the bridge arrives in (the incoming scene's); it ramps there. */
    arrival: z.object({ key: Key, bpm: z.number().positive() }).strict().nullable(),
    engine: z.string(),
    seed: z.number().int().min(0),
    loudness: Loudness,
    /** Content hash of everything the audio depends on; equal hashes mean identical bytes. */
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict()
  .refine(
    (c) => c.fileSamples === c.handles.head + (c.timelineOut - c.timelineIn) + c.handles.tail,
    'fileSamples must equal head handle + body + tail handle',
  );
export type Cue = z.infer<typeof Cue>;

export const Duck = z
  .object({ db: z.number().positive().max(24), startSample: SampleIndex, endSample: SampleIndex, rampSamples: z.number().int().min(1) })
  .strict()
  .refine((d) => d.endSample > d.startSample, 'a duck must end after it starts');
export type Duck = z.infer<typeof Duck>;

/** The join between scene `cut` and scene `cut + 1`. */
export const Transition = z
  .object({
    cut: z.number().int().min(0),
    at: Seconds,
    atSample: SampleIndex,
    style: TransitionStyle,
    suggested: TransitionStyle,
    decidedBy: z.enum(['rules', 'llm', 'user']),
    reason: z.string().min(1),
    /** silent-gap: silence before the cut, in beats of the outgoing cue. */
    gapBeats: z.number().min(0),
    /** fade: total overlap, centred on the cut. */
    fade: Fade.nullable(),
    bridge: BridgeSpan.nullable(),
    /**
     * A voice runs across the cut: every cue is lowered by `db` over [startSample, endSample) of
     * the timeline, ramping down over the `rampSamples` before it and back up over those after it,
     * so the music makes room while it changes. Null where no one speaks across the cut
     * (optional: older v2 plans lack it).
     */
    duck: Duck.nullable().default(null),
  })
  .strict();
export type Transition = z.infer<typeof Transition>;

/**
 * Every rendering of a cue is kept as a numbered take; the plan's cues point at the current one.
 * A scene take records the prompt and seed it was made from, so it can be made current again.
 */
export const TAKE_REASONS = ['score', 'regenerate', 'transition', 'restore'] as const;
export const Take = z
  .object({
    cue: z.string(),
    take: z.number().int().min(1),
    file: z.string(),
    seed: z.number().int().min(0),
    prompt: MusicPrompt.nullable(),
    hash: z.string(),
    loudness: Loudness,
    reason: z.enum(TAKE_REASONS),
    createdAt: z.string().datetime(),
  })
  .strict();
export type Take = z.infer<typeof Take>;

export const PlanSettings = z
  .object({
    minSceneSec: z.number().min(0),
    engine: z.string(),
    seed: z.number().int().min(0),
    loudnessLufs: z.number().min(-70).max(0),
    truePeakDbtp: z.number().max(0),
    handleBars: z.number().int().min(0).max(16),
    fadeShape: z.enum(FADE_SHAPES),
    stems: z.boolean(),
    /** The GGUF model that wrote prompts and chose transitions (LLM mode), or null. */
    llm: z.string().nullable(),
    /** The CLIP/SigLIP ONNX folder that tagged the scenes, or null (optional: older v2 plans lack it). */
    vision: z.string().nullable().default(null),
    soundFont: z.string(),
    /** The neural engine's MusicGen ONNX folder (engine "musicgen"), or null (optional: older v2 plans lack it). */
    model: z.string().nullable().default(null),
  })
  .strict();
export type PlanSettings = z.infer<typeof PlanSettings>;

export const Plan = z
  .object({
    schema: z.literal('segue.plan'),
    version: z.literal(PLAN_VERSION),
    generator: z.object({ name: z.literal('segue'), version: z.string() }).strict(),
    sampleRate: z.literal(SAMPLE_RATE),
    source: SourceMedia.nullable(),
    durationSamples: SampleIndex,
    settings: PlanSettings,
    /** The global style anchor the scenes vary around. */
    anchor: z.object({ style: z.string(), key: Key, bpm: z.number().positive() }).strict(),
    scenes: z.array(PlannedScene).min(1),
    transitions: z.array(Transition),
    cues: z.array(Cue),
    takes: z.array(Take),
    outputs: z
      .object({ mix: z.string().nullable(), video: z.string().nullable(), keepOriginalAudio: z.boolean() })
      .strict(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.transitions.length !== p.scenes.length - 1) {
      ctx.addIssue({ code: 'custom', message: 'there must be one transition per cut (scenes - 1)' });
    }
    p.scenes.forEach((s, i) => {
      if (s.scene.index !== i) ctx.addIssue({ code: 'custom', message: `scene ${i} has index ${s.scene.index}` });
      const prev = p.scenes[i - 1];
      if (prev && prev.scene.endSample !== s.scene.startSample) {
        ctx.addIssue({ code: 'custom', message: `scene ${i} does not start where scene ${i - 1} ends` });
      }
    });
    const ids = new Set(p.cues.map((c) => c.id));
    if (ids.size !== p.cues.length) ctx.addIssue({ code: 'custom', message: 'cue ids must be unique' });
    for (const c of p.cues) {
      if (!p.takes.some((t) => t.cue === c.id && t.take === c.take && t.file === c.file)) {
        ctx.addIssue({ code: 'custom', message: `${c.id}: its current take ${c.take} is not in the take history` });
      }
    }
  });
export type Plan = z.infer<typeof Plan>;
