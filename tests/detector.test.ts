import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseScoreArgs } from '../helper/cli/args.ts';
import { Rng } from '../helper/core/compose/rng.ts';
import { edgeKernelSize, edgeMap } from '../helper/core/edges.ts';
import { contentScore, DEFAULT_WEIGHTS, detectContentCuts, FrameMeter, type Frame } from '../helper/core/frames.ts';
import { ROOT } from './helpers.ts';

/** ContentDetector's edge component and component weights (pure). */

describe('edge component (PySceneDetect on OpenCV)', () => {
  it('matches OpenCV 4.6 pixel for pixel: Canny at the median thresholds, then dilation', () => {
    // Both files were written once with Debian's python3-opencv (see tests/README.md): a noisy
    // test-pattern frame, and cv2.dilate(cv2.Canny(lum, low, high), ones(k, k)) of it.
    const lum = new Uint8Array(readFileSync(join(ROOT, 'tests/fixtures/edges-240x136.gray')));
    const want = readFileSync(join(ROOT, 'tests/fixtures/edges-240x136.opencv.gray'));
    const got = edgeMap(lum, 240, 136);
    let differing = 0;
    for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) differing++;
    assert.equal(differing, 0);
    const share = got.filter((x) => x === 255).length / got.length;
    assert.ok(share > 0.1 && share < 0.9, `a discriminating fixture: ${share} of the frame is edge`);
  });

  it('sizes the dilation kernel as PySceneDetect does, Python\'s half-to-even rounding included', () => {
    assert.equal(edgeKernelSize(240, 136), 5); // 4 + round(0.94)
    assert.equal(edgeKernelSize(480, 270), 7); // 4 + round(1.875) = 6, made odd
    assert.equal(edgeKernelSize(480, 480), 7); // 4 + round(2.5) = 4 + 2 = 6, made odd
    assert.equal(edgeKernelSize(288, 288), 7); // 4 + round(1.5) = 6, made odd
    assert.equal(edgeKernelSize(1344, 1344), 11); // 4 + round(7) = 11
  });
});

/** Dark, low-contrast stripes: the picture's colours barely change when they turn, its edges do. */
function stripes(index: number, vertical: boolean): Frame {
  const width = 128;
  const height = 72;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = ((vertical ? x : y) >> 4) & 1 ? 26 : 14;
      rgb.fill(v, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  return { index, time: index / 10, width, height, rgb };
}

describe('HSV as OpenCV computes it', () => {
  it('gives cv2.cvtColor\'s bytes, so the frame score is PySceneDetect\'s to the last digit', () => {
    // Two frames of random pixels from a seeded generator; the sums of absolute H, S and V
    // differences were computed once with python3-opencv 4.6's cv2.cvtColor(COLOR_BGR2HSV) on
    // the same bytes (a float conversion rounded differently on 2 % of pixels).
    const rng = new Rng(5);
    const frame = (index: number): Frame => ({ index, time: index / 30, width: 64, height: 48, rgb: Uint8Array.from({ length: 64 * 48 * 3 }, () => Math.floor(rng.next() * 256)) });
    const meter = new FrameMeter();
    meter.measure(frame(0));
    const d = meter.measure(frame(1)).delta;
    assert.deepEqual([d.hue, d.sat, d.lum].map((x) => Math.round(x * 3072)), [182665, 206207, 168685]);
  });
});

describe('ContentDetector weights', () => {
  const frames = Array.from({ length: 40 }, (_, i) => stripes(i, i < 20));

  it('finds a cut that only the edges show when edges are weighted, and none with the default weights', () => {
    const meter = new FrameMeter({ edges: true });
    const stats = frames.map((f) => meter.measure(f));
    assert.ok(contentScore(stats[20]!.delta, DEFAULT_WEIGHTS) < 5, 'HSV alone barely moves');
    assert.deepEqual(detectContentCuts(stats, { threshold: 27, weights: DEFAULT_WEIGHTS, minSceneFrames: 15 }), []);
    assert.deepEqual(detectContentCuts(stats, { threshold: 27, weights: { hue: 0, sat: 0, lum: 1, edges: 1 }, minSceneFrames: 15 }), [2]);
  });

  it('does not measure edges unless asked, and refuses an edge weight without them', () => {
    const meter = new FrameMeter();
    const stats = frames.slice(0, 2).map((f) => meter.measure(f));
    assert.equal(stats[1]!.delta.edges, null);
    assert.throws(() => contentScore(stats[1]!.delta, { ...DEFAULT_WEIGHTS, edges: 1 }), /edges were not measured/);
  });

  it('takes --weights as PySceneDetect\'s four components and refuses anything else by name', () => {
    assert.deepEqual(parseScoreArgs(['v.mp4', '--weights', '1,0.5,1,0.2']).weights, { hue: 1, sat: 0.5, lum: 1, edges: 0.2 });
    assert.deepEqual(parseScoreArgs(['v.mp4']).weights, DEFAULT_WEIGHTS);
    for (const bad of ['1,1,1', '1,1,1,x', '0,0,0,0', '1,-1,1,0', '1,,1,0']) {
      assert.throws(() => parseScoreArgs(['v.mp4', '--weights', bad]), /--weights ".*" must be four numbers >= 0, not all 0/);
    }
  });
});
