import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { sequenceFromVideo } from '../scripts/demo-sequence.ts';
import { CACHE, fixture, THREE_SCENES, tmpDir } from './helpers.ts';
import { startServe, type Served } from '../scripts/serve-client.ts';

/**
 * Property-based fuzzing of every endpoint (fast-check): generated methods, paths, bodies and
 * headers, hostile path segments and file paths included. Properties: never a 5xx, every error is
 * JSON, the helper stays up, and nothing is written outside its data folder.
 */

describe('segue serve under fuzzed requests', () => {
  let h: Served;
  let root: string;
  let id: string;
  const accepted: string[] = [];
  const seen = new Map<number, number>();

  before(async () => {
    root = tmpDir('fuzz');
    mkdirSync(join(root, 'outside'));
    const video = await fixture('three', THREE_SCENES);
    h = await startServe(join(root, 'data'), ['--quiet', '--queue-limit', '6'], { SEGUE_CACHE_DIR: CACHE });
    const r = await h.call('POST', '/v1/projects', await sequenceFromVideo(video, [10, 20], 30, { stillsPerScene: 1 }));
    id = r.json.project;
    await h.waitJob(r.json.job.id);
    const s = await h.call('POST', `/v1/projects/${id}/score`, {});
    assert.equal((await h.waitJob(s.json.job.id)).state, 'done');
  });
  after(async () => {
    await h.stop();
  });

  it('answers generated requests with no 5xx and writes nothing outside its data folder', async () => {
    const hostile = fc.constantFrom('..', '%2e%2e', '..%2F..%2F..%2Foutside', '%00', 'scene-1', 'bridge-1', '1', '0', '-1', '99999999999', 'a'.repeat(300), '.segue-staging-1', '%E2%80%AE', 'cues', 'plan.json');
    const segment = fc.oneof(hostile, fc.string({ maxLength: 20 }).map(encodeURIComponent), fc.constant('PROJECT'));
    const path = fc.oneof(
      fc.tuple(fc.constantFrom('/v1/projects/', '/v1/jobs/', '/v1/projects/PROJECT/files/', '/v1/projects/PROJECT/scenes/', '/v1/projects/PROJECT/cuts/', '/v1/projects/PROJECT/cues/'), segment, fc.constantFrom('', '/regenerate', '/transition', '/take', '/events', '/retry', '/plan', '/takes', '/score')).map(([a, b, c]) => a + b + c),
      fc.constantFrom('/v1/health', '/v1/projects', '/v1/projects/open', '/v1/openapi.json', '/v2/x', '/'),
    ).map((p) => p.replaceAll('PROJECT', id));
    const outside = join(root, 'outside', 'x.wav');
    const body = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue({ maxDepth: 3 }),
      fc.string({ maxLength: 200 }),
      fc.record({
        name: fc.oneof(fc.string(), fc.integer()), frameRate: fc.oneof(fc.double(), fc.constant(30)), durationSec: fc.oneof(fc.double(), fc.constant(30)),
        cuts: fc.oneof(fc.array(fc.double(), { maxLength: 5 }), fc.constant({ detect: { video: outside } })), audioMixdown: fc.constantFrom(outside, '../../x', null),
        frames: fc.array(fc.record({ time: fc.double(), image: fc.base64String({ maxLength: 64 }) }), { maxLength: 2 }),
        dir: fc.constantFrom(outside, join(root, 'outside'), '../..', '/'), style: fc.constantFrom('fade', 'accept', 'wipe', 7), take: fc.integer(), seed: fc.integer(),
        prompt: fc.record({ bpm: fc.double(), style: fc.string(), key: fc.jsonValue() }, { requiredKeys: [] }),
      }, { requiredKeys: [] }),
    );
    const headers = fc.record({
      Authorization: fc.oneof(fc.constant(`Bearer ${h.token}`), fc.constant(`Bearer ${h.token}`), fc.constant(`Bearer ${h.token}`), fc.string({ maxLength: 80 }).filter((s) => /^[\x21-\x7e ]*$/.test(s))),
      Origin: fc.constantFrom(undefined, 'https://evil.example', h.url, 'null'),
      'Content-Type': fc.constantFrom('application/json', 'text/plain', 'multipart/form-data; boundary=x'),
    }, { requiredKeys: ['Authorization', 'Content-Type'] });

    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), path, body, headers, async (method, p, b, hd) => {
        const send = method === 'GET' || b === undefined ? undefined : typeof b === 'string' ? b : JSON.stringify(b);
        const hdrs = Object.fromEntries(Object.entries(hd).filter(([, v]) => v !== undefined)) as Record<string, string>;
        const r = await fetch(h.url + p, { method, headers: hdrs, body: send });
        const text = await r.text();
        seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
        assert.ok(r.status < 500, `${method} ${p} ${send?.slice(0, 200)} -> ${r.status} ${text.slice(0, 300)}`);
        if (r.status >= 400) assert.ok(JSON.parse(text).error.message, `${method} ${p}: JSON error`);
        if (r.status === 202) {
          const job = JSON.parse(text).job.id as string;
          accepted.push(job);
          await h.call('DELETE', `/v1/jobs/${job}`); // keep the run short: generated jobs are cancelled at once
        }
      }),
      { numRuns: 250, seed: 20261122 },
    );
    for (const j of accepted) await h.waitJob(j);
    // The generators reach past the guards into the handlers, not only the 401/403 wall.
    for (const status of [200, 400, 401, 403, 404]) assert.ok(seen.get(status), `some requests answered ${status}: ${JSON.stringify([...seen])}`);
    assert.equal((await h.call('GET', '/v1/health')).status, 200, 'still up');
    assert.deepEqual(readdirSync(join(root, 'outside')), [], 'nothing written outside the data folder');
    assert.deepEqual(readdirSync(root).sort(), ['data', 'outside']);
  });
});
