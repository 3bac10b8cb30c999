import type { Scene, SceneAnalysis } from '../../shared/index.ts';
import type { FrameSeries } from './frames.ts';
import { nudgeByTags, tagLabels, tagOption, type SceneTag } from './vision.ts';

/**
 * Scene descriptors and NarraScore-style valence/arousal from per-frame stats. Pure.
 *
 * Mapping (documented in helper/README.md, tested in tests/analysis.test.ts):
 *   valence = 1.2(brightness-0.45) + 0.8(saturation-0.3) + 0.5 warmth        (clamped to -1..1)
 *   arousal = 2(0.6 motionN + 0.25 shotN + 0.15 contrast) - 1              (clamped to -1..1)
 * where motionN = motion/0.06 and shotN = shots per minute / 20, each clamped to 0..1. Bright,
 * colourful, warm pictures read as positive; fast, cut-heavy, contrasty ones as energetic.
 * Vision tags, when a model gave some, then move both (core/vision.ts: nudgeByTags), the scene
 * means and every point of the curves alike.
 */

const clamp = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, x));
const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export const MOTION_FULL_SCALE = 0.06;

export function valenceOf(brightness: number, saturation: number, warmth: number): number {
  return clamp(1.2 * (brightness - 0.45) + 0.8 * (saturation - 0.3) + 0.5 * warmth, -1, 1);
}

export function arousalOf(motion: number, shotsPerMinute: number, contrast: number): number {
  const m = clamp(motion / MOTION_FULL_SCALE, 0, 1);
  const s = clamp(shotsPerMinute / 20, 0, 1);
  return clamp(2 * (0.6 * m + 0.25 * s + 0.15 * contrast) - 1, -1, 1);
}

function hex(bin: number): string {
  const c = (v: number) => ((v * 64 + 32) | 0).toString(16).padStart(2, '0');
  return `#${c(bin >> 4)}${c((bin >> 2) & 3)}${c(bin & 3)}`;
}

function smooth(xs: number[]): number[] {
  return xs.map((_, i) => mean(xs.slice(Math.max(0, i - 1), i + 2)));
}

/** Frames whose time falls in [start, end) of the scene; the first frame's delta is across the cut, so skip it for motion. */
/** `speech`: per second of the whole video, the share the voice detector called speech; null without sound. */
/** `tags`: what a vision model saw in the scene (none without one). */
export function analyseScene(scene: Scene, series: FrameSeries, speech: readonly number[] | null = null, tags: readonly SceneTag[] = []): SceneAnalysis {
  const stats = series.frames;
  const inScene = stats.filter((s) => s.time >= scene.start - 1e-9 && s.time < scene.end - 1e-9);
  // A file damaged midway leaves later scenes without frames: describe them by the last frame seen.
  const fs = inScene.length ? inScene : stats.slice(-1);
  const inner = fs.slice(1);
  const dur = scene.end - scene.start;
  const brightness = clamp(mean(fs.map((f) => f.brightness)), 0, 1);
  const contrast = clamp(mean(fs.map((f) => f.contrast)), 0, 1);
  const saturation = clamp(mean(fs.map((f) => f.saturation)), 0, 1);
  const warmth = clamp(mean(fs.map((f) => f.warmth)), -1, 1);
  const motionRaw = mean(inner.map((f) => f.motion));
  const shotRate = ((scene.mergedCuts.length + 1) / Math.max(dur, 1e-6)) * 60;

  // Motion peaks: local maxima above mean + 2 sd, at least half a second apart.
  const ms = inner.map((f) => f.motion);
  const mu = mean(ms);
  const sd = Math.sqrt(mean(ms.map((m) => (m - mu) ** 2)));
  const motionPeaks: number[] = [];
  inner.forEach((f, i) => {
    const m = f.motion;
    if (m > mu + 2 * sd && m >= (ms[i - 1] ?? 0) && m >= (ms[i + 1] ?? 0) && m > 0.01) {
      const t = f.time - scene.start;
      if (!motionPeaks.length || t - motionPeaks[motionPeaks.length - 1]! >= 0.5) motionPeaks.push(Number(t.toFixed(3)));
    }
  });

  // Each second's histogram counts by how much of it lies inside the scene; a scene past the
  // last decoded frame (a damaged file) takes the last second seen.
  const hist = new Float64Array(64);
  const secs = series.colourSeconds;
  for (let k = Math.floor(scene.start); k < Math.min(secs.length, Math.ceil(scene.end)); k++) {
    const w = Math.min(k + 1, scene.end) - Math.max(k, scene.start);
    if (w > 0) for (let i = 0; i < 64; i++) hist[i]! += w * secs[k]![i]!;
  }
  if (!hist.some((x) => x > 0) && secs.length) secs.at(-1)!.forEach((x, i) => (hist[i] = x));
  const dominantColours = [...hist.keys()]
    .sort((a, b) => hist[b]! - hist[a]! || a - b)
    .slice(0, 3)
    .filter((b) => hist[b]! > 0)
    .map(hex);

  // 1 Hz curves: one value per started second of the scene.
  const seconds = Math.max(1, Math.ceil(dur - 1e-9));
  const vs: number[] = [];
  const as: number[] = [];
  for (let k = 0; k < seconds; k++) {
    const sec = fs.filter((f) => f.time - scene.start >= k && f.time - scene.start < k + 1);
    const src = sec.length ? sec : fs;
    vs.push(valenceOf(mean(src.map((f) => f.brightness)), mean(src.map((f) => f.saturation)), mean(src.map((f) => f.warmth))));
    as.push(arousalOf(mean(src.map((f) => f.motion)), shotRate, mean(src.map((f) => f.contrast))));
  }
  const first = Math.floor(scene.start + 1e-9);
  const speechCurve = speech ? Array.from({ length: seconds }, (_, k) => speech[first + k] ?? 0) : [];
  // A second counts as dialogue when most of it is speech; a scene's share is over its seconds.
  const speechShare = speech ? Number((speechCurve.filter((x) => x >= 0.5).length / seconds).toFixed(4)) : null;
  const pixels = { valence: valenceOf(brightness, saturation, warmth), arousal: arousalOf(motionRaw, shotRate, contrast) };
  const { valence, arousal } = nudgeByTags(pixels, tags);
  const shift = (xs: number[], by: number) => xs.map((x) => clamp(x + by, -1, 1));
  const round = (x: number) => Number(x.toFixed(4));
  const base = {
    brightness: round(brightness),
    contrast: round(contrast),
    saturation: round(saturation),
    warmth: round(warmth),
    motion: round(clamp(motionRaw / MOTION_FULL_SCALE, 0, 1)),
    motionPeaks,
    shotRate: round(shotRate),
    dominantColours,
    valence: round(valence),
    arousal: round(arousal),
    curve: {
      valence: shift(smooth(vs), valence - pixels.valence).map(round),
      arousal: shift(smooth(as), arousal - pixels.arousal).map(round),
      speech: speechCurve,
    },
    speech: speechShare,
    tags: tagLabels(tags),
  };
  return { ...base, caption: captionOf(base, dur) };
}

function captionOf(a: Omit<SceneAnalysis, 'caption'>, dur: number): string {
  const light = a.brightness > 0.6 ? 'bright' : a.brightness < 0.3 ? 'dark' : 'evenly lit';
  const colour = a.saturation > 0.45 ? 'vivid' : a.saturation < 0.15 ? 'muted, nearly monochrome' : 'natural-coloured';
  const temp = a.warmth > 0.15 ? 'warm' : a.warmth < -0.15 ? 'cool' : 'neutral';
  const motion = a.motion > 0.6 ? 'fast, busy movement' : a.motion > 0.2 ? 'steady movement' : 'little movement';
  const cuts = a.shotRate > 12 ? `, quick cutting (${a.shotRate.toFixed(0)} shots/min)` : '';
  const mood =
    a.valence > 0.2 ? (a.arousal > 0.2 ? 'joyful, energetic' : 'calm, pleasant') : a.valence < -0.2 ? (a.arousal > 0.2 ? 'tense, aggressive' : 'sombre, subdued') : a.arousal > 0.2 ? 'driving' : 'reflective';
  const talk = a.speech === null ? '' : a.speech > 0.6 ? ' Mostly dialogue.' : a.speech > 0.15 ? ` Some dialogue (${Math.round(a.speech * 100)} % of it).` : '';
  const phrases = a.tags.map((t) => tagOption(t)?.phrase ?? t);
  const seen = phrases.length ? ` It looks like ${phrases.join('; ')}.` : '';
  return `A ${dur.toFixed(1)} s ${light}, ${colour}, ${temp}-toned scene with ${motion}${cuts}; it feels ${mood}.${seen}${talk}`;
}
