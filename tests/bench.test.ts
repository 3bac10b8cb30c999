import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CACHE, ROOT, tmpDir } from './helpers.ts';

/** The bench's smoke run: one short video through every measure, so `npm run bench` cannot rot. */
describe('npm run bench --smoke', () => {
  it('scores, measures and reports every section, and leaves bench/RESULTS.md alone', async () => {
    const out = tmpDir('bench');
    const results = join(ROOT, 'bench', 'RESULTS.md');
    const before = existsSync(results) ? statSync(results).mtimeMs : null;
    const code = await new Promise<number | null>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/run.ts'), '--smoke', '--out', out], { cwd: ROOT, env: { ...process.env, SEGUE_CACHE_DIR: CACHE }, stdio: 'ignore' });
      p.on('close', resolve);
    });
    assert.equal(code, 0);
    const r = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    assert.equal(r.videos.length, 1);
    const v = r.videos[0];
    // The smoke video has one hard cut at 12 s: detection must find exactly it.
    assert.equal(v.detection.withoutMinScene.f1, 1);
    assert.equal(v.cuts.length, 1);
    for (const k of ['beatErrorSec', 'loudnessJumpLu', 'fluxSpike']) assert.ok(Number.isFinite(v.cuts[0].segue[k]) && Number.isFinite(v.cuts[0].baseline[k]), k);
    for (const c of v.cues) {
      assert.ok(Math.abs(c.I + 16) <= 0.5, `${c.id} loudness by ffmpeg ${c.I}`);
      assert.ok(['same', 'relative', 'fifth', 'parallel', 'other'].includes(c.keyVerdict));
      assert.ok(c.estimatedBpm >= 60 && c.estimatedBpm <= 200);
    }
    assert.ok(v.music.length === 2 && v.music.every((m: { scaleConsistency: number; pitchClassEntropy: number }) => m.scaleConsistency > 0.8 && m.pitchClassEntropy > 1));
    assert.ok(v.run.peakRssMb > 50, 'peak memory measured');
    assert.ok(r.iteration.regenerateCode === 0 && r.iteration.swapCode === 0, 'regenerate and swap ran');
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    for (const section of ['## Targets', '## Transitions by style', '## Note statistics', '## Per video', '## Per cue']) assert.ok(md.includes(section), section);
    for (const svg of ['stages.svg', 'beat-error.svg', 'loudness-jump.svg']) assert.match(readFileSync(join(out, svg), 'utf8'), /^<svg /);
    assert.equal(existsSync(results) ? statSync(results).mtimeMs : null, before, 'RESULTS.md untouched by a smoke run');
  });
});
