import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { Plan } from '../shared/index.ts';
import { asSegueError, EXIT, OutputError } from '../helper/errors.ts';
import { fixture, readWav, segue, THREE_SCENES, tmpDir } from './helpers.ts';

/**
 * Crashes and the file system (issue 14, items 4 and 8): a run killed in the middle of its commit
 * is completed by the next writer, so the folder always holds one whole run; staging folders of dead
 * processes go; a full disk, an unwritable cache or output folder is exit 4 with one line; bad
 * --out values, file names that look like flags, absurdly short scenes and hostile plans are
 * handled before any work is done.
 */

describe('crash consistency and file-system errors', () => {
  let video: string;
  const planOf = (dir: string) => Plan.parse(JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')));
  /** Every file plan.json names is there and as long as the plan says. */
  const whole = (dir: string) => {
    const p = planOf(dir);
    for (const c of p.cues) assert.equal(readWav(join(dir, c.file)).channels[0]!.length, c.fileSamples, `${c.file} is whole`);
    for (const t of p.takes) assert.ok(existsSync(join(dir, t.file)), `${t.file} exists`);
    return p;
  };
  const staging = (dir: string) => readdirSync(dir).filter((d) => d.startsWith('.segue-staging-'));

  before(async () => {
    video = await fixture('three-robust', THREE_SCENES, { audio: 'tone' });
  });

  it('a run killed in the middle of its commit is completed by the next one; the folder never mixes two runs', async () => {
    const out = tmpDir('crash');
    assert.equal((await segue(['score', video, '--out', out, '--cuts', '10,20', '--soundfont', 'timgm6mb'])).code, 0);
    const p0 = whole(out);
    const killed = await segue(['regenerate', out, '--scene', '2'], { env: { SEGUE_TEST_KILL_IN_COMMIT: '1' } });
    assert.equal(killed.code, null, 'the process was killed');
    // Before anyone recovers it: still the old run, whole, and its staging folder with the journal.
    assert.deepEqual(whole(out).cues, p0.cues);
    assert.equal(staging(out).length, 1);
    // The next edit finishes the killed commit first, then does its own.
    const next = await segue(['transition', out, '--cut', '1', '--style', 'fade']);
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stderr, /completed 1 commit/);
    const p = whole(out);
    assert.equal(p.cues.find((c) => c.id === 'scene-2')!.take > p0.cues.find((c) => c.id === 'scene-2')!.take, true, 'the killed regenerate landed');
    assert.equal(p.transitions[0]!.style, 'fade', 'and so did the edit after it');
    assert.deepEqual(staging(out), []);
  });

  it('a staging folder a dead process left before its commit is removed, changing nothing', async () => {
    const out = tmpDir('stale');
    assert.equal((await segue(['score', video, '--out', out, '--cuts', '10,20', '--soundfont', 'timgm6mb'])).code, 0);
    mkdirSync(join(out, '.segue-staging-999999', 'cues'), { recursive: true });
    writeFileSync(join(out, '.segue-staging-999999', 'plan.json'), '{"half": "written"');
    const before = readFileSync(join(out, 'plan.json'));
    assert.equal((await segue(['transition', out, '--cut', '2', '--style', 'abrupt-cut'])).code, 0);
    assert.deepEqual(staging(out), []);
    assert.notDeepEqual(readFileSync(join(out, 'plan.json')), before);
    whole(out);
  });

  it('an unwritable cache or output folder is exit 4 with one clear line, at once', { timeout: 60_000 }, async () => {
    const cache = await segue(['score', video, '--out', tmpDir('nocache')], { env: { SEGUE_CACHE_DIR: '/proc/segue-cache' } });
    assert.equal(cache.code, EXIT.output, cache.stderr);
    assert.match(cache.stderr, /^segue: cannot write the cache folder \/proc\/segue-cache \(ENOENT\); set SEGUE_CACHE_DIR to a writable folder/m);
    // Node's recursive mkdir spins forever under /proc; this must fail, not hang.
    const proc = await segue(['score', video, '--out', '/proc/segue-out']);
    assert.equal(proc.code, EXIT.output, proc.stderr);
    assert.match(proc.stderr, /cannot write the output folder \/proc\/segue-out/);
    const empty = await segue(['score', video, '--out', '']);
    assert.equal(empty.code, EXIT.usage);
    assert.match(empty.stderr, /--out is empty/);
  });

  it('a full disk mid-run is an output error (exit 4) that says what to do, from any thread', () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/media/cache/cues/x.wav' });
    const e = asSegueError(full);
    assert.ok(e instanceof OutputError);
    assert.equal(e.exitCode, 4);
    assert.match(e.message, /cannot write \/media\/cache\/cues\/x\.wav: the disk is full \(ENOSPC\); free some space or choose another folder/);
    assert.equal(asSegueError(new TypeError('x')), null, 'a bug stays an internal error');
  });

  it('a video whose name starts with "-" scores when given after --; a scene under half a second is refused before any work', async () => {
    const dir = tmpDir('dash');
    copyFileSync(video, join(dir, '-take 3.mp4'));
    const r = await segue(['score', '--out', join(dir, 'out'), '--cuts', '10,20', '--soundfont', 'timgm6mb', '--', '-take 3.mp4'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const t0 = Date.now();
    const short = await segue(['score', video, '--out', join(dir, 'short'), '--cuts', '10,10.2', '--min-scene', '0']);
    assert.equal(short.code, EXIT.usage);
    assert.match(short.stderr, /scene 2 \(10\.00 to 10\.20 s\) would be 0\.20 s long; music needs at least 0\.5 s per scene/);
    assert.ok(!existsSync(join(dir, 'short', 'plan.json')));
    assert.ok(Date.now() - t0 < 30_000);
  });

  it('takes shows what a hostile plan holds without sending its escape codes to the terminal', async () => {
    const out = tmpDir('escape');
    assert.equal((await segue(['score', video, '--out', out, '--cuts', '10,20', '--soundfont', 'timgm6mb'])).code, 0);
    const raw = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8'));
    const evil = 'cues/x\u001b]0;owned\u0007\u001b[2J.wav';
    copyFileSync(join(out, raw.cues[0].file), join(out, evil));
    for (const t of raw.takes) if (t.file === raw.cues[0].file) t.file = evil;
    raw.cues[0].file = evil;
    writeFileSync(join(out, 'plan.json'), JSON.stringify(raw));
    const r = await segue(['takes', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(r.stdout), 'no control characters reach the terminal');
    assert.match(r.stdout, /cues\/x\\x1b\]0;owned\\x07\\x1b\[2J\.wav/);
  });
});
