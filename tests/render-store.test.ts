import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Plan, PlanSettings, SAMPLE_RATE, type Scene, type SceneAnalysis } from '../shared/index.ts';
import { layoutCues } from '../helper/core/layout.ts';
import { planSequence } from '../helper/core/plan.ts';
import { renderCue } from '../helper/pipeline/render-cue.ts';
import { pruneRenders, readRender, writeRender } from '../helper/pipeline/render-store.ts';
import { fixture, segue, THREE_SCENES, tmpDir } from './helpers.ts';

/**
 * The render before mastering (render-store.ts): an edit that changes only a cue's mastering
 * re-masters the stored synth output instead of synthesising again, and the result is the same,
 * byte for byte, as a fresh render.
 */

const settings = (stems: boolean) => PlanSettings.parse({
  minSceneSec: 1, engine: 'symbolic', seed: 1, loudnessLufs: -16, truePeakDbtp: -1, handleBars: 1, fadeShape: 'equal-power',
  stems, llm: null, soundFont: 'timgm6mb',
});
const analysis = (arousal: number): SceneAnalysis => ({
  brightness: 0.5, contrast: 0.3, saturation: 0.3, warmth: 0, motion: 0.3, motionPeaks: [], shotRate: 4, dominantColours: [],
  valence: 0.2, arousal, curve: { valence: [0.2], arousal: [arousal], speech: [] }, speech: null, tags: [], caption: 'x',
});
const scenes: Scene[] = [0, 6].map((start, index) => ({
  index, start, end: start + 6, startSample: start * SAMPLE_RATE, endSample: (start + 6) * SAMPLE_RATE, origin: 'caller', mergedCuts: [],
}));
/** The first scene cue of a two-scene plan: a job of about eight seconds. */
const jobOf = (stems: boolean) => {
  const s = settings(stems);
  const plan = planSequence(scenes.map((scene, i) => ({ scene, analysis: analysis([-0.6, 0.6][i]!) })), s);
  return layoutCues(plan.scenes, plan.transitions, s, [1, 2])[0]!.job;
};
/** The same notes and grid, mastered otherwise (3 dB quieter). */
const remastered = (job: ReturnType<typeof jobOf>) => ({ ...job, master: { ...job.master, targetLufs: job.master.targetLufs - 3 } });

describe('the render before mastering', () => {
  for (const stems of [false, true]) {
    it(`re-masters a cue whose notes did not change from the stored render, byte-identical to a fresh render${stems ? ' (with stems)' : ''}`, async () => {
      const dir = tmpDir('render-store');
      const store = join(dir, 'render.f32');
      const job = jobOf(stems);
      await renderCue(job, join(dir, 'a.wav'), store);
      assert.ok(existsSync(store), 'the first render is stored');
      // A SoundFont that does not exist: the second cue can only come from the store.
      const other = remastered(job);
      await renderCue({ ...other, soundFont: join(dir, 'no-such.sf3') }, join(dir, 'b.wav'), store);
      await renderCue(other, join(dir, 'fresh.wav'));
      const files = readdirSync(dir).filter((f) => f.startsWith('fresh') && f.endsWith('.wav'));
      assert.equal(files.length, stems ? 1 + 5 : 1, 'the cue, and its stems when asked');
      for (const f of files) assert.ok(readFileSync(join(dir, f.replace('fresh', 'b'))).equals(readFileSync(join(dir, f))), `${f} byte-identical`);
      assert.ok(!readFileSync(join(dir, 'a.wav')).equals(readFileSync(join(dir, 'b.wav'))), 'the mastering change is heard');
    });
  }

  it('renders again when the stored render is damaged, and the cue is still the same', async () => {
    const dir = tmpDir('render-store-damaged');
    const store = join(dir, 'render.f32');
    const job = remastered(jobOf(false));
    await renderCue(job, join(dir, 'a.wav'), store);
    const bytes = readFileSync(store);
    const mid = bytes.length >> 1;
    bytes[mid] = bytes[mid]! ^ 0x40; // one flipped bit, same size
    writeFileSync(store, bytes);
    assert.equal(readRender(store, job.render.totalSamples), null, 'a damaged entry is a miss');
    assert.ok(!existsSync(store) && !existsSync(`${store}.json`), 'and is removed');
    await renderCue(job, join(dir, 'b.wav'), store);
    assert.ok(readFileSync(join(dir, 'a.wav')).equals(readFileSync(join(dir, 'b.wav'))));
    assert.ok(readRender(store, job.render.totalSamples), 'stored again');
    assert.equal(readRender(store, job.render.totalSamples + 1), null, 'an entry of another length is never used');
  });

  it('keeps the store within its limit, removing the least recently used entries first and the temp files of killed writers', () => {
    const dir = tmpDir('render-store-prune');
    const entry = (n: number) => ({ parts: ['mix'], pcm: [[new Float32Array(1000).fill(n), new Float32Array(1000).fill(-n)]] });
    const path = (n: number) => join(dir, `${n}.f32`);
    const limit = 2 * 8000; // two entries of 1000 stereo samples
    for (const n of [1, 2]) {
      writeRender(path(n), entry(n), limit);
      utimesSync(path(n), n, n); // written one after the other, seconds apart
    }
    assert.deepEqual(readRender(path(1), 1000)?.pcm[0]![1]![0], -1, 'entry 1 read back: now the most recently used');
    writeRender(path(3), entry(3), limit);
    assert.deepEqual([1, 2, 3].map((n) => existsSync(path(n))), [true, false, true], 'entry 2, the least recently used, went');
    // Temp files of writers killed mid-write: an old one goes, one being written now stays.
    writeFileSync(join(dir, '9.f32.123.abc.tmp'), 'x');
    utimesSync(join(dir, '9.f32.123.abc.tmp'), 1, 1);
    writeFileSync(join(dir, '8.f32.456.def.tmp'), 'x');
    pruneRenders(dir, 2 * limit);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), ['8.f32.456.def.tmp']);
    rmSync(join(dir, '8.f32.456.def.tmp'));
    pruneRenders(dir, 0);
    assert.deepEqual(readdirSync(dir), [], 'a limit of 0 empties the store, records included');
    writeRender(path(4), entry(4), 0);
    assert.ok(!existsSync(path(4)), 'and keeps nothing');
  });
});

describe('a swapped transition through the CLI', () => {
  it('re-masters the scene cues from the store when only their mastering changes: the same files as with the store turned off', async () => {
    const video = await fixture('three-store', THREE_SCENES);
    const run = async (storeMb: string) => {
      const cache = tmpDir('store-cache');
      const out = tmpDir('store-out');
      const env = { SEGUE_CACHE_DIR: cache, SEGUE_RENDER_STORE_MB: storeMb };
      const stored = () => (existsSync(join(cache, 'renders')) ? readdirSync(join(cache, 'renders')).filter((f) => f.endsWith('.f32')).length : 0);
      const planOf = () => Plan.parse(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')));
      const step = async (args: string[]) => {
        const r = await segue(args, { env });
        assert.equal(r.code, 0, r.stderr);
      };
      await step(['score', video, '--out', out, '--cuts', '10,20', '--soundfont', 'timgm6mb', '--seed', '5']);
      // Whatever the director chose, an abrupt cut first (new notes where it was a bridge), then a fade: only the mastering changes.
      await step(['transition', out, '--cut', '1', '--style', 'abrupt-cut']);
      const before = { plan: planOf(), stored: stored() };
      await step(['transition', out, '--cut', '1', '--style', 'fade']);
      const after = planOf();
      return { out, before, stored: stored(), newCues: after.cues.filter((c) => !before.plan.cues.some((b) => b.file === c.file)) };
    };
    const on = await run('1024');
    const off = await run('0');
    assert.equal(off.stored, 0, 'SEGUE_RENDER_STORE_MB=0 turns the store off');
    assert.ok(on.before.stored >= on.before.plan.cues.length, 'every rendered cue was stored');
    assert.equal(on.stored, on.before.stored, 'the fade added no stored render: its cues kept their notes');
    assert.deepEqual(on.newCues.map((c) => c.id), ['scene-1', 'scene-2'], 'new takes of the two scenes at the cut');
    for (const c of on.newCues) assert.ok(readFileSync(join(on.out, c.file)).equals(readFileSync(join(off.out, c.file))), `${c.file} byte-identical`);
  });
});
