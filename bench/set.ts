import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTestVideo, type TestScene } from '../helper/adapters/ffmpeg.ts';
import { Rng } from '../helper/core/compose/rng.ts';

/**
 * The generated benchmark set: long multi-scene videos like JenBridge's LVS (about 90 s, several
 * scenes), made with ffmpeg's lavfi sources, so that every cut time and intended mood is known.
 * Deterministic: the same definitions give the same files, which are cached by name.
 */

export interface Look {
  source: string;
  filter?: string;
  /** What the scene is meant to feel like, for people reading the report. */
  mood: string;
}

export const LOOKS: Record<string, Look> = {
  night: { source: 'color=c=0x0a1a40', mood: 'dark, cool, still' },
  dawn: { source: 'color=c=0xf0c060', mood: 'bright, warm, still' },
  fractal: { source: 'mandelbrot=maxiter=200', mood: 'colourful, slow zoom' },
  fire: { source: 'life=mold=10:ratio=0.5:life_color=#ff6a00:death_color=#200800', mood: 'warm, fast, busy' },
  pattern: { source: 'testsrc2', mood: 'saturated, moving' },
  grey: { source: 'color=c=0x303038', mood: 'grey, still, sombre' },
  storm: { source: 'color=c=0x505868', filter: 'noise=alls=60:allf=t', mood: 'grey, noisy, agitated' },
  ocean: { source: 'color=c=0x1060a0', filter: 'hue=H=0.6*sin(2*PI*0.05*t)', mood: 'cool, slow drift' },
  neon: { source: 'smptehdbars', filter: 'hue=H=PI*t', mood: 'colourful, shifting fast' },
  cells: { source: 'cellauto=rule=30', mood: 'monochrome, fast' },
};

export interface BenchCut {
  at: number;
  kind: 'hard' | 'fade';
}

export interface BenchVideo {
  name: string;
  width: number;
  height: number;
  fps: number;
  scenes: { look: string; seconds: number; mood: string }[];
  cuts: BenchCut[];
  speech: [number, number][];
  duration: number;
}

const FADE = 0.5;

/** Twelve videos, 60-120 s, 3-8 scenes, 720p and 1080p, hard cuts and fades, four with a voice. */
export function benchSet(count = 12, seed = 2026): BenchVideo[] {
  const rng = new Rng(seed);
  const names = Object.keys(LOOKS);
  const out: BenchVideo[] = [];
  for (let v = 0; v < count; v++) {
    const sceneCount = 3 + (v % 6);
    const target = 60 + rng.int(0, 60);
    // Scene lengths vary around the mean, some below the 8 s minimum so merging is exercised.
    const weights = Array.from({ length: sceneCount }, () => 0.5 + rng.next());
    const sum = weights.reduce((a, b) => a + b, 0);
    const seconds = weights.map((w) => Math.max(4, Math.round((w / sum) * target)));
    let prev = '';
    const scenes = seconds.map((s) => {
      let look = rng.pick(names);
      while (look === prev) look = rng.pick(names);
      prev = look;
      return { look, seconds: s, mood: LOOKS[look]!.mood };
    });
    const cuts: BenchCut[] = [];
    let t = 0;
    scenes.slice(0, -1).forEach((s) => {
      t += s.seconds;
      cuts.push({ at: t, kind: rng.chance(0.25) ? 'fade' : 'hard' });
    });
    const duration = seconds.reduce((a, b) => a + b, 0);
    const speech: [number, number][] = v % 3 === 1 ? [[duration * 0.2, duration * 0.35], [duration * 0.6, duration * 0.7]] : [];
    const hd = v % 2 === 1;
    out.push({ name: `lvs-${String(v + 1).padStart(2, '0')}`, width: hd ? 1920 : 1280, height: hd ? 1080 : 720, fps: v === 4 ? 25 : v === 9 ? 24 : 30, scenes, cuts, speech, duration });
  }
  return out;
}

/** Makes (once) the video and its ground-truth JSON in `dir`; returns the video's path. */
export async function ensureVideo(v: BenchVideo, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${v.name}.mp4`);
  if (existsSync(path) && existsSync(`${path}.json`)) return path;
  const scenes: TestScene[] = v.scenes.map((s, i) => ({
    source: LOOKS[s.look]!.source,
    ...(LOOKS[s.look]!.filter ? { filter: LOOKS[s.look]!.filter } : {}),
    seconds: s.seconds,
    ...(v.cuts[i - 1]?.kind === 'fade' ? { fadeIn: FADE } : {}),
    ...(v.cuts[i]?.kind === 'fade' ? { fadeOut: FADE } : {}),
  }));
  await makeTestVideo(scenes, `${path}.tmp.mp4`, { width: v.width, height: v.height, fps: v.fps, audio: v.speech.length ? { speech: v.speech } : 'none', sourceSize: [640, 360] });
  const { renameSync } = await import('node:fs');
  renameSync(`${path}.tmp.mp4`, path);
  writeFileSync(`${path}.json`, JSON.stringify(v, null, 2));
  return path;
}
