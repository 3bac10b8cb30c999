/**
 * Mood words for the music prompt, drawn so that the style and the mood agree. Pure.
 *
 * Every word has a place on the valence/arousal plane (Russell's circumplex, as the analysis
 * measures it), and every style lists the words its music can carry: a suspense cue can be tense
 * or brooding but never warm and peaceful; a folk cue can be wistful but never menacing. A scene's
 * words are the style's words nearest to the scene's own valence and arousal, so two scenes that
 * look different get different words even within one style. A vision model's mood tag leads when
 * the style can carry it and is dropped when it cannot.
 */

export const MOODS: Readonly<Record<string, readonly [valence: number, arousal: number]>> = {
  uplifting: [0.6, 0.5], energetic: [0.4, 0.8], joyful: [0.7, 0.35], triumphant: [0.5, 0.7], playful: [0.6, 0.2], epic: [0.2, 0.7],
  hopeful: [0.45, 0.05], warm: [0.5, -0.2], tender: [0.4, -0.35], peaceful: [0.35, -0.65], relaxed: [0.3, -0.45], dreamy: [0.2, -0.5],
  nostalgic: [0.1, -0.3], reflective: [0, -0.45], calm: [0.1, -0.75], wistful: [-0.2, -0.35], mysterious: [-0.25, -0.1],
  driving: [0.05, 0.6], determined: [0, 0.35], urgent: [-0.3, 0.75], uneasy: [-0.35, 0.1], tense: [-0.5, 0.5], aggressive: [-0.6, 0.85],
  menacing: [-0.7, 0.35], ominous: [-0.6, -0.05], brooding: [-0.5, -0.25], dark: [-0.7, -0.35], melancholic: [-0.5, -0.5], sombre: [-0.6, -0.65],
};
export type Mood = keyof typeof MOODS;

/** The moods each style's music can carry (compose/styles.ts ids). */
export const STYLE_MOODS: Readonly<Record<string, readonly string[]>> = {
  cinematic: ['epic', 'triumphant', 'uplifting', 'hopeful', 'tender', 'reflective', 'wistful', 'mysterious', 'determined', 'tense', 'brooding', 'melancholic', 'sombre'],
  ambient: ['calm', 'dreamy', 'reflective', 'peaceful', 'wistful', 'mysterious', 'brooding', 'sombre'],
  piano: ['tender', 'peaceful', 'reflective', 'nostalgic', 'wistful', 'melancholic', 'hopeful', 'calm', 'warm'],
  lofi: ['relaxed', 'dreamy', 'nostalgic', 'warm', 'playful', 'reflective', 'calm', 'wistful'],
  synthwave: ['driving', 'energetic', 'nostalgic', 'determined', 'urgent', 'dreamy', 'mysterious', 'uplifting'],
  'pop-rock': ['uplifting', 'energetic', 'joyful', 'driving', 'determined', 'triumphant', 'playful', 'hopeful'],
  folk: ['warm', 'hopeful', 'nostalgic', 'tender', 'joyful', 'peaceful', 'playful', 'wistful', 'relaxed'],
  suspense: ['tense', 'menacing', 'ominous', 'dark', 'uneasy', 'brooding', 'mysterious', 'urgent', 'sombre'],
  action: ['driving', 'determined', 'urgent', 'tense', 'aggressive', 'triumphant', 'menacing', 'energetic', 'epic'],
  jazz: ['playful', 'relaxed', 'warm', 'nostalgic', 'joyful', 'wistful', 'mysterious', 'driving'],
};

const distance = (w: string, v: number, a: number) => Math.hypot(MOODS[w]![0] - v, MOODS[w]![1] - a);

/** The style's mood words ordered by closeness to (valence, arousal); nearest first. */
export function rankedMoods(style: string, valence: number, arousal: number): string[] {
  const words = STYLE_MOODS[style] ?? Object.keys(MOODS);
  return [...words].sort((x, y) => distance(x, valence, arousal) - distance(y, valence, arousal) || x.localeCompare(y));
}

/** Up to `n` words: the tags' moods the style can carry, then the style's words nearest the scene. */
export function moodsFor(style: string, valence: number, arousal: number, tagMoods: readonly string[] = [], n = 3): string[] {
  const allowed = new Set(STYLE_MOODS[style] ?? Object.keys(MOODS));
  return [...new Set([...tagMoods.filter((m) => allowed.has(m)), ...rankedMoods(style, valence, arousal)])].slice(0, n);
}
