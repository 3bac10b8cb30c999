import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Accepted, Health, Plan, ProjectDetail, TakesResponse, type CreateProject } from '../shared/index.ts';
import { sequenceFromVideo } from '../scripts/demo-sequence.ts';
import { CACHE, fixture, readWav, segue, THREE_SCENES, tmpDir } from './helpers.ts';
import { rawRequest, startServe, type Served } from '../scripts/serve-client.ts';

/**
 * The helper over real HTTP, started as users start it: pairing and the guards, a sequence from
 * stills and from media, score, regenerate, swap, takes, files with ranges, cancel, the CLI on a
 * helper project and the helper on a CLI folder, and every bad request answered 4xx changing nothing.
 */

describe('segue serve: the /v1 API', () => {
  let h: Served;
  let data: string;
  let video: string;
  let seq: CreateProject;
  let id: string;
  const plan = async (): Promise<Plan> => Plan.parse((await h.call('GET', `/v1/projects/${id}/plan`)).json);
  const cue = (p: Plan, cueId: string) => p.cues.find((c) => c.id === cueId)!;
  const fileBytes = (p: Plan, cueId: string) => readFileSync(join(data, 'projects', id, cue(p, cueId).file));

  async function job(method: string, path: string, body?: unknown) {
    const r = await h.call(method, path, body);
    assert.equal(r.status, 202, JSON.stringify(r.json));
    const done = await h.waitJob(Accepted.parse(r.json).job.id);
    assert.equal(done.state, 'done', JSON.stringify(done.error));
    return done;
  }

  before(async () => {
    data = tmpDir('helper-data');
    video = await fixture('three-tone', THREE_SCENES, { audio: 'tone' });
    seq = await sequenceFromVideo(video, [10, 20], 30, { name: 'Three scenes', stillsPerScene: 2 });
    h = await startServe(data, [], { SEGUE_CACHE_DIR: CACHE });
  });
  after(async () => {
    assert.equal(await h.stop(), 0, 'the helper exits 0 on SIGTERM');
  });

  it('answers health without a token and nothing else', async () => {
    const r = await fetch(`${h.url}/v1/health`);
    const health = Health.parse(await r.json());
    assert.deepEqual(health.engines, ['symbolic', 'musicgen']);
    assert.ok(health.soundFonts.includes('musescore') && health.gpuProviders.includes('cpu'));
    assert.equal((await fetch(`${h.url}/v1/projects`)).status, 401);
    const wrong = await fetch(`${h.url}/v1/projects`, { headers: { Authorization: `Bearer ${'0'.repeat(64)}` } });
    assert.equal(wrong.status, 401);
    assert.match(((await wrong.json()) as { error: { message: string } }).error.message, /token is wrong/);
    const doc = (await h.call('GET', '/v1/openapi.json')).json;
    assert.equal(doc.openapi, '3.1.0');
    for (const p of ['/v1/projects', '/v1/projects/{id}/scenes/{k}/regenerate', '/v1/projects/{id}/cuts/{k}/transition', '/v1/jobs/{id}/events', '/v1/projects/{id}/files/{path}']) assert.ok(doc.paths[p], p);
    assert.ok(doc.paths['/v1/projects'].post.requestBody.content['application/json'].schema.properties.cuts, 'bodies come from the zod schemas');
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin, and sends no CORS headers', async () => {
    const auth = { Authorization: `Bearer ${h.token}` };
    assert.equal((await rawRequest(h.port, { path: '/v1/projects', headers: { ...auth, Host: `evil.example:${h.port}` } })).status, 403);
    assert.equal((await rawRequest(h.port, { path: '/v1/health', headers: { Host: `attacker.test:${h.port}` } })).status, 403);
    const o = await h.call('GET', '/v1/projects', undefined, { Origin: 'https://evil.example' });
    assert.equal(o.status, 403);
    assert.match(o.json.error.message, /--allow-origin/);
    const own = await h.call('GET', '/v1/projects', undefined, { Origin: h.url });
    assert.equal(own.status, 200);
    assert.equal(own.headers.get('access-control-allow-origin'), null);
    const token = readFileSync(join(data, 'token'), 'utf8').trim();
    assert.equal(token, h.token);
    if (process.platform !== 'win32') assert.equal((await import('node:fs')).statSync(join(data, 'token')).mode & 0o077, 0, 'the token file is owner-only');
  });

  it('creates a project from stills and cut times, analyses and scores it', async () => {
    const r = await h.call('POST', '/v1/projects', seq);
    assert.equal(r.status, 202, JSON.stringify(r.json));
    id = Accepted.parse(r.json).project;
    const analysed = await h.waitJob(r.json.job.id);
    assert.equal(analysed.state, 'done', JSON.stringify(analysed.error));
    const detail = ProjectDetail.parse((await h.call('GET', `/v1/projects/${id}`)).json);
    assert.equal(detail.project.state, 'created');
    assert.equal(detail.plan!.scenes.length, 3);
    assert.deepEqual(detail.plan!.scenes.map((s) => s.scene.start), [0, 10, 20]);
    // Stills alone: the dark first scene reads darker than the bright warm last one.
    const [a, , c] = detail.plan!.scenes.map((s) => s.analysis);
    assert.ok(a!.brightness < c!.brightness && a!.warmth < c!.warmth, `${a!.brightness}/${c!.brightness}`);
    assert.equal(existsSync(join(detail.project.dir, 'frames', '0000.png')), true);

    const scored = await job('POST', `/v1/projects/${id}/score`, {});
    const p = await plan();
    assert.deepEqual([...scored.result!.changed].sort(), p.cues.map((x) => x.id).sort());
    assert.equal(p.outputs.mix, null, 'the panel gets no mix unless it asks');
    for (const x of p.cues) {
      const wav = readWav(join(detail.project.dir, x.file));
      assert.equal(wav.channels[0]!.length, x.fileSamples, `${x.id} is exactly as long as the plan says`);
    }
  });

  it('serves project files with ranges, and nothing outside the project', async () => {
    const p = await plan();
    const c = p.cues[0]!;
    const full = await fetch(`${h.url}/v1/projects/${id}/files/${c.file}`, { headers: { Authorization: `Bearer ${h.token}` } });
    assert.equal(full.status, 200);
    assert.ok(Buffer.from(await full.arrayBuffer()).equals(fileBytes(p, c.id)));
    const part = await fetch(`${h.url}/v1/projects/${id}/files/${c.file}`, { headers: { Authorization: `Bearer ${h.token}`, Range: 'bytes=0-11' } });
    assert.equal(part.status, 206);
    assert.equal(Buffer.from(await part.arrayBuffer()).toString('latin1', 0, 4), 'RIFF');
    for (const bad of ['..%2F..%2Ftoken', '%2e%2e/%2e%2e/token', 'cues/..%2F..%2F..%2Ftoken', '.segue-staging-1/x', 'frames/%00.png']) {
      const r = await h.call('GET', `/v1/projects/${id}/files/${bad}`);
      assert.ok(r.status === 400 || r.status === 404, `${bad}: ${r.status}`);
      assert.ok(r.json.error, `${bad} answers JSON`);
    }
    assert.equal((await h.call('GET', `/v1/projects/${id}/files/cues/none.wav`)).status, 404);
  });

  it('regenerates one scene: a new take, its neighbours byte-identical, progress as server-sent events', async () => {
    const before = await plan();
    const r = await h.call('POST', `/v1/projects/${id}/scenes/2/regenerate`, {});
    const events = await h.events(r.json.job.id);
    const last = events.at(-1) as { state?: string };
    assert.equal(last.state, 'done');
    assert.ok(events.some((e) => 'type' in e && e.type === 'stage' && e.stage === 'audio'), 'the CLI\'s progress events arrive');
    const done = await h.waitJob(r.json.job.id);
    assert.deepEqual(done.result!.changed, ['scene-2']);
    const after = await plan();
    assert.notEqual(cue(after, 'scene-2').file, cue(before, 'scene-2').file);
    for (const x of before.cues.filter((c) => c.id !== 'scene-2')) {
      assert.equal(cue(after, x.id).file, x.file);
      assert.ok(fileBytes(after, x.id).equals(fileBytes(before, x.id)), `${x.id} unchanged`);
    }
  });

  it('swaps a transition and accepts the suggestion again; only the cues at that cut change', async () => {
    const before = await plan();
    const t = await job('POST', `/v1/projects/${id}/cuts/1/transition`, { style: 'silent-gap', beats: 2 });
    const after = await plan();
    assert.equal(after.transitions[0]!.style, 'silent-gap');
    assert.equal(after.transitions[0]!.decidedBy, 'user');
    assert.ok(t.result!.changed.every((c) => ['scene-1', 'scene-2', 'bridge-1'].includes(c)), t.result!.changed.join());
    assert.equal(cue(after, 'scene-3').file, cue(before, 'scene-3').file);
    await job('POST', `/v1/projects/${id}/cuts/1/transition`, { style: 'accept' });
    assert.equal((await plan()).transitions[0]!.style, before.transitions[0]!.suggested);
  });

  it('lists takes and makes an earlier one current', async () => {
    const takes = TakesResponse.parse((await h.call('GET', `/v1/projects/${id}/takes`)).json);
    assert.ok(takes.takes.filter((t) => t.cue === 'scene-2').length >= 2);
    const done = await job('PUT', `/v1/projects/${id}/cues/scene-2/take`, { take: 1 });
    assert.ok(done.result!.changed.includes('scene-2'));
    assert.equal(cue(await plan(), 'scene-2').take, 1);
  });

  it('a project the helper made is a folder the CLI edits, and a CLI folder opens in the helper', async () => {
    const dir = join(data, 'projects', id);
    const r = await segue(['regenerate', dir, '--scene', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const p = await plan();
    assert.equal(cue(p, 'scene-1').take, Math.max(...p.takes.filter((t) => t.cue === 'scene-1').map((t) => t.take)));
    assert.equal(p.outputs.mix, 'soundtrack.wav', 'the CLI still makes the mix');

    const out = tmpDir('cli-scored');
    assert.equal((await segue(['score', video, '--cuts', '10,20', '--out', out])).code, 0);
    const opened = await h.call('POST', '/v1/projects/open', { dir: out });
    assert.equal(opened.status, 200, JSON.stringify(opened.json));
    const cliId = ProjectDetail.parse(opened.json).project.id;
    const e = await h.call('POST', `/v1/projects/${cliId}/scenes/3/regenerate`, {});
    assert.equal((await h.waitJob(e.json.job.id)).state, 'done');
    assert.equal(Plan.parse(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8'))).cues.find((c) => c.id === 'scene-3')!.take, 2);
  });

  it('reads motion from the clips\' media when paths are given', async () => {
    const r = await h.call('POST', '/v1/projects', { ...seq, name: 'with media', clips: [{ path: video, sourceIn: 0, sourceOut: 30, timelineIn: 0, timelineOut: 30, track: 0 }] });
    const done = await h.waitJob(r.json.job.id);
    assert.equal(done.state, 'done', JSON.stringify(done.error));
    const p = Plan.parse((await h.call('GET', `/v1/projects/${r.json.project}/plan`)).json);
    const motion = p.scenes.map((s) => s.analysis.motion);
    assert.ok(motion[1]! > 0.1 && motion[0]! < 0.05 && motion[2]! < 0.05, `the moving middle scene moves: ${motion}`);
    assert.ok(p.scenes.every((s) => s.analysis.speech !== null), 'dialogue is read from the clips\' sound');
  });

  it('cancels a running score and leaves the plan as it was', async () => {
    const before = readFileSync(join(data, 'projects', id, 'plan.json'));
    const r = await h.call('POST', `/v1/projects/${id}/score`, { seed: 987654 });
    assert.equal(r.status, 202);
    const c = await h.call('DELETE', `/v1/jobs/${r.json.job.id}`);
    assert.equal(c.status, 200);
    const done = await h.waitJob(r.json.job.id);
    assert.equal(done.state, 'cancelled');
    assert.ok(readFileSync(join(data, 'projects', id, 'plan.json')).equals(before));
    assert.deepEqual(readdirSync(join(data, 'projects', id)).filter((f) => f.startsWith('.segue-staging')), []);
  });

  it('queues two edits to one project and loses neither', async () => {
    const [a, b] = await Promise.all([
      h.call('POST', `/v1/projects/${id}/scenes/1/regenerate`, {}),
      h.call('POST', `/v1/projects/${id}/cuts/2/transition`, { style: 'fade', beats: 4 }),
    ]);
    assert.equal(a.status, 202);
    assert.equal(b.status, 202);
    const [ja, jb] = [await h.waitJob(a.json.job.id), await h.waitJob(b.json.job.id)];
    assert.equal(ja.state, 'done');
    assert.equal(jb.state, 'done');
    const p = await plan();
    assert.equal(p.transitions[1]!.style, 'fade');
    assert.ok(p.takes.filter((t) => t.cue === 'scene-1' && t.reason === 'regenerate').length >= 1);
  });

  it('answers every bad request with a 4xx JSON error naming the field, and changes nothing', async () => {
    const planBytes = () => readFileSync(join(data, 'projects', id, 'plan.json'));
    const before = planBytes();
    const projects = readdirSync(join(data, 'projects')).length;
    const png50k = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).copy(png50k);
    png50k.write('IHDR', 12, 'latin1');
    png50k.writeUInt32BE(50000, 16);
    png50k.writeUInt32BE(100, 20);
    const cases: [string, string, unknown, 400 | 404, RegExp][] = [
      ['POST', '/v1/projects', '{"name": "x",', 400, /not valid JSON/],
      ['POST', '/v1/projects', { ...seq, frameRate: 'fast' }, 400, /frameRate/],
      ['POST', '/v1/projects', { ...seq, colour: 'red' }, 400, /colour/],
      ['POST', '/v1/projects', { ...seq, cuts: [-3] }, 400, /cuts/],
      ['POST', '/v1/projects', { ...seq, cuts: [20, 10] }, 400, /increasing order/],
      ['POST', '/v1/projects', { ...seq, cuts: [10, 45] }, 400, /beyond the end/],
      ['POST', '/v1/projects', { ...seq, forcedCuts: [10.3] }, 400, /forced cut needs at least 1 s/],
      ['POST', '/v1/projects', { ...seq, cuts: Array.from({ length: 6000 }, (_, i) => i * 0.004 + 0.004) }, 400, /cuts/],
      ['POST', '/v1/projects', { ...seq, frames: [{ time: 1, image: Buffer.from('not an image').toString('base64') }] }, 400, /PNG or JPEG/],
      ['POST', '/v1/projects', { ...seq, frames: [{ time: 1, image: png50k.toString('base64') }] }, 400, /50000x100/],
      ['POST', '/v1/projects', { ...seq, audioMixdown: '/no/such/file.wav' }, 400, /audioMixdown/],
      ['GET', '/v1/projects/no-such-project', undefined, 404, /no project/],
      ['GET', '/v1/projects/..%2F..%2Fetc', undefined, 404, /not a project id/],
      ['POST', `/v1/projects/${id}/scenes/9/regenerate`, {}, 400, /no scene 9/],
      ['POST', `/v1/projects/${id}/scenes/two/regenerate`, {}, 400, /whole number/],
      ['POST', `/v1/projects/${id}/scenes/1/regenerate`, { prompt: { bpm: 900 } }, 400, /prompt/],
      ['POST', `/v1/projects/${id}/cuts/1/transition`, { style: 'wipe' }, 400, /style/],
      ['POST', `/v1/projects/${id}/cuts/7/transition`, { style: 'fade' }, 400, /no cut 7/],
      ['PUT', `/v1/projects/${id}/cues/scene-9/take`, { take: 1 }, 404, /no cue scene-9/],
      ['PUT', `/v1/projects/${id}/cues/scene-1/take`, { take: 99 }, 400, /not 99/],
      ['PUT', `/v1/projects/${id}/cues/x;rm -rf/take`, { take: 1 }, 400, /not a cue id/],
      ['POST', `/v1/projects/${id}/score`, { scenes: { '9': { bpm: 100 } } }, 400, /no scene 9/],
      ['POST', `/v1/projects/${id}/score`, { engine: 'stable-audio' }, 400, /not available/],
      ['POST', `/v1/projects/${id}/score`, { engine: 'musicgen' }, 400, /needs "model": the MusicGen ONNX folder/],
      ['POST', `/v1/projects/${id}/score`, { engine: 'musicgen', model: '/no/such/folder' }, 400, /model: \/no\/such\/folder does not exist/],
      ['POST', '/v1/projects/open', { dir: '/etc' }, 400, /plan.json/],
      ['GET', '/v1/jobs/job-none', undefined, 404, /no job/],
      ['DELETE', '/v1/nothing', undefined, 400, /not part of this API/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const r = await h.call(method, path, body);
      assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.json).slice(0, 300)}`);
      assert.match(r.json.error.message, message, `${method} ${path}`);
    }
    assert.ok(planBytes().equals(before), 'plan.json unchanged');
    assert.equal(readdirSync(join(data, 'projects')).length, projects, 'refused creations leave no folder');
  });
});
