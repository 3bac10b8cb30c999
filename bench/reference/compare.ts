import { spawnSync } from 'node:child_process';
import { analysisSize, probe } from '../../helper/adapters/ffmpeg.ts';
import { contentScore, DEFAULT_WEIGHTS, detectContentCuts } from '../../helper/core/frames.ts';
import { measureFrames } from '../../helper/pipeline/frames.ts';

/**
 * Segue's ContentDetector port against the OpenCV reference (content_detector_cv2.py) on the same
 * file: per-frame scores and cut lists. Needs a Python with cv2 (Debian: python3-opencv); without
 * one, null. The issue asks for cut lists that agree with PySceneDetect's to within one frame.
 */

const SCRIPT = new URL('./content_detector_cv2.py', import.meta.url).pathname;
export const THRESHOLD = 27;
export const MIN_SCENE_FRAMES = 15;

export interface ReferenceComparison {
  python: string;
  sizeOurs: [number, number];
  sizeRef: [number, number];
  framesOurs: number;
  framesRef: number;
  /** Mean and 99th-percentile absolute difference of the per-frame score (PySceneDetect's content_val). */
  scoreMeanAbsDiff: number;
  scoreP99AbsDiff: number;
  cutsOurs: number[];
  cutsRef: number[];
  /** Cuts that have a partner in the other list within one frame. */
  matchedWithinOneFrame: number;
  wallSecOurs: number;
  wallSecRef: number;
}

/** The first Python that can import cv2, or null. */
export function findPythonWithCv2(): string | null {
  for (const py of [process.env.SEGUE_PYTHON, 'python3', '/usr/bin/python3'].filter((x): x is string => !!x)) {
    if (spawnSync(py, ['-c', 'import cv2'], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}

function matchWithin(a: readonly number[], b: readonly number[], tol: number): number {
  const used = new Set<number>();
  let n = 0;
  for (const x of a) {
    const j = b.findIndex((y, k) => !used.has(k) && Math.abs(x - y) <= tol);
    if (j >= 0) {
      used.add(j);
      n++;
    }
  }
  return n;
}

export async function compareWithReference(video: string, python: string): Promise<ReferenceComparison> {
  const t0 = performance.now();
  const ref = spawnSync(python, [SCRIPT, video, '--threshold', String(THRESHOLD), '--min-scene-len', String(MIN_SCENE_FRAMES)], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (ref.status !== 0) throw new Error(`reference failed on ${video}: ${ref.stderr.trim().split('\n').pop()}`);
  const wallSecRef = (performance.now() - t0) / 1000;
  const r = JSON.parse(ref.stdout) as { size: [number, number]; frames: number; scores: number[]; cuts: number[] };

  const t1 = performance.now();
  const src = await probe(video);
  const { width, height } = analysisSize(src.width, src.height);
  const stats = (await measureFrames(src, { edges: false })).frames;
  const cutsOurs = detectContentCuts(stats, { threshold: THRESHOLD, weights: DEFAULT_WEIGHTS, minSceneFrames: MIN_SCENE_FRAMES }).map((t) => Math.round(t * src.frameRate));
  const wallSecOurs = (performance.now() - t1) / 1000;

  const n = Math.min(stats.length, r.scores.length);
  const diffs = Array.from({ length: n }, (_, i) => Math.abs(contentScore(stats[i]!.delta, DEFAULT_WEIGHTS) - r.scores[i]!)).sort((a, b) => a - b);
  return {
    python, sizeOurs: [width, height], sizeRef: r.size, framesOurs: stats.length, framesRef: r.frames,
    scoreMeanAbsDiff: diffs.reduce((a, b) => a + b, 0) / Math.max(1, n),
    scoreP99AbsDiff: diffs[Math.min(n - 1, Math.floor(n * 0.99))] ?? 0,
    cutsOurs, cutsRef: r.cuts, matchedWithinOneFrame: matchWithin(cutsOurs, r.cuts, 1), wallSecOurs, wallSecRef,
  };
}
