import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Plan } from '../shared/index.ts';
import { makeTestVideo } from '../helper/adapters/ffmpeg.ts';
import { decodeWav } from '../helper/core/wav.ts';
import { segue, TMP, tmpDir } from './helpers.ts';

/** Dialogue: the WebRTC VAD (WebAssembly) on the original sound, and what the plan does with it. */
describe('dialogue in the original sound', () => {
  it('finds the voice where it speaks, not in a steady tone, and keeps the music under it', async () => {
    const video = join(TMP, 'dialogue.mp4');
    await makeTestVideo([
      { seconds: 10, source: 'color=c=0x101830' },
      { seconds: 10, source: 'color=c=0x182040' },
      { seconds: 10, source: 'testsrc2' },
    ], video, { width: 320, height: 180, fps: 30, audio: { speech: [[1, 9], [11, 19]] } });
    const out = tmpDir('dialogue');
    const r = await segue(['score', video, '--out', out, '--cuts', '10,20', '--soundfont', 'timgm6mb']);
    assert.equal(r.code, 0, r.stderr);
    const plan = Plan.parse(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')));
    const [a, b, c] = plan.scenes.map((s) => s.analysis);
    assert.ok(a!.speech! >= 0.7 && b!.speech! >= 0.7, `speech in scenes 1 and 2: ${a!.speech}, ${b!.speech}`);
    assert.equal(c!.speech, 0);
    // Per second: speech inside the voice window, none in its first second before it starts.
    assert.equal(a!.curve.speech[0], 0);
    assert.ok(a!.curve.speech.slice(2, 8).every((x) => x > 0.5), a!.curve.speech.join(' '));
    assert.match(a!.caption, /dialogue/);
    assert.equal(plan.transitions[0]!.style, 'fade');
    assert.match(plan.transitions[0]!.reason, /dialogue runs across the cut/);
  });

  it('keeps the music from changing abruptly under a voice across a cut where the picture\'s energy jumps, and lowers it there', async () => {
    // A still, dark scene cut against a storm of motion: without a voice the energy jump cuts the music.
    const scenes = [
      { seconds: 10, source: 'color=c=0x101830' },
      { seconds: 10, source: 'testsrc2', filter: 'noise=alls=80:allf=t,hue=H=6*PI*t' },
    ];
    const run = async (name: string, audio: { speech: [number, number][] } | 'none') => {
      const video = join(TMP, `${name}.mp4`);
      await makeTestVideo(scenes, video, { width: 320, height: 180, fps: 30, audio });
      const out = tmpDir(name);
      const r = await segue(['score', video, '--out', out, '--cuts', '10', '--soundfont', 'timgm6mb']);
      assert.equal(r.code, 0, r.stderr);
      return { out, plan: Plan.parse(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8'))) };
    };
    const silent = await run('energy-jump', 'none');
    const spoken = await run('energy-jump-voice', { speech: [[2, 18]] });
    const [a, b] = spoken.plan.scenes.map((s) => s.analysis);
    assert.ok(b!.arousal - a!.arousal > 0.7, `the picture's energy jumps: ${a!.arousal} -> ${b!.arousal}`);
    assert.equal(silent.plan.transitions[0]!.style, 'abrupt-cut', 'without a voice the music cuts with the picture');
    assert.equal(silent.plan.transitions[0]!.duck, null);
    const t = spoken.plan.transitions[0]!;
    assert.ok(t.style === 'bridge' || t.style === 'fade', `under the voice: ${t.style}`);
    assert.match(t.reason, /dialogue runs across the cut/);
    assert.ok(t.duck && t.duck.db >= 3 && t.duck.db <= 6, 'a few dB lower');
    // The mix is that much lower over the change than just before the duck starts to ramp down.
    const mix = decodeWav(readFileSync(join(spoken.out, spoken.plan.outputs.mix!)));
    const rms = (from: number, to: number) => {
      let e = 0;
      for (const c of mix.channels) for (let i = from; i < to; i++) e += c[i]! * c[i]!;
      return 10 * Math.log10(e / ((to - from) * mix.channels.length));
    };
    const d = t.duck;
    const held = rms(d.startSample, d.endSample);
    const before = rms(d.startSample - d.rampSamples - (d.endSample - d.startSample), d.startSample - d.rampSamples);
    assert.ok(before - held > 2, `the music under the change is ${(before - held).toFixed(1)} dB lower than before it`);
  });

  it('reports no measurement (null) for a video without sound, and none for a steady tone', async () => {
    const silent = join(TMP, 'no-sound.mp4');
    const tone = join(TMP, 'tone.mp4');
    await makeTestVideo([{ seconds: 10, source: 'color=c=0x101830' }], silent, { width: 320, height: 180, fps: 30, audio: 'none' });
    await makeTestVideo([{ seconds: 10, source: 'color=c=0x101830' }], tone, { width: 320, height: 180, fps: 30, audio: 'tone' });
    for (const [video, expected] of [[silent, null], [tone, 0]] as const) {
      const out = tmpDir('nosound');
      const r = await segue(['score', video, '--out', out, '--soundfont', 'timgm6mb']);
      assert.equal(r.code, 0, r.stderr);
      const plan = Plan.parse(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')));
      assert.equal(plan.scenes[0]!.analysis.speech, expected);
    }
  });
});
