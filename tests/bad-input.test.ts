import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ffmpegPath, run } from '../helper/adapters/ffmpeg.ts';
import { fixture, segue, THREE_SCENES, TMP, tmpDir, type CliResult } from './helpers.ts';

/** Every bad input: one clear line on stderr, the documented exit code, earlier output untouched. */

function errorLine(r: CliResult): string {
  const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('segue: '));
  assert.equal(lines.length, 1, `exactly one error line, got: ${r.stderr}`);
  assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
  return lines[0]!;
}

async function expectFailure(args: string[], code: number, pattern: RegExp): Promise<void> {
  const r = await segue(args);
  assert.equal(r.code, code, r.stderr);
  assert.match(errorLine(r), pattern);
}

describe('bad input files', () => {
  const out = () => tmpDir('bad');
  it('missing file', () => expectFailure(['score', join(TMP, 'nope.mp4'), '--out', out()], 3, /no such file/));
  it('a text file that is not a video', async () => {
    const f = join(TMP, 'notes.mp4');
    writeFileSync(f, 'this is not a video\n'.repeat(50));
    await expectFailure(['score', f, '--out', out()], 3, /not a video ffmpeg can read/);
  });
  it('an empty file', async () => {
    const f = join(TMP, 'empty.mp4');
    writeFileSync(f, '');
    await expectFailure(['score', f, '--out', out()], 3, /empty \(0 bytes\)/);
  });
  it('random bytes (a corrupt file)', async () => {
    const f = join(TMP, 'corrupt.mp4');
    const bytes = Buffer.alloc(200_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    writeFileSync(f, bytes);
    await expectFailure(['score', f, '--out', out()], 3, /not a video|no video stream|corrupt/);
  });
  it('an audio file with no video stream', async () => {
    const f = join(TMP, 'tone.m4a');
    await run(ffmpegPath(), ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=d=3', '-c:a', 'aac', f]);
    await expectFailure(['score', f, '--out', out()], 3, /no video stream/);
  });
  it('a one-frame video', async () => {
    const f = join(TMP, 'oneframe.mp4');
    await run(ffmpegPath(), ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=red:s=64x64:r=30', '-frames:v', '1', '-pix_fmt', 'yuv420p', f]);
    await expectFailure(['score', f, '--out', out()], 3, /single frame|at least one second/);
  });
  it('a folder instead of a file', () => expectFailure(['score', TMP, '--out', out()], 3, /is a folder/));
  it('an ffprobe that crashes on the file (the bundled build segfaults on some MPEG-2 transport streams)', async () => {
    const crashing = join(TMP, 'ffprobe-crashing');
    writeFileSync(crashing, '#!/bin/sh\nkill -SEGV $$\n', { mode: 0o755 });
    const r = await segue(['score', await fixture('three-scenes', THREE_SCENES), '--out', out()], { env: { FFPROBE_PATH: crashing } });
    assert.equal(r.code, 3, r.stderr);
    assert.match(errorLine(r), /ffprobe-crashing crashed \(SIGSEGV\) on this file; set FFPROBE_PATH to another build/);
  });
});

describe('bad cut lists and options', () => {
  let video: string;
  before(async () => (video = await fixture('three', THREE_SCENES, { audio: 'tone' })));
  const cases: [string, RegExp][] = [
    ['-5,10', /negative/],
    ['20,10', /increasing order/],
    ['10,10', /listed twice/],
    ['10,45', /beyond the end/],
    ['10,abc', /not a number/],
    ['10,,20', /not a number/],
    ['0,10', /start of the video/],
  ];
  for (const [cuts, pattern] of cases) {
    it(`--cuts ${cuts}`, () => expectFailure(['score', video, '--out', tmpDir('cuts'), '--cuts', cuts], 2, pattern));
  }
  it('--seed -1', () => expectFailure(['score', video, '--seed', '-1'], 2, /--seed/));
  it('--loudness loud', () => expectFailure(['score', video, '--loudness', 'loud'], 2, /--loudness/));
  it('--engine that does not exist', () => expectFailure(['score', video, '--engine', 'magic'], 2, /--engine "magic"/));
  it('an unknown flag', () => expectFailure(['score', video, '--frobnicate'], 2, /frobnicate/));
  it('no video at all', () => expectFailure(['score'], 2, /no video given/));
  it('an unknown command', () => expectFailure(['mix', video], 2, /unknown command/));
  it('a SoundFont that does not exist', () => expectFailure(['score', video, '--out', tmpDir('sf'), '--cuts', '10,20', '--soundfont', join(TMP, 'missing.sf2')], 5, /SoundFont .* could not be read/));
  it('a SoundFont that is not one', async () => {
    const f = join(TMP, 'broken.sf2');
    writeFileSync(f, 'RIFF....sfbkLIST garbage');
    await expectFailure(['score', video, '--out', tmpDir('sf'), '--cuts', '10,20', '--soundfont', f], 5, /not a valid SF2/);
  });
  it('an output folder that cannot be written', async () => {
    const file = join(TMP, 'a-file');
    writeFileSync(file, 'x');
    await expectFailure(['score', video, '--out', join(file, 'out')], 4, /cannot write the output folder .* choose another folder/);
  });
});

describe('earlier output is never lost', () => {
  let video: string;
  let out: string;
  let snapshot: Map<string, Buffer>;
  const files = (dir: string) => [...readdirSync(dir).filter((f) => f.endsWith('.wav') || f.endsWith('.json') || f.endsWith('.mp4')), ...readdirSync(join(dir, 'cues'), { recursive: true, encoding: 'utf8' }).filter((f) => /\.(wav|mid)$/.test(f)).map((f) => `cues/${f}`)];

  before(async () => {
    video = await fixture('three', THREE_SCENES, { audio: 'tone' });
    out = tmpDir('keep');
    const r = await segue(['score', video, '--out', out, '--cuts', '10,20', '--soundfont', 'timgm6mb']);
    assert.equal(r.code, 0, r.stderr);
    snapshot = new Map(files(out).map((f) => [f, readFileSync(join(out, f))]));
  });

  const unchanged = () => {
    assert.deepEqual(files(out).sort(), [...snapshot.keys()].sort());
    for (const [f, bytes] of snapshot) assert.ok(readFileSync(join(out, f)).equals(bytes), `${f} unchanged`);
    assert.deepEqual(readdirSync(out).filter((f) => f.startsWith('.segue')), [], 'no staging folder left');
  };

  it('a failing run into the same folder leaves it as it was', async () => {
    const r = await segue(['score', video, '--out', out, '--cuts', '10,99']);
    assert.equal(r.code, 2);
    unchanged();
  });

  it('Ctrl-C during rendering stops cleanly with exit 130 and leaves it as it was', async () => {
    let sent = false;
    const r = await segue(['score', video, '--out', out, '--cuts', '10,20', '--seed', '4242', '--json'], {
      onStdout: (chunk, kill) => {
        if (!sent && chunk.includes('"stage":"audio"')) {
          sent = true;
          kill('SIGINT');
        }
      },
    });
    assert.ok(sent, 'reached the audio stage');
    assert.equal(r.code, 130, r.stdout + r.stderr);
    assert.match(r.stdout, /"code":"interrupted"/);
    unchanged();
    assert.ok(existsSync(join(out, 'plan.json')));
  });
});
