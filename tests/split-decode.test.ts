import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ffmpegPath, probe, run } from '../helper/adapters/ffmpeg.ts';
import { detectContentCuts } from '../helper/core/frames.ts';
import { measureFrames, splitSeam } from '../helper/pipeline/frames.ts';
import { InterruptedError } from '../helper/errors.ts';
import { fixture, TMP } from './helpers.ts';

/**
 * Frame analysis read by two ffmpeg processes at once (pipeline/frames.ts measureSplit): the
 * result must be the one reader's to the bit, cuts at the seam included, or it falls back to one.
 */
describe('frame analysis in two halves', () => {
  const twoCores = availableParallelism() >= 2;
  // 24 s of 720p, moving throughout (so every second's colours differ frame to frame), with a cut
  // at exactly 12 s, the second the seam falls on: the seam frame's score depends on the frame
  // before it, which the other half reads.
  const video = () => fixture('split-720p', [
    { seconds: 12, source: 'testsrc2', filter: 'hue=H=2*PI*t/4' },
    { seconds: 6, source: 'color=c=0xe0a040', filter: 'noise=alls=30:allf=t' },
    { seconds: 6, source: 'testsrc2', filter: 'hue=H=2*PI*t' },
  ], { width: 1280, height: 720, fps: 30 });

  it('measures every frame exactly as one reader does, the cut on the seam frame too', async () => {
    const src = await probe(await video());
    assert.equal(splitSeam(src), twoCores ? 360 : null, 'the seam: the first frame of second 12');
    const one = await measureFrames(src, { edges: false, split: 'never' });
    const two = await measureFrames(src, { edges: false, split: 'always' });
    assert.equal(two.decoders, 2, 'read by two decoders');
    assert.equal(two.frames.length, one.frames.length);
    assert.deepEqual(two.frames, one.frames);
    assert.deepEqual(two.colourSeconds, one.colourSeconds);
    const cuts = detectContentCuts(two.frames, { threshold: 27, weights: { hue: 1, sat: 1, lum: 1, edges: 0 }, minSceneFrames: 15 });
    assert.ok(cuts.some((t) => Math.abs(t - 12) < 0.5 / 30), `a cut on the seam frame (cuts at ${cuts.map((t) => t.toFixed(3)).join(', ')} s)`);
    // The automatic choice on this file: two readers where there are two cores.
    assert.equal((await measureFrames(src, { edges: false })).decoders, twoCores ? 2 : 1);
  });

  it('reads a variable-frame-rate file with one reader, and falls back to one when the halves do not meet', async () => {
    // Frames dropped after 8 s: the rate falls from 30 to 10 fps, so the probed average rate's
    // frames depend on where reading starts, and a second reader's would not line up.
    const path = join(TMP, 'vfr-720p.mp4');
    await run(ffmpegPath(), ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30,hue=H=2*PI*t/5', '-t', '24', '-vf', "select='lt(n\\,240)+not(mod(n\\,3))'", '-vsync', 'vfr', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', path]);
    const src = await probe(path);
    const one = await measureFrames(src, { edges: false, split: 'never' });
    assert.equal((await measureFrames(src, { edges: false })).decoders, 1, 'auto: one reader for a variable rate');
    const forced = await measureFrames(src, { edges: false, split: 'always' });
    assert.equal(forced.decoders, 1, 'the halves did not meet, so one reader read it all');
    assert.deepEqual(forced.frames, one.frames);
    assert.deepEqual(forced.colourSeconds, one.colourSeconds);
  });

  it('stops both readers when the caller stops', async () => {
    const src = await probe(await video());
    const stop = new AbortController();
    let reports = 0;
    const reading = measureFrames(src, { edges: false, split: 'always', signal: stop.signal, progress: () => (reports++, stop.abort()) });
    await assert.rejects(reading, InterruptedError);
    // Progress comes every 30 frames read; stopped at the first report, far short of all 720.
    assert.ok(reports < 5, `${reports} progress reports after stopping`);
  });
});
