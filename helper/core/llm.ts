import { z } from 'zod';
import { Key, MODES, PITCH_CLASSES, promptCaption, type MusicPrompt, type PlannedScene, type TransitionStyle } from '../../shared/index.ts';
import { STYLES } from './compose/styles.ts';

/**
 * LLM mode, the pure half: the paper's prompts (JenBridge appendix B.4 for VMPT, B.5 for the
 * director), the JSON schemas that constrain the model's output through a grammar, and the zod
 * parsing of what comes back. The adapter (adapters/llama.ts) runs the model; anything that does
 * not parse here falls back to the rules, with the reason.
 */

/** B.4's system instruction, verbatim, then the answer format our engine can play. */
export const VMPT_SYSTEM = [
  'You are a professional music analyst, you need to analysis the given video caption and extract the main theme of the video, then you need to find the music genre, instrument, and key that is most suitable for the video. Finally, you need to output the best music caption that is most suitable for the video, do not need to output the video theme, just output the music caption with the music genre, instrument, and key.',
  `Answer in JSON: "style" (one of: ${STYLES.map((s) => `${s.id} = ${s.label}`).join('; ')}), "genre", "instruments" and "mood" (a few words each), "key" (tonic and mode) and "bpm".`,
  'Example input: {A slow-motion montage shows a runner warming up at dawn on a quiet city riverside. Golden sunlight reflects on the water; the mood transitions from introspective to motivated as the runner starts the first sprint.}',
  'Example output: {"style":"pop-rock","genre":["rock","pop","indie rock"],"instruments":["bass","drums","electric guitar","synthesizer"],"key":{"tonic":"F#","mode":"major"},"bpm":120,"mood":["relaxing","happy"]}',
].join('\n');

export const vmptUser = (caption: string) => `{${caption}}`;

const BPMS = Array.from({ length: 161 }, (_, i) => 40 + i);
const words = { type: 'array', items: { type: 'string', maxLength: 20 }, minItems: 1, maxItems: 3 } as const;

export const VMPT_SCHEMA = {
  type: 'object',
  properties: {
    style: { enum: STYLES.map((s) => s.id) },
    genre: words,
    instruments: words,
    key: { type: 'object', properties: { tonic: { enum: [...PITCH_CLASSES] }, mode: { enum: [...MODES] } } },
    bpm: { enum: BPMS },
    mood: words,
  },
} as const;

const VmptAnswer = z
  .object({ style: z.string(), genre: z.array(z.string()), instruments: z.array(z.string()), key: Key, bpm: z.number().int().min(40).max(200), mood: z.array(z.string()) })
  .strict();

/**
 * Readable text only: a model can satisfy the grammar with bytes that are not words. Prompts and
 * reasons are English descriptors (as the paper's VMPT writes them), so Latin letters must carry them.
 */
export function readable(s: string, sentence = false): boolean {
  const t = s.trim();
  if (t.length < 2 || !/^[\x20-\x7e\u00c0-\u024f]+$/.test(t)) return false;
  if (!sentence && !/^[a-z\u00c0-\u024f][a-z0-9\u00c0-\u024f '&/+.-]*$/i.test(t)) return false;
  const letters = t.match(/[a-z\u00c0-\u024f]/gi)?.length ?? 0;
  return letters >= 2 && letters / t.replace(/\s/g, '').length >= 0.75;
}

/**
 * The model's answer as a music prompt, or why it cannot be one. Style, key and tempo must be
 * valid (the grammar makes them so for any model that follows it); unreadable words in genre,
 * instruments or mood are dropped, and the style's own words stand in when none remain.
 */
export function parseVmpt(answer: unknown, rules: MusicPrompt): MusicPrompt | string {
  const parsed = VmptAnswer.safeParse(answer);
  if (!parsed.success) return `the answer does not match the prompt schema (${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message})`;
  const a = parsed.data;
  const style = STYLES.find((s) => s.id === a.style);
  if (!style) return `"${a.style}" is not a style of the engine`;
  const keep = (xs: string[], fallback: string[]) => {
    const ok = xs.map((x) => x.trim().toLowerCase()).filter((x) => readable(x));
    return ok.length ? [...new Set(ok)] : fallback;
  };
  const p = {
    style: style.id,
    genre: keep(a.genre, style.genre),
    instruments: keep(a.instruments, style.parts.map((x) => x.name)),
    key: a.key,
    bpm: Math.max(style.bpm[0], Math.min(style.bpm[1], a.bpm)),
    mood: keep(a.mood, rules.mood),
    energy: rules.energy,
    source: 'llm' as const,
  };
  return { ...p, caption: promptCaption(p) };
}

/** B.5's few-shot prompt, verbatim, extended with the arc (the plan the paper's director lacked) and a reason. */
export const DIRECTOR_SYSTEM = `You are a professional music director for video production. Your task is to select the most appropriate musical transition between two consecutive video clips, Clip A and Clip B. Analyze the visual and musical descriptions provided for both clips to determine the narrative relationship between them.

Your available transition options are:
- generative transition: For smooth, evolving changes in mood or scenery. Synthesizes a new musical bridge.
- abrupt cut: For sudden, dramatic shifts in action or emotion.
- silent gap: To create a moment of tension, surprise, or reflection.
- fade-out/fade-in: For simple, gentle changes between scenes with similar moods.
Answer in JSON with "decision" (the chosen transition style in lowercase) and "reason" (one short sentence).

### EXAMPLES ###

## Example 1
Clip A - Video Caption: A wide, static shot of a serene lake at dawn, with mist rising from the water.
Clip A - Music Caption: Peaceful, ambient, slow strings, ethereal pads.
Clip B - Video Caption: A fast-paced car chase through a bustling city at night, with quick cuts and explosions.
Clip B - Music Caption: Action, intense, percussive, fast tempo, heavy drums, cinematic hits.
Decision: abrupt cut

## Example 2
Clip A - Video Caption: A time-lapse of a single flower blooming in the morning sun.
Clip A - Music Caption: Hopeful, delicate, gentle piano melody, soft strings.
Clip B - Video Caption: A sweeping aerial drone shot revealing a vast, lush green forest canopy.
Clip B - Music Caption: Majestic, grand, orchestral, cinematic, full strings section.
Decision: generative transition

## Example 3
Clip A - Video Caption: A character cautiously approaches a mysterious, ancient door.
Clip A - Music Caption: Suspenseful, low drone, tense, minimalist synth.
Clip B - Video Caption: The character's face, showing a look of pure shock and disbelief after opening the door.
Clip B - Music Caption: A sudden, loud, dramatic orchestral stab, followed by silence.
Decision: silent gap`;

export function directorUser(A: PlannedScene, B: PlannedScene): string {
  return [
    '### TASK ###',
    `Clip A - Video Caption: ${A.analysis.caption}`,
    `Clip A - Music Caption: ${A.prompt.caption}`,
    `Clip B - Video Caption: ${B.analysis.caption}`,
    `Clip B - Music Caption: ${B.prompt.caption}`,
    `Where they sit in the whole piece: A is the ${A.arc.role} (tension ${A.arc.tension.toFixed(2)}), B is the ${B.arc.role} (tension ${B.arc.tension.toFixed(2)}).`,
    'Decision:',
  ].join('\n');
}

const DECISIONS = { 'generative transition': 'bridge', 'abrupt cut': 'abrupt-cut', 'silent gap': 'silent-gap', 'fade-out/fade-in': 'fade' } as const satisfies Record<string, TransitionStyle>;

export const DIRECTOR_SCHEMA = {
  type: 'object',
  properties: { decision: { enum: Object.keys(DECISIONS) }, reason: { type: 'string', maxLength: 100 } },
} as const;

const DirectorAnswer = z.object({ decision: z.enum(Object.keys(DECISIONS) as [keyof typeof DECISIONS]), reason: z.string() }).strict();

export function parseDirector(answer: unknown): { style: TransitionStyle; reason: string } | string {
  const parsed = DirectorAnswer.safeParse(answer);
  if (!parsed.success) return `the answer does not match the decision schema (${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message})`;
  const reason = parsed.data.reason.trim();
  if (!readable(reason, true) || reason.split(/\s+/).length < 3) return 'the reason it gave is not readable text';
  return { style: DECISIONS[parsed.data.decision], reason: `${reason} (LLM director)` };
}
