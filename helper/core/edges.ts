import { pyRound } from './python.ts';

/**
 * ContentDetector's optional edge component, as PySceneDetect computes it with OpenCV: Canny edges
 * of the V (luma) plane with thresholds at (1 -/+ 1/3) x its median, dilated by a square kernel
 * whose size grows with the resolution. Pure: a plane in, a 0/255 edge map out.
 *
 * The Canny steps follow OpenCV's cv::Canny (aperture 3, L1 gradient): 3x3 Sobel with replicated
 * borders, |dx| + |dy| magnitude, non-maximum suppression in four directions split at 22.5 and
 * 67.5 degrees (the same fixed-point tangent test), and 8-connected hysteresis from pixels above
 * the high threshold through pixels above the low one. Dilation treats outside pixels as absent.
 */

/** PySceneDetect's kernel size for a frame: 4 + round(sqrt(w h) / 192), made odd (Python rounds half to even). */
export function edgeKernelSize(width: number, height: number): number {
  const size = 4 + pyRound(Math.sqrt(width * height) / 192);
  return size % 2 === 0 ? size + 1 : size;
}

/** numpy.median of 8-bit values (the mean of the two middle ones when the count is even). */
function median(plane: Uint8Array): number {
  const hist = new Uint32Array(256);
  for (let i = 0; i < plane.length; i++) hist[plane[i]!]!++;
  const nth = (k: number) => {
    let seen = 0;
    for (let v = 0; v < 256; v++) {
      seen += hist[v]!;
      if (seen > k) return v;
    }
    return 255;
  };
  const n = plane.length;
  return n % 2 ? nth((n - 1) / 2) : (nth(n / 2 - 1) + nth(n / 2)) / 2;
}

const SHIFT = 15;
const TG22 = Math.round(0.4142135623730950488 * (1 << SHIFT));

/** cv2.Canny(plane, low, high) with aperture 3 and the L1 gradient: 255 on edges, 0 elsewhere. */
export function canny(plane: Uint8Array, width: number, height: number, low: number, high: number): Uint8Array {
  const w = width;
  const h = height;
  const at = (x: number, y: number) => plane[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))]!;
  // Magnitudes with a zero border one pixel wide, so neighbours outside the frame never win.
  const mw = w + 2;
  const mag = new Int32Array(mw * (h + 2));
  const dxs = new Int32Array(w * h);
  const dys = new Int32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const a = at(x - 1, y - 1), b = at(x, y - 1), c = at(x + 1, y - 1);
      const d = at(x - 1, y), f = at(x + 1, y);
      const g = at(x - 1, y + 1), k = at(x, y + 1), l = at(x + 1, y + 1);
      const dx = c + 2 * f + l - a - 2 * d - g;
      const dy = g + 2 * k + l - a - 2 * b - c;
      dxs[y * w + x] = dx;
      dys[y * w + x] = dy;
      mag[(y + 1) * mw + x + 1] = Math.abs(dx) + Math.abs(dy);
    }
  }
  const lo = Math.floor(low);
  const hi = Math.floor(high);
  // 0: not an edge, 1: weak candidate, 2: edge.
  const state = new Uint8Array(w * h);
  const stack: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const j = (y + 1) * mw + x + 1;
      const m = mag[j]!;
      if (m <= lo) continue;
      const xs = dxs[y * w + x]!;
      const ys = dys[y * w + x]!;
      const ax = Math.abs(xs);
      const ay = Math.abs(ys) * (1 << SHIFT);
      const tg22x = ax * TG22;
      let keep: boolean;
      if (ay < tg22x) keep = m > mag[j - 1]! && m >= mag[j + 1]!;
      else {
        const tg67x = tg22x + ax * (1 << (SHIFT + 1));
        if (ay > tg67x) keep = m > mag[j - mw]! && m >= mag[j + mw]!;
        else {
          const s = (xs ^ ys) < 0 ? -1 : 1;
          keep = m > mag[j - mw - s]! && m > mag[j + mw + s]!;
        }
      }
      if (!keep) continue;
      const i = y * w + x;
      if (m > hi) {
        state[i] = 2;
        stack.push(i);
      } else state[i] = 1;
    }
  }
  while (stack.length) {
    const i = stack.pop()!;
    const x = i % w;
    const y = (i - x) / w;
    for (let ny = Math.max(0, y - 1); ny <= Math.min(h - 1, y + 1); ny++) {
      for (let nx = Math.max(0, x - 1); nx <= Math.min(w - 1, x + 1); nx++) {
        const n = ny * w + nx;
        if (state[n] === 1) {
          state[n] = 2;
          stack.push(n);
        }
      }
    }
  }
  const out = new Uint8Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = state[i] === 2 ? 255 : 0;
  return out;
}

/** cv2.dilate with a k x k kernel of ones: a separable running maximum, rows then columns. */
export function dilate(src: Uint8Array, width: number, height: number, k: number): Uint8Array {
  const r = (k - 1) / 2;
  return maxAlong(maxAlong(src, height, width, width, 1, r), width, height, 1, width, r);
}

/**
 * The maximum over r samples either side, along each of `lines` lines of `length` samples; sample
 * i of line l is at l * lineStep + i * step. Outside the frame counts as absent.
 */
function maxAlong(src: Uint8Array, lines: number, length: number, lineStep: number, step: number, r: number): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let l = 0; l < lines; l++) {
    const base = l * lineStep;
    for (let i = 0; i < length; i++) {
      let m = 0;
      for (let t = Math.max(0, i - r); t <= Math.min(length - 1, i + r); t++) if (src[base + t * step]! > m) m = src[base + t * step]!;
      out[base + i * step] = m;
    }
  }
  return out;
}

/** The edge map PySceneDetect compares between frames. */
export function edgeMap(lum: Uint8Array, width: number, height: number, kernel = edgeKernelSize(width, height)): Uint8Array {
  const med = median(lum);
  // Written as PySceneDetect writes them (sigma = 1/3), so the floating-point products match.
  const sigma = 1 / 3;
  const low = Math.trunc(Math.max(0, (1 - sigma) * med));
  const high = Math.trunc(Math.min(255, (1 + sigma) * med));
  return dilate(canny(lum, width, height, low, high), width, height, kernel);
}
