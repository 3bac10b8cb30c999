import assert from 'node:assert/strict';
import { readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Plan, ProgressEvent } from '../shared/index.ts';
import { ffmpegPath, run } from '../helper/adapters/ffmpeg.ts';
import { readWav, rmsDb, segue, TMP, tmpDir } from './helpers.ts';

/**
 * Awkward but legitimate videos, made with ffmpeg as editors' exports can be: each is scored end
 * to end and must give a plan, audible music and a muxed file, or a clear refusal; never a crash.
 */

const make = async (name: string, args: string[]) => {
  const out = join(TMP, `${name}.mp4`);
  await run(ffmpegPath(), ['-v', 'error', '-nostdin', '-y', ...args, out]);
  return out;
};

async function scoreOk(video: string): Promise<{ plan: Plan; out: string; warnings: string[] }> {
  const out = tmpDir('awkward');
  const r = await segue(['score', video, '--out', out, '--soundfont', 'timgm6mb', '--min-scene', '2', '--json']);
  assert.equal(r.code, 0, r.stdout.slice(-2000) + r.stderr);
  const events = r.stdout.trim().split('\n').map((l) => ProgressEvent.parse(JSON.parse(l)));
  const plan = Plan.parse(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')));
  const mix = readWav(join(out, 'soundtrack.wav')).channels[0]!;
  assert.equal(mix.length, plan.durationSamples);
  assert.ok(rmsDb(mix) > -40, 'music in the soundtrack');
  return { plan, out, warnings: events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message) };
}

const src = (spec: string, seconds: number) => ['-f', 'lavfi', '-i', `${spec}:d=${seconds}`];
const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast'];

describe('awkward videos', () => {
  it('a phone video rotated by metadata: scored, rotation recorded', async () => {
    const plain = await make('unrotated', [...src('testsrc2=s=320x180:r=30', 6), ...x264, '-pix_fmt', 'yuv420p']);
    // ffmpeg writes the display matrix when it copies, not when it encodes.
    const v = await make('rotated', ['-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=90']);
    const { plan } = await scoreOk(v);
    assert.equal(Math.abs(plan.source!.rotation), 90);
  });

  it('odd frame sizes (321x181, 4:4:4)', async () => {
    const v = await make('odd', [...src('testsrc2=s=320x180:r=25', 6), '-vf', 'scale=321:181', ...x264, '-pix_fmt', 'yuv444p']);
    const { plan } = await scoreOk(v);
    assert.deepEqual([plan.source!.width, plan.source!.height], [321, 181]);
  });

  it('interlaced video', async () => {
    const v = await make('interlaced', [...src('testsrc2=s=320x240:r=50', 6), '-vf', 'tinterlace=mode=4', ...x264, '-pix_fmt', 'yuv420p', '-flags', '+ildct+ilme']);
    await scoreOk(v);
  });

  it('variable frame rate: the plan keeps the real duration', async () => {
    const v = await make('vfr', [...src('testsrc2=s=320x180:r=30', 8), '-vf', "select='not(mod(n\\,3))+between(n\\,90\\,150)'", '-vsync', 'vfr', ...x264, '-pix_fmt', 'yuv420p']);
    const { plan } = await scoreOk(v);
    assert.ok(Math.abs(plan.source!.durationSec - 8) < 0.2, `duration ${plan.source!.durationSec}`);
  });

  it('a black, silent video: one scene, music all the same', async () => {
    const v = await make('black', [...src('color=c=black:s=320x180:r=30', 8), '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo', '-t', '8', ...x264, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest']);
    const { plan } = await scoreOk(v);
    assert.equal(plan.scenes.length, 1);
    assert.equal(plan.scenes[0]!.analysis.speech, 0);
  });

  it('a file cut off midway: scores what could be decoded and says so', async () => {
    const v = await make('truncated', [...src('testsrc2=s=320x180:r=30', 12), ...x264, '-pix_fmt', 'yuv420p', '-movflags', '+faststart']);
    truncateSync(v, Math.floor(statSync(v).size * 0.5));
    const { plan, warnings } = await scoreOk(v);
    assert.ok(warnings.some((w) => /could only decode/.test(w)), warnings.join(' | '));
    assert.ok(plan.scenes.every((s) => Number.isFinite(s.analysis.brightness)));
  });
});
