import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Plan } from '../shared/index.ts';
import { makeTestVideo } from '../helper/adapters/ffmpeg.ts';
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
