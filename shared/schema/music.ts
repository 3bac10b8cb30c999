import { z } from 'zod';

/** Pitch classes as musicians spell them in prompts (flats for the black keys except F#). */
export const PITCH_CLASSES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'] as const;
export const PitchClass = z.enum(PITCH_CLASSES);
export type PitchClass = z.infer<typeof PitchClass>;

export const MODES = ['major', 'minor', 'dorian', 'phrygian', 'lydian', 'mixolydian'] as const;
export const Mode = z.enum(MODES);
export type Mode = z.infer<typeof Mode>;

export const Key = z.object({ tonic: PitchClass, mode: Mode }).strict();
export type Key = z.infer<typeof Key>;

export const MIN_BPM = 30;
export const MAX_BPM = 300;
export const Bpm = z
  .number()
  .min(MIN_BPM, `bpm must be at least ${MIN_BPM}`)
  .max(MAX_BPM, `bpm must be at most ${MAX_BPM}`);

/**
 * The structured music prompt of JenBridge's VMPT (genre, instruments, key, BPM, mood) plus the
 * energy the arrangement should reach. `style` names an entry of the engine's style library;
 * `caption` is the paper's one-line text form, which the neural engine and the LLM read.
 */
export const MusicPrompt = z
  .object({
    style: z.string().min(1),
    genre: z.array(z.string().min(1)).min(1),
    instruments: z.array(z.string().min(1)).min(1),
    key: Key,
    bpm: Bpm,
    mood: z.array(z.string().min(1)).min(1),
    energy: z.number().min(0).max(1),
    source: z.enum(['rules', 'llm', 'user']),
    caption: z.string(),
  })
  .strict();
export type MusicPrompt = z.infer<typeof MusicPrompt>;

export function keyName(k: Key): string {
  return `${k.tonic} ${k.mode}`;
}

/** The paper's caption form: "Genre: ..., Key: ..., BPM: ..., Instruments: ..., Mood: ...". */
export function promptCaption(p: Omit<MusicPrompt, 'caption'>): string {
  return (
    `Genre: ${p.genre.join(', ')}, Key: ${keyName(p.key)}, BPM: ${Math.round(p.bpm)}, ` +
    `Instruments: ${p.instruments.join(', ')}, Mood: ${p.mood.join(', ')}`
  );
}
