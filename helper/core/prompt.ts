import type { Key, MusicPrompt, PitchClass, SceneAnalysis } from '../../shared/index.ts';
import { PITCH_CLASSES, promptCaption } from '../../shared/index.ts';
import { isMinorish } from './compose/harmony.ts';
import { styleById, type Style } from './compose/styles.ts';
import { moodsFor, rankedMoods } from './moods.ts';
import { tagOption } from './vision.ts';

/**
 * Rules-mode VMPT: scene analysis -> the paper's structured music prompt. Pure.
 *
 * - Style from the valence/arousal quadrant (table below), chosen once for the whole sequence
 *   (the global anchor) and changed for a scene only when its picture differs in character
 *   (VA distance from the sequence mean > CHARACTER_CHANGE).
 * - Tempo from MTM's tempo classes: slow ~94, medium ~123, fast ~144 BPM, then kept in the style's range.
 * - Mode from valence (the style's bright or dark mode); the tonic from colour temperature, and
 *   scenes in the other mode use the relative key so adjacent scenes share a pitch collection.
 */

export const TEMPO_CLASSES = { slow: 94, medium: 123, fast: 144 } as const;
export const CHARACTER_CHANGE = 0.75;

export function styleForMood(valence: number, arousal: number, warmth: number): string {
  if (arousal > 0.45) return valence < -0.1 ? 'action' : warmth < -0.1 ? 'synthwave' : 'pop-rock';
  if (arousal < -0.35) return valence < -0.2 ? 'suspense' : valence > 0.25 ? 'piano' : 'ambient';
  if (valence < -0.25) return 'suspense';
  if (valence > 0.3) return warmth > 0.15 ? 'folk' : 'lofi';
  return 'cinematic';
}

export function tempoFor(arousal: number, style: Style): number {
  const cls = arousal < -0.2 ? TEMPO_CLASSES.slow : arousal < 0.4 ? TEMPO_CLASSES.medium : TEMPO_CLASSES.fast;
  return Math.max(style.bpm[0], Math.min(style.bpm[1], cls));
}

/** Warm pictures get sharp-side keys, cool ones flat-side. */
export function tonicFor(warmth: number): PitchClass {
  const ladder: PitchClass[] = ['Eb', 'Bb', 'F', 'C', 'G', 'D', 'A'];
  return ladder[Math.max(0, Math.min(ladder.length - 1, Math.round(((warmth + 1) / 2) * (ladder.length - 1))))]!;
}

/** Mood words the style can carry, nearest the scene's valence and arousal; a vision model's mood tag, when the style can carry it, leads. */
export function moodWords(style: string, valence: number, arousal: number, tags: readonly string[] = []): string[] {
  return moodsFor(style, valence, arousal, tags.map((t) => tagOption(t)?.mood).filter((m): m is string => !!m));
}

/**
 * Whether two scenes look different enough that their music should be described differently:
 * mood (valence/arousal distance >= 0.2), light (brightness >= 0.2), colour temperature (>= 0.3)
 * or movement (motion >= 0.2).
 */
export function differOnScreen(a: SceneAnalysis, b: SceneAnalysis): boolean {
  return Math.hypot(a.valence - b.valence, a.arousal - b.arousal) >= 0.2 || Math.abs(a.brightness - b.brightness) >= 0.2
    || Math.abs(a.warmth - b.warmth) >= 0.3 || Math.abs(a.motion - b.motion) >= 0.2;
}

/** A prompt as a listener hears it: the same words in another order are the same prompt. */
export const promptKey = (p: MusicPrompt): string => JSON.stringify([p.style, p.key, Math.round(p.bpm), [...p.mood].sort()]);

/**
 * Neighbouring scenes that look different but got the same prompt are told apart: one of them
 * (the later, unless `mayChange` keeps it: a re-cut never rewrites a kept scene's prompt) gives its
 * last mood word up for its next-nearest word that the other does not use.
 */
export function distinguishNeighbours<T extends { analysis: SceneAnalysis; prompt: MusicPrompt }>(scenes: readonly T[], mayChange: (k: number) => boolean = () => true): T[] {
  const out = [...scenes];
  for (let k = 1; k < out.length; k++) {
    if (promptKey(out[k]!.prompt) !== promptKey(out[k - 1]!.prompt) || !differOnScreen(out[k - 1]!.analysis, out[k]!.analysis)) continue;
    const j = mayChange(k) ? k : mayChange(k - 1) ? k - 1 : null;
    if (j === null) continue;
    const cur = out[j]!;
    const other = out[j === k ? k - 1 : k]!;
    const fresh = rankedMoods(cur.prompt.style, cur.analysis.valence, cur.analysis.arousal).find((w) => !other.prompt.mood.includes(w));
    if (!fresh) continue;
    const p = { ...cur.prompt, mood: [...cur.prompt.mood.slice(0, -1), fresh] };
    out[j] = { ...cur, prompt: { ...p, caption: promptCaption(p) } };
  }
  return out;
}

/** The relative key: same notes, other mode (C major <-> A minor). */
export function relativeKey(anchor: Key, mode: Key['mode']): Key {
  const fromMinor = isMinorish(anchor.mode);
  const toMinor = isMinorish(mode);
  if (fromMinor === toMinor) return { tonic: anchor.tonic, mode };
  const t = PITCH_CLASSES.indexOf(anchor.tonic);
  return { tonic: PITCH_CLASSES[(t + (toMinor ? 9 : 3)) % 12]!, mode };
}

export interface Anchor {
  style: string;
  key: Key;
  bpm: number;
}

export function anchorFor(scenes: readonly { analysis: SceneAnalysis; seconds: number }[]): Anchor {
  const total = scenes.reduce((a, s) => a + s.seconds, 0) || 1;
  const avg = (f: (a: SceneAnalysis) => number) => scenes.reduce((acc, s) => acc + f(s.analysis) * s.seconds, 0) / total;
  const v = avg((a) => a.valence);
  const ar = avg((a) => a.arousal);
  const w = avg((a) => a.warmth);
  const style = styleById(styleForMood(v, ar, w));
  return { style: style.id, key: { tonic: tonicFor(w), mode: v >= 0 ? style.modes.bright : style.modes.dark }, bpm: tempoFor(ar, style) };
}

export function rulesPrompt(a: SceneAnalysis, anchor: Anchor, meanVA: { valence: number; arousal: number }): MusicPrompt {
  const distinct = Math.hypot(a.valence - meanVA.valence, a.arousal - meanVA.arousal) > CHARACTER_CHANGE;
  const style = styleById(distinct ? styleForMood(a.valence, a.arousal, a.warmth) : anchor.style);
  const mode = a.valence >= 0 ? style.modes.bright : style.modes.dark;
  const p = {
    style: style.id,
    genre: style.genre,
    instruments: style.parts.map((x) => x.name),
    key: relativeKey(anchor.key, mode),
    bpm: tempoFor(a.arousal, style),
    mood: moodWords(style.id, a.valence, a.arousal, a.tags),
    energy: Math.round(((a.arousal + 1) / 2) * 1000) / 1000,
    source: 'rules' as const,
  };
  return { ...p, caption: promptCaption(p) };
}
