import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Plan, ProjectList } from '../shared/index.ts';
import { sequenceFromVideo } from '../scripts/demo-sequence.ts';
import { CACHE, fixture, THREE_SCENES, tmpDir } from './helpers.ts';
import { startServe } from '../scripts/serve-client.ts';

/**
 * kill -9 of the helper while it renders a score: after a restart every project is listed intact,
 * the cut-off job is reported interrupted, nothing half-written is visible (stale staging folders
 * are removed), and retrying the job completes the score.
 */

describe('segue serve after kill -9', () => {
  it('restarts with projects intact, the job interrupted and retryable', async () => {
    const data = tmpDir('crash');
    const env = { SEGUE_CACHE_DIR: tmpDir('crash-cache') }; // a cold cache, so the score is still rendering when killed
    const seq = await sequenceFromVideo(await fixture('three', THREE_SCENES), [10, 20], 30, { stillsPerScene: 1 });
    let h = await startServe(data, ['--quiet'], env);
    const c = await h.call('POST', '/v1/projects', seq);
    const id = c.json.project as string;
    assert.equal((await h.waitJob(c.json.job.id)).state, 'done');
    const dir = join(data, 'projects', id);
    const s = await h.call('POST', `/v1/projects/${id}/score`, {});
    const jobId = s.json.job.id as string;
    // Kill as soon as rendering is under way (a staging folder exists and no cue has been committed).
    for (let i = 0; ; i++) {
      const j = (await h.call('GET', `/v1/jobs/${jobId}`)).json;
      if (j.stage === 'audio') break;
      assert.ok(i < 2000 && j.state !== 'done', 'the score was still running when killed');
      await new Promise((x) => setTimeout(x, 5));
    }
    h.proc.kill('SIGKILL');
    await new Promise((x) => h.proc.once('exit', x));
    assert.ok(readdirSync(dir).some((f) => f.startsWith('.segue-staging-')), 'the kill left a staging folder behind');

    h = await startServe(data, ['--quiet'], env);
    try {
      assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.segue-staging-')), [], 'removed on start');
      const list = ProjectList.parse((await h.call('GET', '/v1/projects')).json);
      const p = list.projects.find((x) => x.id === id)!;
      assert.equal(p.state, 'created', 'the analysed project is intact and shows no half-made score');
      assert.equal(Plan.parse((await h.call('GET', `/v1/projects/${id}/plan`)).json).cues.length, 0);
      assert.ok(!existsSync(join(dir, 'cues')) || readdirSync(join(dir, 'cues')).filter((f) => f.endsWith('.wav')).length === 0, 'no cue file visible');
      const job = (await h.call('GET', `/v1/jobs/${jobId}`)).json;
      assert.equal(job.state, 'interrupted');
      const retry = await h.call('POST', `/v1/jobs/${jobId}/retry`);
      assert.equal(retry.status, 202);
      assert.equal(retry.json.job.retryOf, jobId);
      assert.equal((await h.waitJob(retry.json.job.id)).state, 'done');
      const plan = Plan.parse((await h.call('GET', `/v1/projects/${id}/plan`)).json);
      assert.ok(plan.cues.length >= 3);
      for (const cue of plan.cues) assert.ok(existsSync(join(dir, cue.file)), cue.file);
      assert.equal((await h.call('POST', `/v1/jobs/${retry.json.job.id}/retry`)).status, 409, 'a finished job is not run again');
    } finally {
      await h.stop();
    }
  });
});
