/**
 * Zero-shot scene tags from a CLIP or SigLIP embedding model. Pure: embeddings in, tags out; the
 * ONNX runtime lives in adapters/onnx.ts and the frame grabbing in the ffmpeg adapter.
 *
 * Each category is one zero-shot question ("where is it?", "what time of day?", ...) answered by a
 * softmax over the cosine similarities of the scene's image embedding to "a photo of <phrase>."
 * for each option, at CLIP's logit scale of 100. An option becomes a tag only when it takes at least
 * TAG_MIN_PROB of its category (a clear majority), so a question the picture does not answer, or
 * answers two ways, gives no tag.
 *
 * Each tag nudges the scene's valence and arousal (the table below, documented in helper/README.md):
 * the descriptors say how the picture looks, the tags say what it shows, and "a fight" should drive
 * the music harder than its colours alone would.
 */

export interface TagOption {
  /** Short label kept in the plan (analysis.tags). */
  label: string;
  /** What the text model reads, after PROMPT_TEMPLATE. */
  phrase: string;
  /** Added to valence and arousal, scaled by the option's probability. */
  valence: number;
  arousal: number;
  /** A mood word the prompt can use (mood category only). */
  mood?: string;
}

export interface TagCategory {
  id: 'setting' | 'time' | 'action' | 'mood';
  options: readonly TagOption[];
}

export const PROMPT_TEMPLATE = (phrase: string) => `a photo of ${phrase}.`;
export const LOGIT_SCALE = 100;
export const TAG_MIN_PROB = 0.55;

const o = (label: string, phrase: string, valence: number, arousal: number, mood?: string): TagOption => ({ label, phrase, valence, arousal, ...(mood ? { mood } : {}) });

export const TAG_CATEGORIES: readonly TagCategory[] = [
  {
    id: 'time',
    options: [
      o('daytime', 'a scene in daylight', 0.1, 0),
      o('night', 'a scene at night', -0.15, 0),
      o('sunset', 'a sunset', 0.15, -0.1),
    ],
  },
  {
    id: 'setting',
    options: [
      o('city', 'a city street', 0, 0.1),
      o('indoors', 'a room indoors', 0, -0.1),
      o('office', 'an office', -0.05, -0.05),
      o('forest', 'a forest', 0.05, -0.1),
      o('beach', 'a beach', 0.2, -0.1),
      o('mountains', 'mountains', 0.1, 0),
      o('desert', 'a desert', -0.05, 0),
      o('sea', 'the open sea', 0.05, -0.05),
      o('snow', 'a snowy landscape', 0, -0.15),
      o('countryside', 'fields in the countryside', 0.15, -0.15),
      o('stage', 'a concert stage', 0.2, 0.3),
      o('road', 'a road', 0, 0.1),
    ],
  },
  {
    id: 'action',
    options: [
      o('talking', 'people talking', 0, -0.1),
      o('running', 'people running', 0, 0.3),
      o('chase', 'a chase', -0.1, 0.5),
      o('fight', 'a fight', -0.4, 0.5),
      o('dancing', 'people dancing', 0.35, 0.35),
      o('sport', 'people playing sport', 0.15, 0.35),
      o('driving', 'a car driving', 0, 0.15),
      o('crowd', 'a crowd of people', 0.05, 0.2),
      o('working', 'a person working at a desk', -0.05, -0.1),
      o('empty', 'an empty landscape', 0, -0.3),
    ],
  },
  {
    id: 'mood',
    options: [
      o('happy', 'a happy moment', 0.45, 0.1, 'joyful'),
      o('sad', 'a sad moment', -0.45, -0.25, 'melancholic'),
      o('scary', 'a scary, ominous place', -0.45, 0.25, 'ominous'),
      o('romantic', 'a romantic moment', 0.35, -0.2, 'tender'),
      o('tense', 'a tense moment', -0.3, 0.3, 'tense'),
      o('peaceful', 'a peaceful moment', 0.25, -0.35, 'peaceful'),
      o('epic', 'an epic, grand view', 0.15, 0.4, 'epic'),
      o('mysterious', 'a mysterious place', -0.15, -0.05, 'mysterious'),
      o('funny', 'a funny moment', 0.4, 0.2, 'playful'),
    ],
  },
];

/** Every text prompt, in category order; embedTexts is asked for these once per run. */
export function tagPrompts(): string[] {
  return TAG_CATEGORIES.flatMap((c) => c.options.map((x) => PROMPT_TEMPLATE(x.phrase)));
}

export interface SceneTag {
  category: TagCategory['id'];
  option: TagOption;
  prob: number;
}

function normalise(v: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  const s = n > 0 ? 1 / Math.sqrt(n) : 0;
  return Float64Array.from(v, (x) => x * s);
}

/** The mean of a scene's frame embeddings, L2-normalised (frames normalised first, so none dominates). */
export function sceneEmbedding(frames: readonly ArrayLike<number>[]): Float64Array {
  if (!frames.length) throw new Error('a scene embedding needs at least one frame');
  const dim = frames[0]!.length;
  const sum = new Float64Array(dim);
  for (const f of frames) normalise(f).forEach((x, i) => (sum[i]! += x));
  return normalise(sum);
}

/** Tags for one scene: per category, the softmax winner when it is sure enough. `texts` in tagPrompts() order. */
export function zeroShotTags(image: ArrayLike<number>, texts: readonly ArrayLike<number>[]): SceneTag[] {
  const want = TAG_CATEGORIES.reduce((a, c) => a + c.options.length, 0);
  if (texts.length !== want) throw new Error(`expected ${want} text embeddings, got ${texts.length}`);
  const img = normalise(image);
  const tags: SceneTag[] = [];
  let t = 0;
  for (const c of TAG_CATEGORIES) {
    const logits = c.options.map(() => {
      const txt = normalise(texts[t++]!);
      if (txt.length !== img.length) throw new Error(`image embedding has ${img.length} values, text embedding ${txt.length}: the two models do not belong together`);
      let dot = 0;
      for (let i = 0; i < img.length; i++) dot += img[i]! * txt[i]!;
      return LOGIT_SCALE * dot;
    });
    const top = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - top));
    const total = exps.reduce((a, b) => a + b, 0);
    const best = exps.indexOf(Math.max(...exps));
    const prob = exps[best]! / total;
    if (prob >= TAG_MIN_PROB) tags.push({ category: c.id, option: c.options[best]!, prob: Number(prob.toFixed(4)) });
  }
  return tags;
}

/** Valence and arousal moved by what the tags say, each weighted by its probability; stays in [-1, 1]. */
export function nudgeByTags(va: { valence: number; arousal: number }, tags: readonly SceneTag[]): { valence: number; arousal: number } {
  const clamp = (x: number) => Math.max(-1, Math.min(1, x));
  return {
    valence: clamp(va.valence + tags.reduce((a, t) => a + t.prob * t.option.valence, 0)),
    arousal: clamp(va.arousal + tags.reduce((a, t) => a + t.prob * t.option.arousal, 0)),
  };
}

/** The tag labels as stored in the plan, e.g. ["night", "city", "talking", "tense"]. */
export const tagLabels = (tags: readonly SceneTag[]) => tags.map((t) => t.option.label);

/** Looks an option up by its label (plans store labels; captions and prompts want phrases and moods). */
export function tagOption(label: string): TagOption | undefined {
  for (const c of TAG_CATEGORIES) for (const x of c.options) if (x.label === label) return x;
  return undefined;
}

/**
 * Pixels of one frame (packed RGB24, already resized and cropped to the model's size) as the
 * model's CHW float input: rescaled to 0..1, then (x - mean) / std per channel.
 */
export function pixelValues(rgb: Uint8Array, size: number, mean: readonly number[], std: readonly number[], out: Float32Array, offset: number): void {
  const n = size * size;
  if (rgb.length !== n * 3) throw new Error(`expected ${n * 3} bytes for a ${size}x${size} frame, got ${rgb.length}`);
  for (let c = 0; c < 3; c++) {
    const m = mean[c]!;
    const s = std[c]!;
    const base = offset + c * n;
    for (let i = 0; i < n; i++) out[base + i] = (rgb[i * 3 + c]! / 255 - m) / s;
  }
}
