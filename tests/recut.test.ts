import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Accepted, Plan, type ClipMedia, type Job, type RecutRequest } from '../shared/index.ts';
import { matchScenes } from '../helper/core/recut.ts';
import { CACHE, fixture, segue, tmpDir } from './helpers.ts';
import { startServe, type Served } from '../scripts/serve-client.ts';

/**
 * Following a re-cut (issue 12, item 5): the editor trims or removes shots in Premiere, the panel
 * sends the new cut list, and the helper re-plans only the scenes whose picture changed. Kept scenes
 * keep their music byte for byte wherever they moved; no take file is ever overwritten.
 */

describe('matchScenes: which scenes survive a re-cut', () => {
  const sig = (samples: number, opening: string | null = null) => ({ samples, opening });
  it('matches a ripple trim, a deletion, an insertion and a move', () => {
    const before = [sig(10, 'a@0'), sig(20, 'b@0'), sig(30, 'c@0'), sig(40, 'd@0')];
    assert.deepEqual(matchScenes(before, [sig(10, 'a@0'), sig(15, 'b@0'), sig(30, 'c@0'), sig(40, 'd@0')], 0), [0, null, 2, 3], 'trimmed b');
    assert.deepEqual(matchScenes(before, [sig(10, 'a@0'), sig(30, 'c@0'), sig(40, 'd@0')], 0), [0, 2, 3], 'deleted b');
    assert.deepEqual(matchScenes(before, [sig(10, 'a@0'), sig(20, 'b@0'), sig(5, 'x@0'), sig(30, 'c@0'), sig(40, 'd@0')], 0), [0, 1, null, 2, 3], 'inserted x');
    assert.deepEqual(matchScenes(before, [sig(40, 'd@0'), sig(10, 'a@0'), sig(20, 'b@0'), sig(30, 'c@0')], 0), [null, 0, 1, 2], 'd moved to the front: one end changes');
    assert.deepEqual(matchScenes(before, [sig(10, 'a@9'), sig(20, 'b@0'), sig(30, 'c@0'), sig(40, 'd@0')], 0), [null, 1, 2, 3], 'a slipped: same length, other frame');
  });
  it('allows the tolerance in length and nothing more; without media, length and order decide', () => {
    assert.deepEqual(matchScenes([sig(1000, 'a@0')], [sig(1001, 'a@0')], 1), [0]);
    assert.deepEqual(matchScenes([sig(1000, 'a@0')], [sig(1002, 'a@0')], 1), [null]);
    assert.deepEqual(matchScenes([sig(5), sig(7), sig(5)], [sig(5), sig(5)], 0), [0, 2]);
  });
});

describe('PUT /v1/projects/{id}/sequence: re-plan only what the re-cut changed', () => {
  let h: Served;
  let data: string;
  let video: string;
  let id: string;
  const dir = () => join(data, 'projects', id);
  const plan = async (): Promise<Plan> => Plan.parse((await h.call('GET', `/v1/projects/${id}/plan`)).json);
  const cue = (p: Plan, cueId: string) => p.cues.find((c) => c.id === cueId)!;
  const bytes = (file: string) => readFileSync(join(dir(), file));
  /** Clips laid end to end on V1, each [sourceIn, sourceOut) of the video; the cuts between them. */
  const timeline = (parts: [number, number][]) => {
    let t = 0;
    const clips: ClipMedia[] = parts.map(([a, b]) => {
      const c = { path: video, sourceIn: a, sourceOut: b, timelineIn: t, timelineOut: t + b - a, track: 0 };
      t += b - a;
      return c;
    });
    return { frameRate: 30, durationSec: t, cuts: clips.slice(1).map((c) => c.timelineIn), clips, minSceneSec: 4 };
  };
  async function job(method: string, path: string, body?: unknown): Promise<Job> {
    const r = await h.call(method, path, body);
    assert.equal(r.status, 202, JSON.stringify(r.json));
    const done = await h.waitJob(Accepted.parse(r.json).job.id, 300_000);
    assert.equal(done.state, 'done', JSON.stringify(done.error));
    return done;
  }

  before(async () => {
    data = tmpDir('recut-data');
    video = await fixture('five-shots', [
      { seconds: 8, source: 'color=c=0x101830' },
      { seconds: 8, source: 'testsrc2' },
      { seconds: 8, source: 'color=c=0xf0b050' },
      { seconds: 8, source: 'smptebars' },
      { seconds: 8, source: 'rgbtestsrc' },
    ]);
    h = await startServe(data, [], { SEGUE_CACHE_DIR: CACHE });
    const r = await h.call('POST', '/v1/projects', { name: 'Five shots', ...timeline([[0, 8], [8, 16], [16, 24], [24, 32], [32, 40]]) });
    assert.equal(r.status, 202, JSON.stringify(r.json));
    id = Accepted.parse(r.json).project;
    assert.equal((await h.waitJob(r.json.job.id)).state, 'done');
    await job('POST', `/v1/projects/${id}/score`, {});
  });
  after(async () => {
    assert.equal(await h.stop(), 0);
  });

  it('a ripple trim of shot 2: only scene 2 is new; scenes 4 and 5 move with their music unchanged; the editor\'s transition at cut 1 stays', async () => {
    // The editor chose the transition at cut 1; the trim is at the other end of scene 2, so cut 1 still joins the same frames.
    const chosen = (await plan()).transitions[0]!.style === 'silent-gap' ? 'fade' : 'silent-gap';
    await job('POST', `/v1/projects/${id}/cuts/1/transition`, { style: chosen });
    const old = await plan();
    const done = await job('PUT', `/v1/projects/${id}/sequence`, timeline([[0, 8], [8, 14], [16, 24], [24, 32], [32, 40]]) satisfies RecutRequest);
    const p = await plan();
    assert.deepEqual(done.result!.fresh, [2]);
    assert.deepEqual(p.scenes.map((s) => s.scene.start), [0, 8, 14, 22, 30]);
    assert.equal(p.durationSamples, 38 * 48000);
    const shift = -2 * 48000;
    for (const k of [4, 5]) {
      const was = cue(old, `scene-${k}`);
      const now = cue(p, `scene-${k}`);
      assert.equal(now.file, was.file, `scene ${k} keeps its take`);
      assert.equal(now.timelineIn, was.timelineIn + shift, `scene ${k} moved by exactly the trim`);
      assert.equal(now.hash, was.hash);
      assert.ok(done.result!.changed.includes(`scene-${k}`), 'moved cues are reported so the panel moves their clips');
      assert.ok(!done.result!.rendered.includes(`scene-${k}`), `scene ${k} was not rendered again`);
      assert.deepEqual(p.scenes[k - 1]!.prompt, old.scenes[k - 1]!.prompt);
    }
    assert.deepEqual(p.transitions[3], { ...old.transitions[3]!, at: 30, atSample: old.transitions[3]!.atSample + shift, bridge: old.transitions[3]!.bridge && { ...old.transitions[3]!.bridge, startSample: old.transitions[3]!.bridge.startSample + shift, endSample: old.transitions[3]!.bridge.endSample + shift } });
    assert.deepEqual(p.scenes[0]!.analysis, old.scenes[0]!.analysis, 'scene 1 was not analysed again');
    assert.deepEqual(p.transitions[0], old.transitions[0], 'cut 1 keeps the editor\'s choice');
    assert.equal(cue(p, 'scene-1').file, cue(old, 'scene-1').file, 'so scene 1 keeps its take');
    assert.ok(!done.result!.changed.includes('scene-1'));
    assert.notEqual(p.scenes[1]!.analysis.motion, undefined);
    const seqJson = JSON.parse(readFileSync(join(dir(), 'sequence.json'), 'utf8'));
    assert.equal(seqJson.durationSec, 38, 'sequence.json describes the new cut');
    assert.equal(seqJson.name, 'Five shots');
  });

  it('deleting a shot renumbers the scenes after it, keeps their takes, and never overwrites a take file', async () => {
    await job('POST', `/v1/projects/${id}/scenes/2/regenerate`, {});
    const old = await plan();
    const taken = old.takes.map((t) => [t.file, bytes(t.file)] as const);
    const done = await job('PUT', `/v1/projects/${id}/sequence`, timeline([[0, 8], [16, 24], [24, 32], [32, 40]]));
    const p = await plan();
    assert.deepEqual(done.result!.fresh, []);
    assert.equal(p.scenes.length, 4);
    // scene-5 is gone; so is any bridge whose cut number no longer has one (bridges renumber with their cuts).
    assert.ok(done.result!.removed.includes('scene-5'));
    assert.deepEqual(done.result!.removed, old.cues.map((c) => c.id).filter((x) => !p.cues.some((c) => c.id === x)));
    for (const [k, was] of [[3, 4], [4, 5]] as const) {
      assert.equal(cue(p, `scene-${k}`).file, cue(old, `scene-${was}`).file, `new scene ${k} is old scene ${was}, same take`);
      assert.deepEqual(p.takes.filter((t) => t.cue === `scene-${k}`).map((t) => t.file), old.takes.filter((t) => t.cue === `scene-${was}`).map((t) => t.file));
    }
    for (const [file, b] of taken) assert.ok(bytes(file).equals(b), `${file} is untouched`);

    // A new shot in place 2: scene-2 starts a fresh history, but earlier scene-2 take files exist on disk.
    const onDisk = readdirSync(join(dir(), 'cues'));
    assert.ok(onDisk.includes('scene-2-take-1.wav'));
    const recut = await job('PUT', `/v1/projects/${id}/sequence`, timeline([[0, 8], [8, 13], [24, 32], [32, 40]]));
    assert.deepEqual(recut.result!.fresh, [2]);
    const q = await plan();
    assert.ok(recut.result!.rendered.includes('scene-2'));
    const next = Math.max(...onDisk.flatMap((f) => /^scene-2-take-(\d+)\.wav$/.exec(f)?.[1] ?? []).map(Number)) + 1;
    assert.equal(cue(q, 'scene-2').file, `cues/scene-2-take-${next}.wav`, 'the next free take number, not 1');
    for (const [file, b] of taken) assert.ok(bytes(file).equals(b), `${file} is still untouched`);
  });

  it('refuses what cannot be re-cut, changing nothing', async () => {
    const before = readFileSync(join(dir(), 'plan.json'));
    const bad = await h.call('PUT', `/v1/projects/${id}/sequence`, { ...timeline([[0, 8], [8, 16]]), cuts: [8, 4] });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /increasing order/);
    const detect = await h.call('PUT', `/v1/projects/${id}/sequence`, { ...timeline([[0, 8]]), cuts: { detect: { video } } });
    assert.equal(detect.status, 400);
    assert.equal((await h.call('PUT', '/v1/projects/p-none/sequence', timeline([[0, 8]]))).status, 404);
    assert.ok(readFileSync(join(dir(), 'plan.json')).equals(before));
    // A folder segue score wrote (from a video file) has no sequence to follow.
    const out = join(tmpDir('recut-cli'), 'scored');
    assert.equal((await segue(['score', video, '--out', out, '--cuts', '8,16,24,32', '--min-scene', '4'])).code, 0);
    const opened = await h.call('POST', '/v1/projects/open', { dir: out });
    const cli = await h.call('PUT', `/v1/projects/${opened.json.project.id}/sequence`, timeline([[0, 8]]));
    assert.equal(cli.status, 409);
    assert.match(cli.json.error.message, /score the re-cut video/);
    assert.equal(existsSync(join(out, 'sequence.json')), false);
  });
});
