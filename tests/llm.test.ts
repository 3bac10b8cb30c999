import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { Plan, ProgressEvent, type MusicPrompt } from '../shared/index.ts';
import { checkGguf } from '../helper/adapters/llama.ts';
import { parseDirector, parseVmpt, readable } from '../helper/core/llm.ts';
import { writeTinyGguf } from '../scripts/tiny-gguf.ts';
import { fixture, segue, THREE_SCENES, TMP, tmpDir } from './helpers.ts';
import { readFileSync } from 'node:fs';

/** LLM mode: the parsing of model answers (pure), and the real model runtime on a tiny GGUF that scripts/ writes. */

const rules: MusicPrompt = {
  style: 'piano', genre: ['solo piano'], instruments: ['piano'], key: { tonic: 'C', mode: 'major' }, bpm: 94, mood: ['calm'], energy: 0.3, source: 'rules', caption: '',
};

describe('LLM answers are parsed by the same schemas as the rules', () => {
  it('turns a valid VMPT answer into a music prompt with the paper\'s caption', () => {
    const p = parseVmpt({ style: 'jazz', genre: ['jazz', 'swing'], instruments: ['piano', 'upright bass'], key: { tonic: 'F', mode: 'major' }, bpm: 120, mood: ['playful'] }, rules);
    assert.ok(typeof p !== 'string');
    assert.equal(p.source, 'llm');
    assert.equal(p.caption, 'Genre: jazz, swing, Key: F major, BPM: 120, Instruments: piano, upright bass, Mood: playful');
    assert.equal(p.energy, rules.energy);
  });

  it('refuses an unknown style or key, and drops unreadable words for the style\'s own', () => {
    assert.match(parseVmpt({ style: 'polka', genre: ['x'], instruments: ['y'], key: { tonic: 'C', mode: 'major' }, bpm: 100, mood: ['z'] }, rules) as string, /"polka" is not a style/);
    assert.match(parseVmpt({ style: 'jazz', genre: [], instruments: [], key: { tonic: 'H', mode: 'major' }, bpm: 100, mood: [] }, rules) as string, /key\.tonic/);
    assert.match(parseVmpt({ style: 'lofi', genre: ['lofi'], instruments: ['keys'], key: { tonic: 'D', mode: 'dorian' }, bpm: 300, mood: ['dreamy'] }, rules) as string, /bpm/);
    const p = parseVmpt({ style: 'lofi', genre: ['\u015d\u0000##'], instruments: ['}{]'], key: { tonic: 'D', mode: 'dorian' }, bpm: 80, mood: ['dreamy'] }, rules) as MusicPrompt;
    assert.deepEqual(p.genre, ['lo-fi hip hop', 'chillhop']);
    assert.deepEqual(p.mood, ['dreamy']);
    assert.ok(p.instruments.length > 1 && p.instruments.every((x) => readable(x)));
  });

  it('maps the paper\'s four decision names to transition styles and insists on a readable reason', () => {
    assert.deepEqual(parseDirector({ decision: 'generative transition', reason: 'The mood opens up from dusk to a wide morning view' }), { style: 'bridge', reason: 'The mood opens up from dusk to a wide morning view (LLM director)' });
    assert.equal((parseDirector({ decision: 'fade-out/fade-in', reason: 'Both scenes are calm and warm' }) as { style: string }).style, 'fade');
    assert.match(parseDirector({ decision: 'wipe', reason: 'x y z' }) as string, /decision/);
    assert.match(parseDirector({ decision: 'silent gap', reason: 'E\u00d1#z\ufffd\ufffdq-QT/CO' }) as string, /not readable/);
    assert.ok(readable('indie rock') && readable('upright bass') && !readable('}{]') && !readable('ab\ufffd'));
  });

  it('refuses files that are not GGUF models before llama.cpp sees them', () => {
    const notModel = join(TMP, 'not-a-model.gguf');
    writeFileSync(notModel, 'this is a text file, not a model'.repeat(4));
    assert.throws(() => checkGguf(notModel), /is not a GGUF model file/);
    assert.throws(() => checkGguf(join(TMP, 'missing.gguf')), /cannot be read \(ENOENT\)/);
  });
});

describe('segue score --llm, on a tiny GGUF run by llama.cpp', () => {
  let model: string;
  let video: string;
  before(async () => {
    model = writeTinyGguf(join(TMP, 'tiny.gguf'));
    video = await fixture('three', THREE_SCENES, { audio: 'tone' });
  });

  it('for every scene and cut, uses the model\'s answer or falls back to the rules and says why', async () => {
    const out = tmpDir('llm');
    const r = await segue(['score', video, '--out', out, '--cuts', '10,20', '--soundfont', 'timgm6mb', '--llm', model, '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const events = r.stdout.trim().split('\n').map((l) => ProgressEvent.parse(JSON.parse(l)));
    const warnings = events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message);
    const plan = Plan.parse(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')));
    assert.equal(plan.settings.llm, model);
    plan.scenes.forEach((s, k) => {
      if (s.prompt.source === 'llm') assert.ok(s.prompt.genre.every((g) => readable(g)), `scene ${k + 1}: readable words only`);
      else assert.ok(warnings.some((w) => w.startsWith(`LLM prompt for scene ${k + 1} not used (`)), `scene ${k + 1}: fallback explained`);
    });
    plan.transitions.forEach((t, k) => {
      if (t.decidedBy === 'llm') assert.match(t.reason, /\(LLM director\)$/);
      else assert.ok(warnings.some((w) => w.includes(`at cut ${k + 1}`)), `cut ${k + 1}: fallback explained`);
    });
  });

  it('falls back to the rules, with a warning, when the model file is not a model', async () => {
    const bad = join(TMP, 'bad.gguf');
    writeFileSync(bad, Buffer.alloc(4096, 7));
    const out = tmpDir('llm-bad');
    const r = await segue(['score', video, '--out', out, '--cuts', '10,20', '--soundfont', 'timgm6mb', '--llm', bad, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /LLM: .*bad\.gguf is not a GGUF model file.*the rules write the prompts and choose the transitions/);
    const plan = Plan.parse(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')));
    assert.ok(plan.scenes.every((s) => s.prompt.source === 'rules'));
    assert.ok(plan.transitions.every((t) => t.decidedBy === 'rules'));
  });
});
