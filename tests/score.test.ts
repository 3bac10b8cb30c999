import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { Plan, ProgressEvent, SAMPLE_RATE } from '../shared/index.ts';
import { BasicMIDI } from 'spessasynth_core';
import { ffmpegPath, run } from '../helper/adapters/ffmpeg.ts';
import { fixture, readWav, rmsDb, segue, streamDurations, THREE_SCENES, tmpDir } from './helpers.ts';

/** The real CLI on a generated video with known cuts; outputs checked against the plan. */
describe('segue score, end to end', () => {
  let out: string;
  let plan: Plan;
  let events: ProgressEvent[];

  before(async () => {
    const video = await fixture('three', THREE_SCENES, { audio: 'tone' });
    out = tmpDir('score');
    const r = await segue(['score', video, '--out', out, '--cuts', '10,20', '--soundfont', 'timgm6mb', '--seed', '7', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    events = r.stdout.trim().split('\n').map((l) => ProgressEvent.parse(JSON.parse(l)));
    plan = Plan.parse(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')));
  });

  it('prints one valid JSON event per line, ending with the result', () => {
    const last = events.at(-1)!;
    assert.equal(last.type, 'result');
    for (const s of ['probe', 'scenes', 'analysis', 'audio', 'mix', 'outputs']) {
      assert.ok(events.some((e) => e.type === 'stage' && e.stage === s && e.status === 'done'), `stage ${s} reported done`);
    }
  });

  it('makes one scene per caller cut, starting exactly at the cut samples', () => {
    assert.deepEqual(plan.scenes.map((s) => [s.scene.startSample, s.scene.endSample]), [[0, 480000], [480000, 960000], [960000, 1440000]]);
    assert.equal(plan.transitions.length, 2);
  });

  it('writes each cue file exactly as long as the plan says, to the sample', () => {
    for (const cue of plan.cues) {
      const w = readWav(join(out, cue.file));
      assert.equal(w.sampleRate, SAMPLE_RATE);
      assert.equal(w.bitsPerSample, 24);
      assert.equal(w.channels[0]!.length, cue.fileSamples, cue.id);
    }
  });

  it('puts every cue body at its cut, a whole number of beats long, so the next cut falls on a beat', () => {
    const sceneCues = plan.cues.filter((c) => c.kind === 'scene');
    assert.equal(sceneCues.length, plan.scenes.length);
    sceneCues.forEach((cue, k) => {
      const s = plan.scenes[k]!.scene;
      const before = plan.transitions[k - 1];
      const after = plan.transitions[k];
      const half = (t: typeof before) => (t?.fade ? t.fade.samples / 2 : t?.bridge ? t.bridge.joinSamples / 2 : 0);
      const start = before?.bridge?.endSample ?? s.startSample;
      const end = after?.bridge?.startSample ?? s.endSample;
      assert.equal(cue.timelineIn, start - half(before), `${cue.id} in`);
      assert.equal(cue.timelineOut, end + half(after), `${cue.id} out`);
      assert.ok(Math.abs(cue.grid.bodyBeats * cue.grid.samplesPerBeat - (end - start)) < 1e-6, `${cue.id} whole beats`);
    });
    for (const cue of plan.cues.filter((c) => c.kind === 'bridge')) {
      const t = plan.transitions[cue.cut!]!;
      assert.equal(t.style, 'bridge');
      assert.equal(cue.timelineIn, t.bridge!.startSample - t.bridge!.joinSamples / 2);
      assert.equal(cue.grid.bodyBeats, t.bridge!.preBeats + t.bridge!.postBeats);
    }
  });

  it('has music in every scene of the mixed soundtrack, which is exactly as long as the video', () => {
    const mix = readWav(join(out, 'soundtrack.wav'));
    assert.equal(mix.channels[0]!.length, plan.durationSamples);
    assert.equal(plan.durationSamples, 30 * SAMPLE_RATE);
    for (const s of plan.scenes) {
      const mid = (s.scene.startSample + s.scene.endSample) >> 1;
      assert.ok(rmsDb(mix.channels[0]!, mid - SAMPLE_RATE, mid + SAMPLE_RATE) > -45, `music in scene ${s.scene.index + 1}`);
    }
  });

  it('normalises each cue body to -16 LUFS within 0.5 LU and keeps true peak at or below -1 dBTP (ffmpeg ebur128)', async () => {
    for (const cue of plan.cues) {
      const from = cue.handles.head / SAMPLE_RATE;
      const to = (cue.fileSamples - cue.handles.tail) / SAMPLE_RATE;
      const r = await run(ffmpegPath(), ['-hide_banner', '-nostats', '-i', join(out, cue.file), '-af', `atrim=${from}:${to},ebur128=peak=true`, '-f', 'null', '-']);
      const text = r.stderr;
      const I = Number(/I:\s+(-?[\d.]+) LUFS/.exec(text.slice(text.lastIndexOf('Summary')))![1]);
      const peak = Number(/Peak:\s+(-?[\d.]+) dBFS/.exec(text.slice(text.lastIndexOf('Summary')))![1]);
      assert.ok(Math.abs(I - -16) <= 0.5, `${cue.id}: integrated ${I} LUFS`);
      assert.ok(peak <= -1.0, `${cue.id}: true peak ${peak} dBTP`);
    }
  });

  it('muxes the video with an audio track as long as its picture', async () => {
    const d = await streamDurations(join(out, 'three.scored.mp4'));
    assert.ok(Math.abs(d.video - 30) < 1e-3, `video ${d.video}`);
    assert.ok(Math.abs(d.audio - d.video) <= 1 / 30, `audio ${d.audio} vs video ${d.video}`);
  });

  it('leaves no staging folder behind', () => {
    assert.deepEqual(readdirSync(out).filter((f) => f.startsWith('.segue')), []);
  });

  it('re-running with the same inputs and seed renders nothing and gives identical bytes', async () => {
    const again = tmpDir('again');
    const video = await fixture('three', THREE_SCENES, { audio: 'tone' });
    const r = await segue(['score', video, '--out', again, '--cuts', '10,20', '--soundfont', 'timgm6mb', '--seed', '7', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const evs = r.stdout.trim().split('\n').map((l) => ProgressEvent.parse(JSON.parse(l)));
    const progress = evs.filter((e) => e.type === 'stage' && e.stage === 'audio' && e.status === 'progress');
    assert.equal(progress.length, plan.cues.length);
    assert.ok(progress.every((e) => e.type === 'stage' && e.message.endsWith('(cached)')));
    assert.ok(evs.some((e) => e.type === 'stage' && e.stage === 'scenes' && e.cached === true), 'frame analysis came from the cache');
    for (const cue of plan.cues) assert.ok(readFileSync(join(out, cue.file)).equals(readFileSync(join(again, cue.file))), cue.id);
    assert.ok(readFileSync(join(out, 'soundtrack.wav')).equals(readFileSync(join(again, 'soundtrack.wav'))));
  });

  it('a different seed writes different music', async () => {
    const other = tmpDir('seed');
    const video = await fixture('three', THREE_SCENES, { audio: 'tone' });
    const r = await segue(['score', video, '--out', other, '--cuts', '10,20', '--soundfont', 'timgm6mb', '--seed', '8', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!readFileSync(join(out, 'soundtrack.wav')).equals(readFileSync(join(other, 'soundtrack.wav'))));
  });
});

describe('segue score without cuts', () => {
  it('finds the hard cuts of a generated video by content detection, to the frame', async () => {
    const video = await fixture('detect', [
      { seconds: 9, source: 'color=c=0x102040' },
      { seconds: 9, source: 'color=c=0xe0c080' },
      { seconds: 9, source: 'testsrc2' },
    ]);
    const out = tmpDir('detect');
    const r = await segue(['score', video, '--out', out, '--soundfont', 'timgm6mb', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const plan = Plan.parse(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')));
    assert.deepEqual(plan.scenes.map((s) => s.scene.start), [0, 9, 18]);
    assert.ok(plan.scenes.every((s) => s.scene.origin === 'detected'));
  });
});

describe('segue score --keep-original-audio', () => {
  /** Strength of a 220 Hz component (the fixture's own sound) in the muxed AAC audio, by Goertzel. */
  async function toneLevel(mp4: string): Promise<number> {
    const r = await run(ffmpegPath(), ['-v', 'error', '-i', mp4, '-map', '0:a:0', '-ac', '1', '-ar', '48000', '-f', 'f32le', '-']);
    const x = new Float32Array(r.stdout.buffer.slice(r.stdout.byteOffset, r.stdout.byteOffset + r.stdout.byteLength));
    let re = 0;
    let im = 0;
    for (let i = 0; i < x.length; i++) {
      const ph = (2 * Math.PI * 220 * i) / SAMPLE_RATE;
      re += x[i]! * Math.cos(ph);
      im += x[i]! * Math.sin(ph);
    }
    return (2 * Math.hypot(re, im)) / x.length;
  }

  it('keeps the original sound under the music only when asked', async () => {
    const video = await fixture('three', THREE_SCENES, { audio: 'tone' });
    const args = (out: string) => ['score', video, '--out', out, '--cuts', '10,20', '--soundfont', 'timgm6mb', '--seed', '7'];
    const plain = tmpDir('plain');
    const kept = tmpDir('kept');
    assert.equal((await segue(args(plain))).code, 0);
    assert.equal((await segue([...args(kept), '--keep-original-audio'])).code, 0);
    const without = await toneLevel(join(plain, 'three.scored.mp4'));
    const withOriginal = await toneLevel(join(kept, 'three.scored.mp4'));
    // The fixture's tone is a 220 Hz sine at amplitude 1/8, kept at -3 dB: about 0.088.
    assert.ok(withOriginal > 0.06, `tone kept: ${withOriginal}`);
    assert.ok(without < 0.02, `tone absent without the flag: ${without}`);
    const d = await streamDurations(join(kept, 'three.scored.mp4'));
    assert.ok(Math.abs(d.audio - d.video) <= 1 / 30, `audio ${d.audio} vs video ${d.video}`);
  });
});

describe('segue score --stems, and the MIDI beside every cue', () => {
  let out: string;
  let plan: Plan;
  before(async () => {
    const video = await fixture('three', THREE_SCENES, { audio: 'tone' });
    out = tmpDir('stems');
    const r = await segue(['score', video, '--out', out, '--cuts', '10,20', '--soundfont', 'timgm6mb', '--seed', '7', '--stems']);
    assert.equal(r.code, 0, r.stderr);
    plan = Plan.parse(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')));
  });

  it('writes stems per instrument group that sum to the cue within two 24-bit steps', () => {
    for (const cue of plan.cues) {
      const mix = readWav(join(out, cue.file)).channels;
      const files = Object.values(cue.stems ?? {});
      assert.ok(files.length >= 2, `${cue.id} has stems`);
      const sum = mix.map((c) => new Float32Array(c.length));
      for (const f of files) readWav(join(out, f)).channels.forEach((c, ch) => c.forEach((x, i) => (sum[ch]![i]! += x)));
      let worst = 0;
      sum.forEach((c, ch) => c.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - mix[ch]![i]!)))));
      assert.ok(worst <= 2 ** -22, `${cue.id}: stems differ from the cue by ${worst}`);
    }
  });

  it('writes MIDI that a MIDI reader times exactly like the audio: same length, beat 0 and the cut where the WAV has them', () => {
    for (const cue of plan.cues) {
      const b = readFileSync(join(out, cue.midiFile!));
      const midi = BasicMIDI.fromArrayBuffer(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
      const head = Math.round(readHeadBeats(cue));
      const seconds = (beat: number) => midi.midiTicksToSeconds((beat + head) * midi.timeDivision);
      const t = cue.kind === 'bridge' ? plan.transitions[cue.cut!]! : null;
      // File sample of beat 0: the body's first beat (a scene's span start, a bridge's start).
      const beat0 = cue.handles.head + ((t ? t.bridge!.startSample : spanStart(cue)) - cue.timelineIn);
      assert.ok(Math.abs(seconds(0) * SAMPLE_RATE - beat0) < 2, `${cue.id}: beat 0 at ${seconds(0) * SAMPLE_RATE} vs ${beat0}`);
      if (t) {
        const cutInFile = cue.handles.head + (t.atSample - cue.timelineIn);
        assert.ok(Math.abs(seconds(t.bridge!.preBeats) * SAMPLE_RATE - cutInFile) < 3, `${cue.id}: the cut's downbeat`);
      }
    }
  });

  /** The head handle in beats: whole bars of the cue's own grid ahead of beat 0. */
  function readHeadBeats(cue: Plan['cues'][number]): number {
    const t = cue.kind === 'bridge' ? plan.transitions[cue.cut!]! : null;
    const start = t ? t.bridge!.startSample : spanStart(cue);
    const spb = t ? (60 / plan.scenes[cue.cut!]!.prompt.bpm) * SAMPLE_RATE : cue.grid.samplesPerBeat;
    return (cue.handles.head + (start - cue.timelineIn)) / spb;
  }

  function spanStart(cue: Plan['cues'][number]): number {
    const k = cue.scene!;
    return plan.transitions[k - 1]?.bridge?.endSample ?? plan.scenes[k]!.scene.startSample;
  }
});
