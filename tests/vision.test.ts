import assert from 'node:assert/strict';
import { copyFileSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { Plan, ProgressEvent, type Scene } from '../shared/index.ts';
import { openVisionModel } from '../helper/adapters/onnx.ts';
import { analyseScene } from '../helper/core/analysis.ts';
import type { FrameSeries } from '../helper/core/frames.ts';
import { moodWords } from '../helper/core/prompt.ts';
import { STYLE_MOODS } from '../helper/core/moods.ts';
import { nudgeByTags, pixelValues, PROMPT_TEMPLATE, sceneEmbedding, TAG_CATEGORIES, tagPrompts, zeroShotTags, type SceneTag } from '../helper/core/vision.ts';
import { writeTinyClip } from '../scripts/tiny-clip.ts';
import { fixture, segue, THREE_SCENES, TMP, tmpDir } from './helpers.ts';

/** Vision tags: the zero-shot maths (pure), and a tiny CLIP export that scripts/ writes, run by onnxruntime-node. */

const dims = tagPrompts().length;
/** Text embeddings where prompt i points along axis i, so an image along axis i picks exactly that option. */
const axisTexts = () => Array.from({ length: dims }, (_, i) => Float32Array.from({ length: dims }, (_, j) => (i === j ? 1 : 0)));
const indexOf = (label: string) => TAG_CATEGORIES.flatMap((c) => c.options).findIndex((o) => o.label === label);

describe('zero-shot tags (pure)', () => {
  it('tags each category with the option nearest the picture, and leaves a category the picture does not answer untagged', () => {
    const image = new Float32Array(dims);
    image[indexOf('night')] = 1;
    image[indexOf('fight')] = 1;
    const tags = zeroShotTags(image, axisTexts());
    assert.deepEqual(tags.map((t) => t.option.label), ['night', 'fight']);
    assert.ok(tags.every((t) => t.prob > 0.99));
    // Half-way between two moods: each gets about half, under TAG_MIN_PROB, so no mood tag.
    image[indexOf('happy')] = 0.5;
    image[indexOf('sad')] = 0.5;
    assert.ok(!zeroShotTags(image, axisTexts()).some((t) => t.category === 'mood'));
  });

  it('refuses embeddings that do not belong together', () => {
    assert.throws(() => zeroShotTags(new Float32Array(4), axisTexts()), /do not belong together/);
    assert.throws(() => zeroShotTags(new Float32Array(dims), axisTexts().slice(1)), /expected \d+ text embeddings/);
  });

  it('averages a scene\'s frames after normalising each, so a bright frame does not outvote the others', () => {
    const e = sceneEmbedding([Float32Array.from([100, 0]), Float32Array.from([0, 1])]);
    assert.ok(Math.abs(e[0]! - e[1]!) < 1e-12 && Math.abs(Math.hypot(...e) - 1) < 1e-12);
  });

  it('turns RGB bytes into the model\'s CHW input with its mean and std', () => {
    const out = new Float32Array(2 * 3 * 4);
    pixelValues(Uint8Array.from([255, 0, 51, 255, 0, 51, 255, 0, 51, 255, 0, 51]), 2, [0.5, 0.5, 0.5], [0.5, 0.25, 0.5], out, 12);
    assert.deepEqual(Array.from(out.subarray(12, 24), (x) => Number(x.toFixed(3))), [1, 1, 1, 1, -2, -2, -2, -2, -0.6, -0.6, -0.6, -0.6]);
  });

  it('moves valence and arousal by what the tags show, scaled by confidence and kept in range', () => {
    const tag = (label: string, prob: number): SceneTag => {
      const c = TAG_CATEGORIES.find((x) => x.options.some((o) => o.label === label))!;
      return { category: c.id, option: c.options.find((o) => o.label === label)!, prob };
    };
    const fight = nudgeByTags({ valence: 0, arousal: 0 }, [tag('fight', 1)]);
    assert.ok(fight.arousal > 0.4 && fight.valence < -0.3);
    const unsure = nudgeByTags({ valence: 0, arousal: 0 }, [tag('fight', 0.5)]);
    assert.ok(unsure.arousal < fight.arousal && unsure.arousal > 0);
    assert.deepEqual(nudgeByTags({ valence: 0.9, arousal: 0.9 }, [tag('happy', 1), tag('dancing', 1)]), { valence: 1, arousal: 1 });
  });

  it('lets tags shape the analysis, its caption and the prompt\'s mood words; without tags nothing changes', () => {
    const scene: Scene = { index: 0, start: 0, end: 4, startSample: 0, endSample: 192000, origin: 'caller', mergedCuts: [] };
    const stats: FrameSeries = {
      frames: Array.from({ length: 40 }, (_, i) => ({ time: i / 10, delta: { hue: 0, sat: 0, lum: 0, edges: null }, brightness: 0.4, contrast: 0.3, saturation: 0.3, warmth: 0, motion: 0.01 })),
      colourSeconds: Array.from({ length: 4 }, () => new Float32Array(64).fill(1 / 64)),
    };
    const plain = analyseScene(scene, stats);
    const c = TAG_CATEGORIES.find((x) => x.id === 'mood')!;
    const tagged = analyseScene(scene, stats, null, [{ category: 'mood', option: c.options.find((o) => o.label === 'scary')!, prob: 0.9 }]);
    assert.deepEqual(plain.tags, []);
    assert.deepEqual(tagged.tags, ['scary']);
    assert.ok(tagged.valence < plain.valence && tagged.arousal > plain.arousal);
    assert.ok(tagged.curve.arousal.every((a, i) => a > plain.curve.arousal[i]!), 'the curve moves with the scene');
    assert.match(tagged.caption, /It looks like a scary, ominous place\./);
    assert.doesNotMatch(plain.caption, /looks like/);
    assert.equal(moodWords('suspense', tagged.valence, tagged.arousal, tagged.tags)[0], 'ominous');
  });
});

describe('a tiny CLIP export run by onnxruntime-node', () => {
  let model: string;
  before(() => {
    model = join(TMP, 'tiny-clip');
    writeTinyClip(model);
  });

  it('embeds text through the real tokenizer and image through the real graph, so a dark frame is "night"', async () => {
    const m = await openVisionModel(model);
    try {
      assert.equal(m.kind, 'clip');
      assert.equal(m.size, 224);
      assert.equal(m.fit, 'crop');
      const [night, day] = await m.embedTexts([PROMPT_TEMPLATE('a scene at night'), 'A photo of   a SCENE in daylight.']);
      // Only "night" and "daylight" carry a colour in the tiny model; the template words are silent.
      assert.deepEqual(Array.from(night!.subarray(0, 3), (x) => Number(x.toFixed(3))), [-1, -1, -0.8]);
      assert.deepEqual(Array.from(day!.subarray(0, 3)), [1, 1, 1]);
      const dark = new Uint8Array(224 * 224 * 3).fill(20);
      const [img] = await m.embedImages([dark]);
      const tags = zeroShotTags(sceneEmbedding([img!]), await m.embedTexts(tagPrompts()));
      assert.equal(tags.find((t) => t.category === 'time')?.option.label, 'night');
    } finally {
      await m.close();
    }
  });

  it('reads SigLIP\'s layout too: a SentencePiece tokenizer, no crop, pooler_output, no attention mask', async () => {
    const dir = join(TMP, 'tiny-siglip');
    writeTinyClip(dir, { kind: 'siglip' });
    const m = await openVisionModel(dir);
    try {
      assert.deepEqual([m.kind, m.size, m.fit], ['siglip', 224, 'squash']);
      const [night] = await m.embedTexts([PROMPT_TEMPLATE('a scene at night')]);
      assert.deepEqual(Array.from(night!.subarray(0, 3), (x) => Number(x.toFixed(3))), [-1, -1, -0.8]);
      const [img] = await m.embedImages([new Uint8Array(224 * 224 * 3).fill(20)]);
      assert.equal(zeroShotTags(sceneEmbedding([img!]), await m.embedTexts(tagPrompts()))[0]?.option.label, 'night');
    } finally {
      await m.close();
    }
  });

  it('reads a combined model.onnx (Optimum\'s CLIP export) as well as the split one', async () => {
    const dir = join(TMP, 'tiny-clip-combined');
    writeTinyClip(dir, { combined: true });
    const m = await openVisionModel(dir);
    try {
      const [night] = await m.embedTexts([PROMPT_TEMPLATE('a scene at night')]);
      assert.deepEqual(Array.from(night!.subarray(0, 3), (x) => Number(x.toFixed(3))), [-1, -1, -0.8]);
      const imgs = await m.embedImages([new Uint8Array(224 * 224 * 3).fill(20), new Uint8Array(224 * 224 * 3).fill(230)]);
      const texts = await m.embedTexts(tagPrompts());
      assert.deepEqual(imgs.map((i) => zeroShotTags(sceneEmbedding([i]), texts)[0]?.option.label), ['night', 'daytime']);
    } finally {
      await m.close();
    }
  });

  it('refuses broken model folders with a message that names the file and what it should be', async () => {
    const broken = (name: string) => {
      const dir = join(TMP, `clip-${name}`);
      cpSync(model, dir, { recursive: true });
      return dir;
    };
    await assert.rejects(openVisionModel(join(TMP, 'no-such-model')), /vision model folder .* does not exist; give the folder of a CLIP or SigLIP ONNX export/);
    const noText = broken('no-text');
    rmSync(join(noText, 'onnx', 'text_model.onnx'));
    await assert.rejects(openVisionModel(noText), /has no text_model\.onnx \(looked in/);
    const garbage = broken('garbage');
    writeFileSync(join(garbage, 'onnx', 'vision_model.onnx'), Buffer.alloc(5000, 0x5a));
    await assert.rejects(openVisionModel(garbage), /onnxruntime could not load .*vision_model\.onnx \(.*\); if it is not an ONNX model, export it again/);
    const swapped = broken('swapped');
    copyFileSync(join(model, 'onnx', 'text_model.onnx'), join(swapped, 'onnx', 'vision_model.onnx'));
    await assert.rejects(openVisionModel(swapped), /vision_model\.onnx takes input_ids, attention_mask; a CLIP or SigLIP vision model takes pixel_values/);
    const badPre = broken('bad-pre');
    writeFileSync(join(badPre, 'preprocessor_config.json'), JSON.stringify({ size: 224, image_mean: [0.5], image_std: [0.5, 0.5, 0.5] }));
    await assert.rejects(openVisionModel(badPre), /preprocessor_config\.json is not an image processor config \(image_mean/);
    const badTok = broken('bad-tok');
    writeFileSync(join(badTok, 'tokenizer.json'), '{ not json');
    await assert.rejects(openVisionModel(badTok), /tokenizer\.json is not valid JSON/);
  });

  describe('segue score --vision', () => {
    let video: string;
    before(async () => {
      video = await fixture('three', THREE_SCENES, { audio: 'tone' });
    });

    it('tags the scenes it sees (the dark scene at night, the bright ones by day) and records the model', async () => {
      const out = tmpDir('vision');
      const r = await segue(['score', video, '--out', out, '--cuts', '10,20', '--soundfont', 'timgm6mb', '--vision', model, '--json']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stdout, /"warning"/);
      const plan = Plan.parse(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')));
      assert.equal(plan.settings.vision, model);
      assert.deepEqual(plan.scenes.map((s) => s.analysis.tags[0]), ['night', 'daytime', 'daytime']);
      // The per-second colour histograms give each flat scene its own colour, nothing from its neighbours.
      assert.deepEqual([plan.scenes[0]!.analysis.dominantColours, plan.scenes[2]!.analysis.dominantColours], [['#202020'], ['#e0a060']]);
      for (const s of plan.scenes) {
        assert.match(s.analysis.caption, /It looks like a scene (at night|in daylight);/);
        const mood = s.analysis.tags.map((t) => TAG_CATEGORIES.find((c) => c.id === 'mood')!.options.find((o) => o.label === t)?.mood).find(Boolean);
        // A mood tag leads the prompt's words when the style can carry it; otherwise it is left out.
        if (mood && STYLE_MOODS[s.prompt.style]!.includes(mood)) assert.equal(s.prompt.mood[0], mood, 'a mood tag leads the prompt\'s mood words');
        else if (mood) assert.ok(!s.prompt.mood.includes(mood), `${s.prompt.style} cannot be ${mood}`);
      }
    });

    it('goes on without tags, with one warning, when the model folder is unusable', async () => {
      const out = tmpDir('vision-bad');
      const r = await segue(['score', video, '--out', out, '--cuts', '10,20', '--soundfont', 'timgm6mb', '--vision', join(TMP, 'nowhere'), '--json']);
      assert.equal(r.code, 0, r.stderr);
      const warnings = r.stdout.trim().split('\n').map((l) => ProgressEvent.parse(JSON.parse(l))).filter((e) => e.type === 'warning');
      assert.equal(warnings.length, 1);
      assert.match((warnings[0] as { message: string }).message, /^vision model not used \(the vision model folder .*nowhere does not exist; .*\); scenes are described from their pixels alone$/);
      const plan = Plan.parse(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')));
      assert.equal(plan.settings.vision, null);
      assert.ok(plan.scenes.every((s) => s.analysis.tags.length === 0));
    });
  });
});
