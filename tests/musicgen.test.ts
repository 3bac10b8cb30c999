import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { openMusicGen, type MusicGenModel, type TextState } from '../helper/adapters/musicgen.ts';
import { Rng } from '../helper/core/compose/rng.ts';
import { columnToken, guide, sampleTopK, slerpRows } from '../helper/core/musicgen.ts';
import { resample } from '../helper/core/resample.ts';
import { estimateTempo, onsetEnvelope } from '../helper/core/beats.ts';
import { stretchAudio } from '../helper/adapters/ffmpeg.ts';
import { fitGrid, fitTempo, type CueJob } from '../helper/core/layout.ts';
import { fitToGrid } from '../helper/pipeline/render-neural.ts';
import { writeTinyMusicgen } from '../scripts/tiny-musicgen.ts';
import { Accepted, Health, Plan } from '../shared/index.ts';
import { startServe } from '../scripts/serve-client.ts';
import { CACHE, fixture, readWav, segue, THREE_SCENES, tmpDir } from './helpers.ts';

/**
 * The neural engine's runtime (issue 13): MusicGen's delay pattern, guidance, seeded top-k sampling
 * and prompt interpolation (pure), and the tiny MusicGen folder from scripts/ run on onnxruntime-node
 * as a transformers.js export is: windows of the model's length joined by continuation, exact frame
 * and sample counts, a take reproducible from its seed, and every broken folder refused by name.
 */

describe('MusicGen decoding rules', () => {
  it('delays codebook k by k columns after the start column', () => {
    const table = [0, 1, 2, 3].map((k) => Array.from({ length: 7 }, (_, c) => columnToken(k, c, [[], [], [], []], 3)));
    assert.deepEqual(table, [
      ['pad', 'sample', 'sample', 'sample', 'pad', 'pad', 'pad'],
      ['pad', 'pad', 'sample', 'sample', 'sample', 'pad', 'pad'],
      ['pad', 'pad', 'pad', 'sample', 'sample', 'sample', 'pad'],
      ['pad', 'pad', 'pad', 'pad', 'sample', 'sample', 'sample'],
    ]);
    // A continuation's prompt frames are given, not drawn.
    assert.equal(columnToken(2, 3, [[5], [6], [7], [8]], 3), 7);
    assert.equal(columnToken(2, 4, [[5], [6], [7], [8]], 3), 'sample');
  });
  it('guides from the unconditional logits towards the conditional ones, and samples only the top k, reproducibly', () => {
    assert.deepEqual([...guide(Float32Array.from([1, 0]), Float32Array.from([0, 0]), 3)], [3, 0]);
    const logits = Float32Array.from([0, 5, 4, -1, 3]);
    const draws = (seed: number) => Array.from({ length: 200 }, ((r) => () => sampleTopK(logits, 2, 1, r))(new Rng(seed)));
    assert.deepEqual(new Set(draws(1)), new Set([1, 2]), 'only the two most likely');
    assert.deepEqual(draws(4), draws(4), 'same seed, same draws');
  });
  it('resamples 32 kHz to 48 kHz: exact length, the same waveform', () => {
    const x = Float32Array.from({ length: 32000 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / 32000));
    const y = resample(x, 32000, 48000);
    assert.equal(y.length, 48000);
    let err = 0;
    for (let i = 2000; i < 46000; i++) err = Math.max(err, Math.abs(y[i]! - Math.sin((2 * Math.PI * 1000 * i) / 48000)));
    assert.ok(err < 2e-3, `max error ${err}`);
  });
  it('time-stretches with Rubber Band: a 120 BPM click train at tempo 1.05 is heard at 126 BPM, 1/1.05 as long', async () => {
    const x = new Float32Array(48000 * 12);
    for (let b = 0; b < 24; b++) for (let i = 0; i < 2000; i++) x[b * 24000 + i] = Math.exp(-i / 300) * Math.sin(i * 0.3);
    assert.equal(estimateTempo(onsetEnvelope(x)), 120);
    const y = await stretchAudio(x, 48000, 1.05);
    assert.ok(Math.abs(y.length - x.length / 1.05) < 0.01 * x.length, `${y.length}`);
    assert.ok(Math.abs(estimateTempo(onsetEnvelope(y)) - 126) <= 1);
  });
  it('interpolates prompts on the sphere: the ends are the prompts, the middle keeps its length', () => {
    const a = Float32Array.from([2, 0, 0, 1]);
    const b = Float32Array.from([0, 4, 1, 0]);
    assert.deepEqual([...slerpRows(a, b, 2, 0)].map((x) => +x.toFixed(6)), [2, 0, 0, 1]);
    assert.deepEqual([...slerpRows(a, b, 2, 1)].map((x) => +x.toFixed(6)), [0, 4, 1, 0]);
    const mid = slerpRows(a, b, 2, 0.5);
    assert.ok(Math.abs(Math.hypot(mid[0]!, mid[1]!) - 3) < 1e-5, 'length between 2 and 4');
    assert.ok(Math.abs(mid[0]! / 3 - Math.SQRT1_2) < 1e-5 && Math.abs(mid[1]! / 3 - Math.SQRT1_2) < 1e-5, 'direction halfway (45 degrees)');
  });
});

describe('generated audio fitted to the plan\'s grid', () => {
  const SR = 48000;
  const clicks = (bpm: number, seconds: number, from = 0.31) => {
    const x = new Float32Array(SR * seconds);
    for (let t = from; t < seconds - 0.1; t += 60 / bpm) for (let i = 0; i < 1500; i++) x[Math.round(t * SR) + i] = Math.exp(-i / 200) * Math.sin(i * 0.4);
    return x;
  };
  /** A 10 s scene cue planned at 95 BPM in 4/4 (fitted to 96: four bars), with a bar of handle each side. */
  const grid = fitGrid(10 * SR, 95, 4);
  const head = Math.round(4 * grid.samplesPerBeat);
  const job: CueJob = {
    id: 'scene-1',
    composition: { kind: 'scene', spec: { style: 'cinematic', key: { tonic: 'D', mode: 'minor' }, bpm: grid.bpm, beatsPerBar: 4, bodyBeats: grid.bodyBeats, headBeats: 4, tailBeats: 4, energyCurve: [0.5], motion: 0.3, seed: 1, ending: 'continue', releaseBeats: 0, intro: false } },
    neural: { kind: 'scene', prompt: 'x', bpm: grid.bpm },
    render: { originSample: head, samplesPerBeat: grid.samplesPerBeat, beatPositions: null, tailSamplesPerBeat: grid.samplesPerBeat, totalSamples: head * 2 + 10 * SR },
    master: { targetLufs: -16, ceilingDbtp: -1, bodyStart: head, bodyEnd: head + 10 * SR, fadeIn: null, fadeOut: null, release: null },
    soundFont: 'timgm6mb', stems: false,
  };
  /** Where each click of the file starts (a rise past half the peak after quiet). */
  const onsets = (x: Float32Array) => {
    const peak = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const at: number[] = [];
    for (let i = 1; i < x.length; i++) if (Math.abs(x[i]!) > peak / 2 && (at.length === 0 || i - at[at.length - 1]! > SR / 10)) at.push(i);
    return at;
  };
  /** The largest distance (ms) from a beat of the body to the nearest click. */
  const worstBeat = (x: Float32Array, g: { samplesPerBeat: number; bodyBeats: number }) => {
    const o = onsets(x);
    return Math.max(...Array.from({ length: g.bodyBeats + 1 }, (_, k) => Math.min(...o.map((t) => Math.abs(t - (head + k * g.samplesPerBeat)))) / SR * 1000));
  };

  it('decides: a few percent off is stretched onto the grid; far off, a scene\'s grid follows the music in whole bars; a bridge never moves', () => {
    const near = fitTempo(98, grid, true);
    assert.equal(near.changed, false);
    assert.ok(Math.abs(near.stretch - grid.bpm / 98) < 1e-9);
    assert.equal(fitTempo(192.5, grid, true).stretch, 1, 'twice the grid\'s tempo, within the estimate\'s error: left alone');
    const far = fitTempo(116, grid, true);
    assert.ok(far.changed);
    assert.equal(far.grid.bodyBeats % 4, 0, 'whole bars');
    assert.ok(Math.abs(far.grid.bodyBeats * far.grid.samplesPerBeat - 10 * SR) < 1e-6, 'the same body: the cuts stay where they are');
    assert.ok(Math.abs(far.grid.bpm / 116 - 1) <= 0.04 && far.stretch === far.grid.bpm / 116);
    const bridge = fitTempo(116, grid, false);
    assert.equal(bridge.changed, false);
    assert.equal(bridge.stretch, 1);
  });

  it('places a pulse 2 % off the plan on the plan\'s beats, stretched', async () => {
    const { mono, fit } = await fitToGrid(clicks(98, 20), job, new AbortController().signal);
    assert.equal(mono.length, job.render.totalSamples);
    assert.ok(!fit.changed && fit.stretch < 1);
    assert.ok(worstBeat(mono, grid) < 15, `every beat of the body has a click within 15 ms (worst ${worstBeat(mono, grid).toFixed(1)} ms)`);
  });

  it('moves the scene\'s grid to music played 21 % faster than asked, so every beat of the body, both cuts included, still has a click', async () => {
    const { mono, fit } = await fitToGrid(clicks(116, 20), job, new AbortController().signal);
    assert.ok(fit.changed, 'the grid follows the music');
    assert.ok(Math.abs(fit.grid.bpm / 116 - 1) < 0.04, `${fit.grid.bpm}`);
    assert.ok(worstBeat(mono, fit.grid) < 15, `worst ${worstBeat(mono, fit.grid).toFixed(1)} ms`);
    // On the planned grid the same audio would drift off the beats: that is what the refit saves.
    assert.ok(worstBeat(mono, grid) > 60);
  });
});

describe('the tiny MusicGen on onnxruntime-node', () => {
  let dir: string;
  let m: MusicGenModel;
  let jazz: TextState;
  let thriller: TextState;

  before(async () => {
    dir = join(tmpDir('musicgen'), 'tiny-musicgen');
    writeTinyMusicgen(dir);
    m = await openMusicGen(dir, { providers: ['cpu'], announce: () => assert.fail('no fallback expected on cpu') });
    jazz = await m.encode('Genre: jazz, Mood: warm, peaceful');
    thriller = await m.encode('Genre: suspense, thriller, Mood: dark, tense');
  });

  it('reads the folder as a transformers.js export', () => {
    assert.deepEqual([m.sampleRate, m.frameRate, m.codebooks, m.maxFrames, m.provider], [32000, 50, 4, 146, 'cpu']);
  });

  it('generates exactly the frames asked for across several windows, and decodes them to exactly frames x 640 samples', async () => {
    const frames = 400; // 146-frame windows, each later one keeping a third as its prompt: four windows
    const steps: number[] = [];
    const codes = await m.generate({ frames, condition: () => jazz, seed: 3, progress: (d) => steps.push(d) });
    assert.deepEqual(codes.map((c) => c.length), [400, 400, 400, 400]);
    assert.ok(codes.flat().every((t) => t >= 0 && t < 64), 'only real codes, never the pad token');
    assert.deepEqual(steps, Array.from({ length: 400 }, (_, i) => i + 1));
    const audio = await m.decode(codes);
    assert.equal(audio.length, 400 * 640);
    assert.ok(audio.some((x) => Math.abs(x) > 0.01));
  });

  it('is a take of its seed: same seed same codes; another seed, prompt or guidance, other codes', async () => {
    const g = (o: { seed?: number; cond?: TextState; guidance?: number }) => m.generate({ frames: 120, condition: () => o.cond ?? jazz, seed: o.seed ?? 5, ...(o.guidance ? { guidance: o.guidance } : {}) });
    const base = JSON.stringify(await g({}));
    assert.equal(JSON.stringify(await g({})), base);
    assert.notEqual(JSON.stringify(await g({ seed: 6 })), base);
    assert.notEqual(JSON.stringify(await g({ cond: thriller })), base);
    assert.notEqual(JSON.stringify(await g({ guidance: 1 })), base);
  });

  it('continues from given codes and asks for the conditioning at every chunk (a bridge moving from one prompt to the next)', async () => {
    const a = await m.generate({ frames: 100, condition: () => jazz, seed: 1 });
    const asked: number[] = [];
    const bridge = await m.generate({ frames: 100, context: a, chunkFrames: 25, seed: 2, condition: (f) => (asked.push(f), { ...jazz, data: slerpRows(jazz.data, thriller.data, jazz.width, f / 100) }) });
    assert.deepEqual(asked, [0, 25, 50, 75]);
    assert.deepEqual(bridge.map((c) => c.length), [100, 100, 100, 100]);
    const fresh = await m.generate({ frames: 100, chunkFrames: 25, seed: 2, condition: () => jazz });
    assert.notDeepEqual(bridge, fresh, 'the context shapes what follows');
  });

  it('falls back to the CPU when a GPU provider is asked for and not there, and says so', async () => {
    const said: string[] = [];
    const gpu = await openMusicGen(dir, { providers: ['cuda'], announce: (s) => said.push(s) });
    assert.equal(gpu.provider, 'cpu');
    assert.ok(said.length >= 1 && /cuda execution provider is not usable on this machine.*on the CPU instead/.test(said[0]!), said[0]);
    await gpu.close();
  });

  it('refuses a broken folder with one message naming the file and what was expected', async () => {
    const broken = (name: string, change: (d: string) => void) => {
      const d = join(tmpDir('musicgen-broken'), name);
      cpSync(dir, d, { recursive: true });
      change(d);
      return d;
    };
    const cases: [string, (d: string) => void, RegExp][] = [
      ['no-decoder', (d) => rmSync(join(d, 'onnx', 'decoder_model_merged.onnx')), /has no decoder_model_merged\.onnx .*Xenova\/musicgen-small/],
      ['no-config', (d) => rmSync(join(d, 'config.json')), /has no config\.json/],
      ['bad-config', (d) => writeFileSync(join(d, 'config.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(d, 'config.json'), 'utf8')), decoder: { vocab_size: 64 } })), /config\.json: decoder\.num_codebooks: .*expected a MusicGen config/],
      ['no-max-length', (d) => writeFileSync(join(d, 'generation_config.json'), '{"top_k": 5}'), /generation_config\.json: max_length: .*expected a MusicGen generation config/],
      ['bad-tokenizer', (d) => writeFileSync(join(d, 'tokenizer.json'), '{"model": {"type": "Nonsense"}}'), /tokenizer\.json is not a tokenizer this helper can read/],
      ['wrong-graph', (d) => cpSync(join(d, 'onnx', 'text_encoder.onnx'), join(d, 'onnx', 'decoder_model_merged.onnx')), /decoder_model_merged\.onnx takes input_ids, attention_mask and gives last_hidden_state; a MusicGen decoder takes input_ids, encoder_hidden_states and gives logits/],
      ['garbage-graph', (d) => writeFileSync(join(d, 'onnx', 'encodec_decode.onnx'), 'not a model'), /onnxruntime could not load .*encodec_decode\.onnx/],
      ['layers', (d) => {
        const c = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
        c.decoder.num_hidden_layers = 24;
        writeFileSync(join(d, 'config.json'), JSON.stringify(c));
      }, /past key values for 1 layer\(s\), but .*config\.json says decoder\.num_hidden_layers 24/],
      ['stereo', (d) => {
        const c = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
        c.decoder.audio_channels = 2;
        writeFileSync(join(d, 'config.json'), JSON.stringify(c));
      }, /stereo MusicGen .* not supported yet/],
    ];
    for (const [name, change, message] of cases) {
      await assert.rejects(openMusicGen(broken(name, change), { providers: ['cpu'], announce: () => undefined }), message, name);
    }
    await assert.rejects(openMusicGen(join(dir, 'nowhere'), { providers: ['cpu'], announce: () => undefined }), /MusicGen folder .*nowhere does not exist/);
  });
});

describe('segue score --engine musicgen on the tiny model, end to end', () => {
  let video: string;
  let model: string;
  let out: string;
  const planOf = (d: string) => Plan.parse(JSON.parse(readFileSync(join(d, 'plan.json'), 'utf8')));
  const bytes = (d: string, f: string) => readFileSync(join(d, f));
  const args = (o: string, m = model) => ['score', video, '--out', o, '--cuts', '10,20', '--engine', 'musicgen', '--model', m, '--seed', '4'];

  before(async () => {
    video = await fixture('three-neural', THREE_SCENES, { audio: 'tone' });
    model = join(tmpDir('musicgen-cli'), 'tiny');
    writeTinyMusicgen(model);
    out = tmpDir('musicgen-out');
    const r = await segue([...args(out), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /"type":"warning"/, 'no bridge had to start afresh, no provider fell back');
  });

  it('scores every cue with the model: exact lengths, mastered to -16 LUFS under -1 dBTP, its codes beside it, no MIDI', () => {
    const p = planOf(out);
    assert.equal(p.settings.engine, 'musicgen');
    assert.ok(p.cues.length >= 3);
    assert.ok(p.cues.some((c) => c.kind === 'bridge'), 'a bridge too, continued from its outgoing cue');
    for (const c of p.cues) {
      assert.equal(c.engine, 'musicgen');
      assert.equal(c.midiFile, null);
      assert.equal(readWav(join(out, c.file)).channels[0]!.length, c.fileSamples, `${c.id} is exactly as long as the plan says`);
      assert.ok(Math.abs(c.loudness.integratedLufs + 16) <= 0.5 && c.loudness.truePeakDbtp <= -1, `${c.id}: ${JSON.stringify(c.loudness)}`);
      const codes = JSON.parse(readFileSync(join(out, c.file.replace(/\.wav$/, '.codes.json')), 'utf8'));
      assert.equal(codes.codes.length, 4);
      assert.ok(codes.start >= 0 && (codes.codes[0].length * 960) / codes.tempo.stretch >= codes.start + c.fileSamples, 'the file is cut from the generated audio');
      assert.ok(Math.abs(codes.tempo.stretch - 1) <= 0.08, 'stretched at most 8 %');
      if (codes.grid) assert.deepEqual(c.grid, codes.grid, 'music placed on a refitted grid: the plan says which');
    }
    assert.equal(readWav(join(out, 'soundtrack.wav')).channels[0]!.length, p.durationSamples);
  });

  it('regenerates one scene: a new take, its neighbours byte-identical; the same seed again is a cache hit', async () => {
    const before = planOf(out);
    const r = await segue(['regenerate', out, '--scene', '3']);
    assert.equal(r.code, 0, r.stderr);
    const after = planOf(out);
    const cue = (p: Plan, id: string) => p.cues.find((c) => c.id === id)!;
    assert.equal(cue(after, 'scene-3').take, 2);
    for (const id of ['scene-1', 'scene-2']) {
      assert.equal(cue(after, id).file, cue(before, id).file);
      assert.ok(bytes(out, cue(after, id).file).equals(bytes(out, cue(before, id).file)));
    }
    // The cache knows this model's cues: scoring again runs no model (a render would rewrite each
    // cue's codes record, whose timings differ run to run).
    const againDir = tmpDir('musicgen-again');
    const again = await segue([...args(againDir), '--json']);
    assert.match(again.stdout, /"every cue is unchanged"|\(cached\)/);
    const codes = (d: string) => readFileSync(join(d, cue(planOf(d), 'scene-1').file.replace(/\.wav$/, '.codes.json')));
    assert.ok(codes(againDir).equals(codes(out)), 'scene 1 came from the cache, not from the model again');
  });

  it('keys its cache on the model folder\'s content: another export of the model renders anew', async () => {
    const other = join(tmpDir('musicgen-other'), 'tiny');
    writeTinyMusicgen(other, { seed: 99 });
    const d = tmpDir('musicgen-other-out');
    const r = await segue([...args(d, other), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /\(cached\)/);
    const a = planOf(out).cues.find((c) => c.id === 'scene-1')!;
    const b = planOf(d).cues.find((c) => c.id === 'scene-1')!;
    assert.notEqual(a.hash, b.hash);
  });

  it('says what is wrong with the flags or the model folder', async () => {
    const noModel = await segue(['score', video, '--engine', 'musicgen']);
    assert.equal(noModel.code, 2);
    assert.match(noModel.stderr, /--engine musicgen needs --model DIR/);
    const broken = join(tmpDir('musicgen-broken-cli'), 'tiny');
    writeTinyMusicgen(broken);
    rmSync(join(broken, 'onnx', 'encodec_decode.onnx'));
    const r = await segue(args(tmpDir('musicgen-broken-out'), broken));
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /has no encodec_decode\.onnx/);
  });
});

describe('the helper on the neural engine', () => {
  it('scores a sequence with engine "musicgen" over HTTP, and /v1/health then names the loaded model', async () => {
    const video = await fixture('three-neural', THREE_SCENES, { audio: 'tone' });
    const model = join(tmpDir('musicgen-helper'), 'tiny');
    writeTinyMusicgen(model);
    const h = await startServe(tmpDir('musicgen-helper-data'), [], { SEGUE_CACHE_DIR: CACHE });
    try {
      assert.equal(Health.parse((await h.call('GET', '/v1/health')).json).models.musicgen, null, 'nothing loaded yet');
      const clips = [[0, 10], [10, 20], [20, 30]].map(([a, b]) => ({ path: video, sourceIn: a!, sourceOut: b!, timelineIn: a!, timelineOut: b!, track: 0 }));
      const created = await h.call('POST', '/v1/projects', { name: 'Neural', frameRate: 30, durationSec: 30, cuts: [10, 20], clips, minSceneSec: 4 });
      assert.equal(created.status, 202, JSON.stringify(created.json));
      const id = Accepted.parse(created.json).project;
      assert.equal((await h.waitJob(created.json.job.id)).state, 'done');
      const scored = await h.call('POST', `/v1/projects/${id}/score`, { engine: 'musicgen', model });
      assert.equal(scored.status, 202, JSON.stringify(scored.json));
      const done = await h.waitJob(Accepted.parse(scored.json).job.id, 300_000);
      assert.equal(done.state, 'done', JSON.stringify(done.error));
      const plan = Plan.parse((await h.call('GET', `/v1/projects/${id}/plan`)).json);
      assert.ok(plan.cues.every((c) => c.engine === 'musicgen'));
      assert.equal(Health.parse((await h.call('GET', '/v1/health')).json).models.musicgen, model);
    } finally {
      assert.equal(await h.stop(), 0);
    }
  });
});
