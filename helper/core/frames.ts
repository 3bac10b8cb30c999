import { edgeMap } from './edges.ts';
import { pyRound } from './python.ts';

/**
 * Per-frame measurements, computed once per decoded frame and kept as a few numbers, so memory
 * grows with frame count by bytes, never by pixels. Pure: pixels in, numbers out.
 */

/** A decoded frame: packed RGB24, already downscaled by the ffmpeg adapter. */
export interface Frame {
  index: number;
  time: number;
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** ContentDetector's components against the previous frame (all 0 for the first); edges null when not computed. */
export interface FrameDeltas {
  hue: number;
  sat: number;
  lum: number;
  edges: number | null;
}

/** What one frame contributes to detection and analysis. */
export interface FrameStats {
  time: number;
  delta: FrameDeltas;
  brightness: number;
  contrast: number;
  saturation: number;
  warmth: number;
  /** Mean absolute luma change against the previous frame, 0..1. */
  motion: number;
}

/**
 * What a whole video's frames leave behind: a few numbers per frame, and a coarse 4x4x4 RGB
 * histogram per second (for dominant colours; per second rather than per frame keeps a feature
 * film's worth of measurements to a few megabytes).
 */
export interface FrameSeries {
  frames: FrameStats[];
  /** colourSeconds[k]: the mean normalised histogram of the frames in second k. */
  colourSeconds: Float32Array[];
}

/** ContentDetector's component weights; PySceneDetect's defaults are 1, 1, 1 and edges off. */
export interface ContentWeights {
  hue: number;
  sat: number;
  lum: number;
  edges: number;
}
export const DEFAULT_WEIGHTS: ContentWeights = { hue: 1, sat: 1, lum: 1, edges: 0 };

/** The frame score the threshold is compared with: the weighted mean of the components (PySceneDetect's content_val). */
export function contentScore(d: FrameDeltas, w: ContentWeights): number {
  if (w.edges !== 0 && d.edges === null) throw new Error('edge weight set but edges were not measured');
  return (w.hue * d.hue + w.sat * d.sat + w.lum * d.lum + w.edges * (d.edges ?? 0)) / (Math.abs(w.hue) + Math.abs(w.sat) + Math.abs(w.lum) + Math.abs(w.edges));
}

const HSV_SHIFT = 12;
const HSV_HALF = 1 << (HSV_SHIFT - 1);
/** OpenCV's division tables for 8-bit HSV: round((255 << 12) / v) and round((180 << 12) / (6 diff)). */
const SDIV = Int32Array.from({ length: 256 }, (_, i) => (i ? pyRound((255 << HSV_SHIFT) / i) : 0));
const HDIV = Int32Array.from({ length: 256 }, (_, i) => (i ? pyRound((180 << HSV_SHIFT) / (6 * i)) : 0));

/**
 * Holds the previous frame's HSV planes so each new frame costs one pass. HSV follows OpenCV's
 * 8-bit convention (H 0..179, S and V 0..255), as PySceneDetect does, so thresholds mean the same.
 */
export class FrameMeter {
  private readonly colourSums: Float32Array[] = [];
  private readonly colourCounts: number[] = [];
  private prevH: Uint8Array | null = null;
  private prevS: Uint8Array | null = null;
  private prevV: Uint8Array | null = null;
  private prevEdges: Uint8Array | null = null;
  /** `edges`: also measure the edge component (Canny, several times the cost of the rest). */
  constructor(private readonly o: { edges: boolean } = { edges: false }) {}

  /** The next frame starts afresh (no deltas against this one): a new clip or an unrelated still follows. */
  forget(): void {
    this.prevH = this.prevS = this.prevV = this.prevEdges = null;
  }

  measure(f: Frame): FrameStats {
    const n = f.width * f.height;
    const H = new Uint8Array(n);
    const S = new Uint8Array(n);
    const V = new Uint8Array(n);
    const second = Math.max(0, Math.floor(f.time + 1e-9));
    while (this.colourSums.length <= second) {
      this.colourSums.push(new Float32Array(64));
      this.colourCounts.push(0);
    }
    const colours = this.colourSums[second]!;
    this.colourCounts[second]!++;
    let sumV = 0;
    let sumV2 = 0;
    let sumS = 0;
    let sumWarm = 0;
    const rgb = f.rgb;
    const counts = new Uint32Array(64);
    for (let i = 0, p = 0; i < n; i++, p += 3) {
      const r = rgb[p]!;
      const g = rgb[p + 1]!;
      const b = rgb[p + 2]!;
      const v = r > g ? (r > b ? r : b) : g > b ? g : b;
      const min = r < g ? (r < b ? r : b) : g < b ? g : b;
      const diff = v - min;
      // OpenCV's 8-bit RGB -> HSV, in its fixed point (12 fractional bits), so every pixel is
      // the byte cv2.cvtColor gives; hue 0..180 (180 can occur, as in OpenCV), s and v 0..255.
      const s = (diff * SDIV[v]! + HSV_HALF) >> HSV_SHIFT;
      let h = v === r ? g - b : v === g ? b - r + 2 * diff : r - g + 4 * diff;
      h = (h * HDIV[diff]! + HSV_HALF) >> HSV_SHIFT;
      if (h < 0) h += 180;
      H[i] = h;
      S[i] = s;
      V[i] = v;
      sumV += v;
      sumV2 += v * v;
      sumS += s;
      sumWarm += r - b;
      counts[((r >> 6) << 4) | ((g >> 6) << 2) | (b >> 6)]!++;
    }
    // Counted in integers and scaled once: a float add per pixel cost a tenth of the frame's time.
    for (let k = 0; k < 64; k++) colours[k] = colours[k]! + counts[k]! / n;
    const edges = this.o.edges ? edgeMap(V, f.width, f.height) : null;
    const delta: FrameDeltas = { hue: 0, sat: 0, lum: 0, edges: edges ? 0 : null };
    let motion = 0;
    if (this.prevH && this.prevS && this.prevV && this.prevH.length === n) {
      let dh = 0;
      let ds = 0;
      let dv = 0;
      for (let i = 0; i < n; i++) {
        dh += Math.abs(H[i]! - this.prevH[i]!);
        ds += Math.abs(S[i]! - this.prevS[i]!);
        dv += Math.abs(V[i]! - this.prevV[i]!);
      }
      delta.hue = dh / n;
      delta.sat = ds / n;
      delta.lum = dv / n;
      if (edges && this.prevEdges) {
        let de = 0;
        for (let i = 0; i < n; i++) de += Math.abs(edges[i]! - this.prevEdges[i]!);
        delta.edges = de / n;
      }
      motion = dv / n / 255;
    }
    this.prevEdges = edges;
    this.prevH = H;
    this.prevS = S;
    this.prevV = V;
    const meanV = sumV / n;
    return {
      time: f.time,
      delta,
      brightness: meanV / 255,
      contrast: Math.min(1, Math.sqrt(Math.max(0, sumV2 / n - meanV * meanV)) / 128),
      saturation: sumS / n / 255,
      warmth: Math.max(-1, Math.min(1, (sumWarm / n / 255) * 2)),
      motion,
    };
  }

  /** Per second, the mean histogram of its frames (seconds without frames are all zero). */
  colourSeconds(): Float32Array[] {
    return this.colourSums.map((h, k) => (this.colourCounts[k] ? h.map((x) => x / this.colourCounts[k]!) : h.slice()));
  }
}

export interface ContentDetectorOptions {
  /** PySceneDetect's default is 27; JenBridge used 30. */
  threshold: number;
  weights: ContentWeights;
  /** Minimum frames between cuts (PySceneDetect default 15). */
  minSceneFrames: number;
}

/**
 * PySceneDetect's flash filter in its default MERGE mode: frames at or above the threshold closer
 * together than `length` frames are one event (a flash, a burst of fast motion), reported once at
 * its last frame when it ends, so a camera flash does not become two cuts and a short scene is
 * folded into its neighbour. Before the first reported cut, short-spaced frames are dropped.
 */
export class FlashFilter {
  private lastAbove: number | null = null;
  private mergeEnabled = false;
  private mergeTriggered = false;
  private mergeStart = 0;
  constructor(private readonly length: number) {}

  /** Cut frames this frame releases (the frame itself, or the end of a merged burst). */
  filter(frame: number, above: boolean): number[] {
    if (this.length <= 0) return above ? [frame] : [];
    if (this.lastAbove === null) this.lastAbove = frame;
    const minLengthMet = frame - this.lastAbove >= this.length;
    if (above) this.lastAbove = frame;
    if (this.mergeTriggered) {
      if (minLengthMet && !above && this.lastAbove - this.mergeStart >= this.length) {
        this.mergeTriggered = false;
        return [this.lastAbove];
      }
      return [];
    }
    if (!above) return [];
    if (minLengthMet) {
      this.mergeEnabled = true;
      return [frame];
    }
    if (this.mergeEnabled) {
      this.mergeTriggered = true;
      this.mergeStart = frame;
    }
    return [];
  }
}

/**
 * ContentDetector's cut rule: a frame whose weighted HSV (and edge) delta reaches the threshold, passed
 * through the flash filter with the minimum scene length. Returns cut times (start of the new scene).
 */
export function detectContentCuts(stats: readonly FrameStats[], o: ContentDetectorOptions): number[] {
  const filter = new FlashFilter(o.minSceneFrames);
  const cuts: number[] = [];
  stats.forEach((s, i) => {
    // The first frame has no predecessor: PySceneDetect scores it 0.
    for (const f of filter.filter(i, i > 0 && contentScore(s.delta, o.weights) >= o.threshold)) cuts.push(stats[f]!.time);
  });
  return cuts;
}
