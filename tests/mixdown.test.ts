import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PlanSettings, SAMPLE_RATE, type SceneAnalysis } from '../shared/index.ts';
import { layoutCues } from '../helper/core/layout.ts';
import { planSequence } from '../helper/core/plan.ts';
import { limitTruePeak } from '../helper/core/loudness.ts';
import { encodeWav24 } from '../helper/core/wav.ts';
import { EngineError, InterruptedError } from '../helper/errors.ts';
import { MIX_BLOCK, writeMixdown } from '../helper/pipeline/mixdown.ts';
import { readWav, tmpDir } from './helpers.ts';

/**
 * The streamed soundtrack (issue 14, item 7): each cue's body at its timeline position, the true-peak
 * limiter across block boundaries exactly as over the whole buffer, and Ctrl-C between blocks.
 */

describe('the streamed mixdown', () => {
  const stereo = (x: Float32Array) => [x, Float32Array.from(x, (v) => -v)];
  const cueFile = (dir: string, name: string, x: Float32Array) => {
    const path = join(dir, name);
    writeFileSync(path, encodeWav24(stereo(x), SAMPLE_RATE));
    return path;
  };

  it('lays each cue body at its timeline position, skipping the handles, and sums overlaps', async () => {
    const dir = tmpDir('mixdown');
    const a = cueFile(dir, 'a.wav', Float32Array.from([0.9, 0.9, 0.1, 0.2, 0.3, 0.9, 0.9]));
    const b = cueFile(dir, 'b.wav', Float32Array.from([0.5, 0.25, 0.25]));
    await writeMixdown([
      { cue: { timelineIn: 4, timelineOut: 7, handles: { head: 2, tail: 2 } }, path: a },
      { cue: { timelineIn: 6, timelineOut: 8, handles: { head: 1, tail: 0 } }, path: b },
    ], 10, 0, join(dir, 'mix.wav'), new AbortController().signal);
    const [l, r] = readWav(join(dir, 'mix.wav')).channels;
    const near = (got: Float32Array, want: number[]) => want.forEach((w, i) => assert.ok(Math.abs(got[i]! - w) < 1e-6, `sample ${i}: ${got[i]} vs ${w}`));
    near(l!, [0, 0, 0, 0, 0.1, 0.2, 0.3 + 0.25, 0.25, 0, 0]);
    near(r!, [0, 0, 0, 0, -0.1, -0.2, -0.55, -0.25, 0, 0]);
  });

  it('limits the true peak block by block exactly as over the whole mix, peaks on the block edges included', async () => {
    const dir = tmpDir('mixdown-limit');
    const n = Math.round(2.6 * MIX_BLOCK);
    const x = new Float32Array(n);
    let seed = 7;
    for (let i = 0; i < n; i++) {
      seed = (seed * 48271) % 2147483647;
      x[i] = 0.3 * Math.sin(i / 9) + 0.2 * (seed / 2147483647 - 0.5);
    }
    // Loud bursts straddling both block boundaries and just inside them.
    for (const at of [MIX_BLOCK - 40, MIX_BLOCK + 3, 2 * MIX_BLOCK - 5, 2 * MIX_BLOCK + 2000]) for (let i = 0; i < 300; i++) x[at + i] = 1.4 * Math.sin(i / 3);
    const path = cueFile(dir, 'loud.wav', x);
    await writeMixdown([{ cue: { timelineIn: 0, timelineOut: n, handles: { head: 0, tail: 0 } }, path }], n, -1.2, join(dir, 'mix.wav'), new AbortController().signal);
    const whole = readWav(path).channels;
    limitTruePeak(whole, -1.2);
    assert.ok(readFileSync(join(dir, 'mix.wav')).equals(encodeWav24(whole, SAMPLE_RATE)), 'byte-identical to the whole-buffer limiter');
  });

  it('stops between blocks when cancelled', async () => {
    const dir = tmpDir('mixdown-abort');
    const n = 6 * MIX_BLOCK;
    const path = cueFile(dir, 'long.wav', new Float32Array(n).fill(0.1));
    const ctl = new AbortController();
    let blocks = 0;
    await assert.rejects(
      writeMixdown([{ cue: { timelineIn: 0, timelineOut: n, handles: { head: 0, tail: 0 } }, path }], n, -1, join(dir, 'mix.wav'), ctl.signal, () => {
        blocks++;
        ctl.abort();
      }),
      InterruptedError,
    );
    assert.equal(blocks, 1, 'one block after the cancel, not the whole mix');
  });
});

describe('render workers', () => {
  it('start one per usable core: a container CPU quota counts, not the host\'s CPUs', async () => {
    const { coresAllowed } = await import('../helper/pipeline/pool.ts');
    assert.equal(coresAllowed(32, '200000 100000\n'), 2, 'a 2-CPU quota on a 32-core host');
    assert.equal(coresAllowed(4, '150000 100000'), 1, 'a 1.5-CPU quota rounds down');
    assert.equal(coresAllowed(4, 'max 100000'), 4, 'no quota');
    assert.equal(coresAllowed(2, null), 2, 'no cgroup v2');
    assert.equal(coresAllowed(8, '50000 100000'), 1, 'never fewer than one');
  });

  it('decode a SoundFont as they start without being broken by one that cannot be read: each render still reports its own', async () => {
    const { RenderPool } = await import('../helper/pipeline/pool.ts');
    const analysis: SceneAnalysis = {
      brightness: 0.5, contrast: 0.3, saturation: 0.3, warmth: 0, motion: 0.3, motionPeaks: [], shotRate: 4, dominantColours: [],
      valence: 0, arousal: 0, curve: { valence: [0], arousal: [0], speech: [] }, speech: null, tags: [], caption: 'x',
    };
    const scene = { index: 0, start: 0, end: 4, startSample: 0, endSample: 4 * SAMPLE_RATE, origin: 'caller' as const, mergedCuts: [] };
    const settings = PlanSettings.parse({ minSceneSec: 1, engine: 'symbolic', seed: 1, loudnessLufs: -16, truePeakDbtp: -1, handleBars: 1, fadeShape: 'linear', stems: false, llm: null, soundFont: 'timgm6mb' });
    const plan = planSequence([{ scene, analysis }], settings);
    const job = layoutCues(plan.scenes, plan.transitions, settings, [1])[0]!.job;
    const missing = join(tmpDir('warm'), 'gone.sf2');
    const pool = new RenderPool(1, { warmSoundFont: missing });
    try {
      const done = await pool.render(job, join(tmpDir('warm-cache'), 'cue.wav'));
      assert.ok(Math.abs(done.integratedLufs - -16) < 0.5, `the good SoundFont renders on target (${done.integratedLufs} LUFS)`);
      await assert.rejects(pool.render({ ...job, soundFont: missing }, join(tmpDir('warm-cache'), 'cue2.wav')), (e: Error) => e instanceof EngineError && /gone\.sf2" could not be read/.test(e.message));
    } finally {
      await pool.close();
    }
  });
});
