import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Health, Plan, type CreateProject, type Job } from '../shared/index.ts';
import { sequenceFromVideo } from '../scripts/demo-sequence.ts';
import { CACHE, fixture, THREE_SCENES, tmpDir } from './helpers.ts';
import { startServe, type Served } from '../scripts/serve-client.ts';

/**
 * 50 clients at once on loopback, each creating a project, scoring it and swapping a transition,
 * polling as a panel does and honouring 429's Retry-After. The queue bound must hold throughout,
 * every client must get its answers, and no job may be lost or run twice.
 */

const CLIENTS = 50;
const LIMIT = 12;

describe('segue serve under load', () => {
  let h: Served;
  let data: string;
  let seq: CreateProject;
  before(async () => {
    data = tmpDir('load');
    seq = await sequenceFromVideo(await fixture('three', THREE_SCENES), [10, 20], 30, { stillsPerScene: 1 });
    h = await startServe(data, ['--quiet', '--queue-limit', String(LIMIT)], { SEGUE_CACHE_DIR: CACHE });
  });
  after(async () => {
    await h.stop();
  });

  it(`${CLIENTS} concurrent clients: bounded queue, every job done exactly once`, async () => {
    let refused = 0;
    let maxDepth = 0;
    const submitted: string[] = [];
    /** Submits, retrying on 429 after the Retry-After the helper asked for; then waits for the job. */
    async function run(method: string, path: string, body: unknown): Promise<Job & { project: string }> {
      for (;;) {
        const r = await h.call(method, path, body);
        if (r.status === 429) {
          refused++;
          const wait = Number(r.headers.get('retry-after'));
          assert.ok(wait >= 1, 'a 429 says when to retry');
          await new Promise((x) => setTimeout(x, wait * 1000 * Math.random()));
          continue;
        }
        assert.equal(r.status, 202, JSON.stringify(r.json));
        submitted.push(r.json.job.id);
        const job = await h.waitJob(r.json.job.id, 240_000);
        assert.equal(job.state, 'done', JSON.stringify(job.error));
        return { ...job, project: r.json.project };
      }
    }
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const q = Health.parse((await h.call('GET', '/v1/health')).json).queue;
        maxDepth = Math.max(maxDepth, q.running + q.queued);
        await new Promise((x) => setTimeout(x, 25));
      }
    })();
    const projects = await Promise.all(Array.from({ length: CLIENTS }, async (_, i) => {
      const created = await run('POST', '/v1/projects', { ...seq, name: `load ${i}` });
      await run('POST', `/v1/projects/${created.project}/score`, {});
      await run('POST', `/v1/projects/${created.project}/cuts/1/transition`, { style: 'fade', beats: 2 });
      return created.project;
    }));
    watching = false;
    await watcher;

    assert.ok(refused > 0, 'the bound was reached (some requests were answered 429)');
    assert.ok(maxDepth <= LIMIT, `queued + running never exceeded ${LIMIT} (max ${maxDepth})`);
    assert.equal(new Set(projects).size, CLIENTS);
    assert.equal(new Set(submitted).size, CLIENTS * 3, 'one job per accepted request');
    assert.equal(readdirSync(join(data, 'jobs')).length, CLIENTS * 3, 'every job on record');
    for (const id of projects) {
      const p = Plan.parse((await h.call('GET', `/v1/projects/${id}/plan`)).json);
      assert.equal(p.transitions[0]!.style, 'fade', `${id}: its edit is there`);
      // Ran once each: one score take per cue id, and the swap's takes made once.
      const scoreTakes = p.takes.filter((t) => t.reason === 'score');
      assert.equal(new Set(scoreTakes.map((t) => t.cue)).size, scoreTakes.length, `${id}: scored once`);
      const swapTakes = p.takes.filter((t) => t.reason === 'transition');
      assert.equal(new Set(swapTakes.map((t) => t.cue)).size, swapTakes.length, `${id}: swapped once`);
    }
  });
});
