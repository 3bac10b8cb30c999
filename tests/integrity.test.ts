import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { Plan } from '../shared/index.ts';
import { makeTestVideo, probe } from '../helper/adapters/ffmpeg.ts';
import { contentHash, hashFile, knownFileHash, writeAtomic } from '../helper/pipeline/cache.ts';
import { cachedFrames } from '../helper/pipeline/frames.ts';
import { fixture, segue, THREE_SCENES, tmpDir } from './helpers.ts';

/**
 * Nothing trusted blindly (issue 14, items 2 and 5): a damaged cache entry is a miss with a warning,
 * never silence, noise or a stack trace; a damaged take in a project folder is made again from its
 * recipe before it is mixed; a source video that changed since scoring is refused before an edit.
 * Renders are deterministic, so "made again" is checked byte for byte against the undamaged run.
 */

describe('damaged cache entries and project files', () => {
  let video: string;
  let cache: string;
  let reference: string;
  const args = (out: string) => ['score', video, '--out', out, '--cuts', '10,20', '--soundfont', 'timgm6mb', '--seed', '5'];
  const run = (a: string[]) => segue(a, { env: { SEGUE_CACHE_DIR: cache } });
  const planOf = (dir: string) => Plan.parse(JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')));
  const same = (a: string, b: string, file: string) => readFileSync(join(a, file)).equals(readFileSync(join(b, file)));
  const cueEntries = () => readdirSync(join(cache, 'cues')).filter((f) => /^[0-9a-f]{64}\.wav$/.test(f)).map((f) => join(cache, 'cues', f));

  before(async () => {
    video = await fixture('three-integrity', THREE_SCENES, { audio: 'tone' });
    cache = tmpDir('integrity-cache');
    reference = tmpDir('integrity-ref');
    const r = await run(args(reference));
    assert.equal(r.code, 0, r.stderr);
  });

  for (const [what, damage] of [
    ['a truncated cue WAV', (wav: string) => truncateSync(wav, 1000)],
    ['a zero-byte cue WAV', (wav: string) => writeFileSync(wav, '')],
    ['a cue WAV overwritten with other audio of the same size', (wav: string) => {
      const b = readFileSync(wav);
      b.fill(7, 100_000, 200_000);
      writeFileSync(wav, b);
    }],
    ['a missing MIDI file', (wav: string) => rmSync(wav.replace(/\.wav$/, '.mid'))],
    ['a garbage record', (wav: string) => writeFileSync(`${wav}.json`, '{"integratedLufs": "loud"')],
  ] as const) {
    it(`${what} in the cache is rendered again, with a warning, and the result is identical`, async () => {
      for (const wav of cueEntries()) damage(wav);
      const out = tmpDir('integrity-out');
      const r = await run(args(out));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /warning: .*(damaged|is missing|bytes, not|other content)/, r.stderr);
      const p = planOf(out);
      for (const c of p.cues) assert.ok(same(reference, out, c.file), `${c.file} is as the undamaged run made it`);
      assert.ok(same(reference, out, 'soundtrack.wav'), 'so is the mix');
      // The cache is whole again: a second run warns of nothing.
      const again = await run(args(tmpDir('integrity-again')));
      assert.doesNotMatch(again.stderr, /warning/);
    });
  }

  it('temp files a killed render left in the cue cache are removed by the next render; one being written stays', async () => {
    const [old, fresh] = [join(cache, 'cues', 'a.wav.111.x.tmp'), join(cache, 'cues', 'b.wav.222.y.tmp')];
    writeFileSync(old, 'half a cue');
    utimesSync(old, 1, 1);
    writeFileSync(fresh, 'being written');
    const r = await run(['score', video, '--out', tmpDir('integrity-sweep'), '--cuts', '10,20', '--soundfont', 'timgm6mb', '--seed', '6']); // a new seed: new cues render
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(old), 'the killed render\'s temp file is gone');
    assert.ok(existsSync(fresh), 'a temp file of a render still running is left alone');
    rmSync(fresh);
  });

  it('a damaged take in the project folder is made again before an edit mixes it', async () => {
    const out = tmpDir('integrity-project');
    assert.equal((await run(args(out))).code, 0);
    const p = planOf(out);
    const scene2 = p.cues.find((c) => c.id === 'scene-2')!.file;
    const scene3 = p.cues.find((c) => c.id === 'scene-3')!.file;
    truncateSync(join(out, scene2), 5000);
    const b = readFileSync(join(out, scene3));
    b.fill(0, b.length >> 1, (b.length >> 1) + 100_000); // a hole of silence in the middle, same size and header
    writeFileSync(join(out, scene3), b);
    const r = await run(['regenerate', out, '--scene', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`${scene2} is damaged: .*truncated`));
    assert.match(r.stderr, new RegExp(`${scene3} has other content`));
    assert.ok(same(reference, out, scene2) && same(reference, out, scene3), 'both takes are back, byte for byte');
    const after = planOf(out);
    assert.deepEqual(after.takes.filter((t) => t.cue !== 'scene-1').map((t) => t.file), p.takes.filter((t) => t.cue !== 'scene-1').map((t) => t.file), 'a restored take is the same take, not a new one');
  });

  it('a source video re-exported at another length is refused before an edit, changing nothing', async () => {
    const dir = tmpDir('integrity-source');
    const src = join(dir, 'cut.mp4');
    copyFileSync(video, src);
    const out = join(dir, 'scored');
    assert.equal((await run(['score', src, '--out', out, '--cuts', '10,20', '--soundfont', 'timgm6mb'])).code, 0);
    const planBefore = readFileSync(join(out, 'plan.json'));
    await makeTestVideo(THREE_SCENES.map((s) => ({ ...s, seconds: s.seconds - 2 })), src, { width: 320, height: 180, fps: 30, audio: 'tone' });
    const r = await run(['regenerate', out, '--scene', '2']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /cut\.mp4 changed since it was scored \(24\.\d+ s long, scored at 30\.\d+ s\); score the new video again/);
    assert.ok(readFileSync(join(out, 'plan.json')).equals(planBefore));
  });
});

describe('remembered content hashes', () => {
  it('reads a file once: the hash is remembered while the file is unchanged, and content changed in place is never taken for the old', async () => {
    process.env.SEGUE_CACHE_DIR = tmpDir('hash-memo');
    const file = join(tmpDir('hash-files'), 'clip.bin');
    writeFileSync(file, Buffer.alloc(1 << 20, 1));
    utimesSync(file, 1_700_000_000, 1_700_000_000); // whole seconds, so it can be set back exactly
    const first = await contentHash(file);
    assert.equal(first, await hashFile(file));
    assert.equal(knownFileHash(file), first);
    // Planting another hash in the memo shows the file is not read again while it is unchanged.
    const memo = readdirSync(join(process.env.SEGUE_CACHE_DIR, 'hashes'))[0]!;
    writeFileSync(join(process.env.SEGUE_CACHE_DIR, 'hashes', memo), JSON.stringify('0'.repeat(64)));
    assert.equal(await contentHash(file), '0'.repeat(64));
    // Same size, modification time set back: the change time still tells.
    writeFileSync(file, Buffer.alloc(1 << 20, 2));
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    assert.equal(statSync(file).mtimeMs, 1_700_000_000_000);
    assert.equal(knownFileHash(file), null);
    assert.equal(await contentHash(file), await hashFile(file));
    assert.notEqual(await contentHash(file), first);
  });

  it('finds the frames of the same video under another name once its hash is known', async () => {
    process.env.SEGUE_CACHE_DIR = tmpDir('frames-memo');
    const video = await fixture('three-memo', THREE_SCENES);
    const copy = join(tmpDir('frames-copy'), 'renamed.mp4');
    copyFileSync(video, copy);
    const o = { edges: false, progress: () => undefined, signal: new AbortController().signal };
    const a = await cachedFrames(await probe(video), 1, o);
    assert.equal(a.cached, false);
    assert.equal((await cachedFrames(await probe(video), 1, o)).cached, true, 'the same file: a hit without reading it');
    const b = await cachedFrames(await probe(copy), 1, o);
    assert.equal(b.cached, true, 'the copy: a hit once its hash is known');
    assert.deepEqual(b.series.frames, a.series.frames);
  });
});

describe('atomic cache writes', () => {
  it('leave no temp file behind when the write fails, and no half-written entry', () => {
    const dir = tmpDir('atomic');
    const path = join(dir, 'entry.json');
    mkdirSync(join(path, 'in-the-way'), { recursive: true }); // a folder where the file should go: the rename fails
    assert.throws(() => writeAtomic(path, 'x'.repeat(1 << 20)));
    assert.deepEqual(readdirSync(dir), ['entry.json'], 'only the folder that was in the way');
    assert.deepEqual(readdirSync(path), ['in-the-way']);
  });
});
