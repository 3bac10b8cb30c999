import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { makeTestVideo, type TestScene } from '../helper/adapters/ffmpeg.ts';
import { compareWithReference, findPythonWithCv2 } from '../bench/reference/compare.ts';
import { TMP } from './helpers.ts';

/**
 * The ContentDetector port against PySceneDetect's pipeline on OpenCV (bench/reference/): the
 * issue asks for cut lists within one frame of PySceneDetect's. Needs a Python with cv2 (Debian's
 * python3-opencv, which .ci/run installs); on a machine without it the test says so and skips.
 */

const python = findPythonWithCv2();

// Hard cuts, a one-frame flash inside a scene (the flash filter must not make it two cuts), a
// fade from black, moving and grainy pictures, at an odd whole-number downscale factor (1280 ->
// 256: 5) and a fractional one (640 -> 256: 2.5).
const SCENES: TestScene[] = [
  { seconds: 3, source: 'mandelbrot' },
  { seconds: 1 / 30, source: 'color=c=white' },
  { seconds: 3, source: 'mandelbrot' },
  { seconds: 3, source: 'testsrc2', fadeIn: 1 },
  { seconds: 3, source: 'color=c=0x203050', filter: 'noise=alls=20:allf=t' },
  { seconds: 3, source: 'smptehdbars', filter: 'hue=H=2*PI*t/3' },
];
const SIZES = [[1280, 720], [640, 360]] as const;

describe('cut detection against PySceneDetect on OpenCV', { skip: python ? false : 'no Python with cv2 here (apt-get install python3-opencv)' }, () => {
  const videos: Record<string, string> = {};
  before(async () => {
    for (const [w, h] of SIZES) {
      videos[`${w}x${h}`] = join(TMP, `reference-${w}x${h}.mp4`);
      // veryfast deblocks, as camera and NLE exports do: the decoder's loop filter must run as OpenCV's does.
      await makeTestVideo(SCENES, videos[`${w}x${h}`]!, { width: w, height: h, fps: 30, preset: 'veryfast' });
    }
  });

  for (const size of SIZES.map(([w, h]) => `${w}x${h}`)) {
    it(`finds the same cuts, within one frame, at ${size}`, async () => {
      const c = await compareWithReference(videos[size]!, python!);
      assert.deepEqual(c.sizeOurs, c.sizeRef, 'the same analysis size');
      assert.equal(c.framesOurs, c.framesRef, 'the same frames');
      assert.ok(c.cutsRef.length >= 3, `the reference sees the hard cuts: ${c.cutsRef}`);
      assert.equal(c.matchedWithinOneFrame, Math.max(c.cutsOurs.length, c.cutsRef.length), `ours ${c.cutsOurs} vs reference ${c.cutsRef}`);
      // Measured on these deblocked encodes: 0.10 at the odd whole-number factor (the same pixels),
      // 0.74 at the fractional one (swscale cannot blend exactly as INTER_LINEAR does), on a
      // threshold of 27. Skipping the decoder's loop filter raised the first to 0.26.
      const bound = size === '1280x720' ? 0.2 : 1;
      assert.ok(c.scoreMeanAbsDiff < bound, `frame scores differ by ${c.scoreMeanAbsDiff} on average`);
    });
  }
});
