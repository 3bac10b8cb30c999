import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlanSettings, SAMPLE_RATE, type Scene, type SceneAnalysis } from '../shared/index.ts';
import { decideTransition, DIALOGUE_DUCK_DB, DIRECTOR_RULES, planArc, CLIMAX_WINDOW } from '../helper/core/director.ts';
import { layoutCues } from '../helper/core/layout.ts';
import { duckDbAt, master } from '../helper/core/master.ts';
import { planSequence } from '../helper/core/plan.ts';
import { distinguishNeighbours } from '../helper/core/prompt.ts';
import { Rng } from '../helper/core/compose/rng.ts';

/** Issue 15 items 1-3: the director's precedence, prompts whose style and mood agree, a story-shaped arc. */

const analysis = (valence: number, arousal: number, o: Partial<SceneAnalysis> = {}): SceneAnalysis => ({
  brightness: 0.5, contrast: 0.3, saturation: 0.3, warmth: 0, motion: 0.3, motionPeaks: [], shotRate: 4, dominantColours: [],
  valence, arousal, curve: { valence: [valence], arousal: [arousal], speech: [] }, speech: null, tags: [], caption: 'x', ...o,
});
const talking = (a: SceneAnalysis, seconds: number): SceneAnalysis => ({ ...a, speech: 0.9, curve: { ...a.curve, speech: Array(seconds).fill(0.9) } });
const scenesOf = (secs: readonly number[]): Scene[] => {
  let t = 0;
  return secs.map((s, index) => {
    const start = t;
    t += s;
    return { index, start, end: t, startSample: Math.round(start * SAMPLE_RATE), endSample: Math.round(t * SAMPLE_RATE), origin: 'caller', mergedCuts: [] };
  });
};
const settings = PlanSettings.parse({
  minSceneSec: 1, engine: 'symbolic', seed: 1, loudnessLufs: -16, truePeakDbtp: -1, handleBars: 1, fadeShape: 'equal-power',
  stems: false, llm: null, soundFont: 'timgm6mb',
});

describe('the director\'s precedence', () => {
  const arc = planArc([-0.6, 0.6, 0].map((arousal) => ({ arousal, seconds: 10 })));

  it('is one ordered table, dialogue across a cut first', () => {
    assert.deepEqual(DIRECTOR_RULES.map((r) => r.id), ['dialogue-across-cut', 'energy-jump', 'release-after-climax', 'similar-mood', 'mood-turns']);
  });

  it('never cuts the music abruptly under a sentence, however much the energy jumps', () => {
    const calm = analysis(0, -0.7);
    const wild = analysis(0, 0.7);
    const silent = decideTransition({ a: calm, b: wild, arcA: arc[0]!, arcB: arc[1]! });
    assert.equal(silent.style, 'abrupt-cut', 'without a voice the energy jump cuts');
    const spoken = decideTransition({ a: talking(calm, 10), b: talking(wild, 10), arcA: arc[0]!, arcB: arc[1]! });
    assert.equal(spoken.rule, 'dialogue-across-cut');
    assert.equal(spoken.style, 'bridge', 'the mood turns under the voices: a bridge');
    assert.match(spoken.reason, /dialogue runs across the cut.*never abruptly/);
    // A release after the climax would drop the music out mid-conversation: dialogue wins there too.
    const release = decideTransition({ a: talking(analysis(0, 0.6), 10), b: talking(analysis(0.1, -0.2), 10), arcA: arc[1]!, arcB: arc[2]! });
    assert.notEqual(release.style, 'silent-gap');
    // Similar mood under a voice: a crossfade.
    assert.equal(decideTransition({ a: talking(analysis(0, 0), 10), b: talking(analysis(0.1, 0.1), 10), arcA: arc[0]!, arcB: arc[2]! }).style, 'fade');
  });

  it('breathes out in silence only after real tension: a calm film\'s least calm scene is no climax to release', () => {
    const tense = planArc([-0.6, 0.4, -0.3].map((arousal) => ({ arousal, seconds: 10 })));
    const calm = planArc([-0.8, -0.4, -0.95].map((arousal) => ({ arousal, seconds: 10 })));
    assert.equal(tense[1]!.role, 'peak');
    assert.equal(calm[1]!.role, 'peak');
    const after = (a: number, b: number, arcA: (typeof tense)[number], arcB: (typeof tense)[number]) => decideTransition({ a: analysis(0, a), b: analysis(0, b), arcA, arcB });
    assert.equal(after(0.4, -0.3, tense[1]!, tense[2]!).style, 'silent-gap', 'tension 0.6 breaks: a breath of silence');
    const quiet = after(-0.4, -0.95, calm[1]!, calm[2]!);
    assert.ok(calm[1]!.tension < 0.5);
    assert.notEqual(quiet.style, 'silent-gap', 'a calm peak falling calmer keeps the music going');
    assert.equal(quiet.rule, 'mood-turns');
  });

  it('counts a voice only near the cut: speech that ended seconds before it does not hold the music back', () => {
    const early = { ...analysis(0, -0.7), speech: 0.5, curve: { valence: [0], arousal: [-0.7], speech: [1, 1, 1, 1, 1, 0, 0, 0, 0, 0] } };
    assert.equal(decideTransition({ a: early, b: talking(analysis(0, 0.7), 10), arcA: arc[0]!, arcB: arc[1]! }).style, 'abrupt-cut');
  });

  it('lowers the music under the voice over the whole change, in every cue that sounds there', () => {
    const input = scenesOf([12, 12, 12]).map((scene, i) => ({ scene, analysis: talking(analysis(0, [-0.7, 0.7, 0.6][i]!), 12) }));
    const plan = planSequence(input, settings);
    const t = plan.transitions[0]!;
    assert.ok(t.duck, 'a voice across cut 1: a duck');
    assert.equal(t.duck.db, DIALOGUE_DUCK_DB);
    const [from, to] = t.bridge ? [t.bridge.startSample, t.bridge.endSample] : [t.atSample - t.fade!.samples / 2, t.atSample + t.fade!.samples / 2];
    assert.ok(t.duck.startSample <= from && t.duck.endSample >= to, 'the duck covers the whole change');
    const cues = layoutCues(plan.scenes, plan.transitions, settings, [1, 2, 3]);
    // Every cue that plays inside the duck carries it, at the same timeline position.
    for (const c of cues.filter((c) => c.timelineIn < t.duck!.endSample && c.timelineOut > t.duck!.startSample)) {
      const ducks = c.job.master.ducks ?? [];
      assert.ok(ducks.some((d) => d.from - c.handles.head + c.timelineIn === t.duck!.startSample && d.db === t.duck!.db), `${c.id} carries the duck`);
    }
    // A cut with no voice across it leaves a cue's mastering exactly as before ducks existed.
    const quiet = planSequence(input.map((x) => ({ ...x, analysis: { ...x.analysis, speech: 0, curve: { ...x.analysis.curve, speech: Array(12).fill(0) } } })), settings);
    assert.ok(quiet.transitions.every((x) => x.duck === null));
    assert.ok(layoutCues(quiet.scenes, quiet.transitions, settings, [1, 2, 3]).every((c) => !('ducks' in c.job.master)));
  });

  it('bakes the duck as exactly that many dB, ramped linearly in dB', () => {
    const n = SAMPLE_RATE * 4;
    const tone = () => { const x = new Float32Array(n); for (let i = 0; i < n; i++) x[i] = 0.2 * Math.sin(i * 0.05); return x; };
    const base = { targetLufs: -20, ceilingDbtp: -1, bodyStart: 0, bodyEnd: n, fadeIn: null, fadeOut: null, release: null };
    const plain = [tone(), tone()];
    const ducked = [tone(), tone()];
    const duck = { from: SAMPLE_RATE * 2, to: SAMPLE_RATE * 3, ramp: SAMPLE_RATE / 2, db: 4 };
    master(plain, base);
    master(ducked, { ...base, ducks: [duck] });
    const rms = (x: Float32Array, a: number, b: number) => Math.sqrt(x.subarray(a, b).reduce((s, v) => s + v * v, 0) / (b - a));
    const dip = 20 * Math.log10(rms(ducked[0]!, duck.from, duck.to) / rms(plain[0]!, duck.from, duck.to));
    assert.ok(Math.abs(dip + 4) < 0.05, `held ${dip.toFixed(2)} dB`);
    assert.ok(Math.abs(duckDbAt([duck], duck.from - duck.ramp / 2) - 2) < 1e-9, 'half way down the ramp: half the dB');
    assert.equal(duckDbAt([duck], duck.to + duck.ramp), 0);
  });
});

describe('an arc shaped like a story', () => {
  it('puts the peak in the climax window and resolves only after it, even when the tension is highest early', () => {
    const arc = planArc([0, 0.9, 0.3, 0.4, 0.2, -0.3].map((arousal) => ({ arousal, seconds: 10 })));
    assert.deepEqual(arc.map((a) => a.role), ['setup', 'build', 'build', 'peak', 'resolve', 'resolve']);
    assert.match(arc[1]!.reason, /highest tension, but at 25 % too early for the climax/);
    assert.match(arc[3]!.reason, /most tense scene .* climax window/);
    assert.ok(arc.every((a) => a.reason.length > 10), 'every role says why');
  });

  it('has story proportions on any sequence: one peak inside the sequence, the most tense of the window, resolution at the end', () => {
    const r = new Rng(15);
    const rng = () => r.next();
    for (let trial = 0; trial < 500; trial++) {
      const n = 3 + Math.floor(rng() * 10);
      const scenes = Array.from({ length: n }, () => ({ arousal: rng() * 2 - 1, seconds: 2 + rng() * 30 }));
      const arc = planArc(scenes);
      const roles = arc.map((a) => a.role);
      const peak = roles.indexOf('peak');
      assert.equal(roles.filter((r) => r === 'peak').length, 1);
      assert.ok(peak > 0 && peak < n - 1, 'neither the first nor the last scene');
      assert.deepEqual(roles, roles.map((_, i) => (i === 0 ? 'setup' : i < peak ? 'build' : i === peak ? 'peak' : 'resolve')));
      const total = scenes.reduce((a, s) => a + s.seconds, 0);
      const mids = scenes.map((s, i) => (scenes.slice(0, i).reduce((a, x) => a + x.seconds, 0) + s.seconds / 2) / total);
      const inWindow = mids.map((m, i) => i > 0 && i < n - 1 && m >= CLIMAX_WINDOW[0] && m <= CLIMAX_WINDOW[1]);
      if (inWindow.some(Boolean)) {
        assert.ok(inWindow[peak], `trial ${trial}: the peak lies in the window`);
        assert.ok(arc.every((a, i) => !inWindow[i] || a.tension <= arc[peak]!.tension), 'the most tense scene of the window');
        const resolving = scenes.slice(peak + 1).reduce((a, s) => a + s.seconds, 0) / total;
        assert.ok(resolving < 1 - CLIMAX_WINDOW[0], `trial ${trial}: ${(resolving * 100).toFixed(0)} % resolves`);
      }
    }
  });
});

describe('prompts that agree with themselves', () => {
  // Written here, not taken from the tables under test: moods each style's character rules out.
  const CONTRADICTS: Record<string, string[]> = {
    suspense: ['warm', 'peaceful', 'joyful', 'uplifting', 'playful', 'hopeful', 'tender', 'relaxed', 'energetic', 'triumphant'],
    action: ['warm', 'peaceful', 'calm', 'relaxed', 'dreamy', 'tender', 'melancholic', 'sombre', 'reflective'],
    'pop-rock': ['dark', 'sombre', 'menacing', 'ominous', 'calm', 'melancholic', 'aggressive'],
    synthwave: ['peaceful', 'calm', 'sombre', 'tender', 'warm'],
    folk: ['menacing', 'aggressive', 'ominous', 'dark', 'tense', 'urgent'],
    lofi: ['menacing', 'aggressive', 'urgent', 'tense', 'triumphant', 'epic'],
    piano: ['aggressive', 'energetic', 'driving', 'urgent', 'epic', 'triumphant', 'menacing'],
    ambient: ['aggressive', 'energetic', 'driving', 'joyful', 'triumphant', 'playful', 'urgent'],
    cinematic: ['playful', 'relaxed'],
  };
  const random = (rng: () => number) => analysis(rng() * 2 - 1, rng() * 2 - 1, { brightness: rng(), warmth: rng() * 2 - 1, motion: rng() * 0.6 });

  it('never pairs a style with a mood its character rules out, and tells apart neighbours that look different', () => {
    const r = new Rng(2);
    const rng = () => r.next();
    let pairs = 0;
    for (let trial = 0; trial < 300; trial++) {
      const n = 2 + Math.floor(rng() * 7);
      // Sequences around one mood with scenes that wander from it, as real footage does.
      const centre = random(rng);
      const input = scenesOf(Array.from({ length: n }, () => 4 + Math.floor(rng() * 20))).map((scene) => {
        const x = random(rng);
        const mix = (a: number, b: number) => Math.max(-1, Math.min(1, a + (b - a) * rng()));
        return { scene, analysis: { ...x, valence: mix(centre.valence, x.valence), arousal: mix(centre.arousal, x.arousal) } };
      });
      const plan = planSequence(input, settings);
      for (const s of plan.scenes) {
        const bad = s.prompt.mood.filter((m) => (CONTRADICTS[s.prompt.style] ?? []).includes(m));
        assert.deepEqual(bad, [], `${s.prompt.caption}`);
        assert.equal(s.prompt.mood.length, 3);
      }
      for (let k = 1; k < n; k++) {
        const [a, b] = [plan.scenes[k - 1]!, plan.scenes[k]!];
        if (Math.hypot(a.analysis.valence - b.analysis.valence, a.analysis.arousal - b.analysis.arousal) < 0.3) continue;
        pairs++;
        // The same words in another order are the same prompt.
        const heard = (p: typeof a.prompt) => JSON.stringify([p.style, p.key, Math.round(p.bpm), [...p.mood].sort()]);
        assert.notEqual(heard(a.prompt), heard(b.prompt), `neighbours ${k} and ${k + 1} look different but share a prompt`);
      }
    }
    assert.ok(pairs > 200, `${pairs} differing neighbour pairs checked`);
  });

  it('thins a scene\'s first bar only where its music starts from silence: the first scene and after a gap, never after a crossfade or a bridge', () => {
    const r = new Rng(7);
    const seen = new Set<string>();
    for (let trial = 0; trial < 60; trial++) {
      const input = scenesOf(Array.from({ length: 5 }, () => 6 + Math.floor(r.next() * 14))).map((scene) => ({ scene, analysis: random(() => r.next()) }));
      const plan = planSequence(input, settings);
      for (const cue of layoutCues(plan.scenes, plan.transitions, settings, [1, 2, 3, 4, 5]).filter((c) => c.kind === 'scene')) {
        const before = plan.transitions[cue.scene! - 1];
        const spec = cue.job.composition.kind === 'scene' ? cue.job.composition.spec : null;
        seen.add(before?.style ?? 'first');
        assert.equal(spec!.intro, !before || before.style === 'silent-gap', `${cue.id} after ${before?.style ?? 'nothing'}`);
      }
    }
    assert.ok(['first', 'fade', 'bridge', 'abrupt-cut'].every((x) => seen.has(x)), [...seen].join(', '));
  });

  it('rides the level at every cut the music plays across: abrupt cuts, crossfades and a bridge\'s own cut, never into a silent gap', () => {
    const r = new Rng(11);
    const seen = new Set<string>();
    const timelineOf = (c: { handles: { head: number }; timelineIn: number }, f: number) => f - c.handles.head + c.timelineIn;
    for (let trial = 0; trial < 60; trial++) {
      const input = scenesOf(Array.from({ length: 5 }, () => 6 + Math.floor(r.next() * 14))).map((scene) => ({ scene, analysis: random(() => r.next()) }));
      const plan = planSequence(input, settings);
      const cues = layoutCues(plan.scenes, plan.transitions, settings, [1, 2, 3, 4, 5]);
      for (const t of plan.transitions) {
        seen.add(t.style);
        const ridden = cues.filter((c) => (c.job.master.rides ?? []).some((x) => timelineOf(c, x.at) === t.atSample));
        const expected = t.style === 'bridge' ? [`bridge-${t.cut + 1}`] : t.style === 'silent-gap' ? [] : [`scene-${t.cut + 1}`, `scene-${t.cut + 2}`];
        assert.deepEqual(ridden.map((c) => c.id).sort(), expected.sort(), `cut ${t.cut + 1} (${t.style})`);
        for (const c of ridden) {
          const sides = c.job.master.rides!.filter((x) => timelineOf(c, x.at) === t.atSample).map((x) => x.side).sort();
          assert.deepEqual(sides, c.kind === 'bridge' ? ['after', 'before'] : [c.scene === t.cut ? 'before' : 'after'], `${c.id} at cut ${t.cut + 1}`);
          // Under a crossfade a scene is ridden on through the half of the fade it still sounds in, to its body's edge.
          for (const x of c.job.master.rides!.filter((x) => timelineOf(c, x.at) === t.atSample)) {
            const edge = x.side === 'before' ? c.job.master.bodyEnd - x.at : x.at - c.job.master.bodyStart;
            assert.equal(x.through ?? 0, t.style === 'fade' ? Math.round(edge) : 0, `${c.id} ${x.side} cut ${t.cut + 1} (${t.style})`);
          }
        }
      }
      // Nothing else is ridden: the first scene's start, the last one's end, the joins with bridges.
      const rides = cues.reduce((a, c) => a + (c.job.master.rides?.length ?? 0), 0);
      assert.equal(rides, plan.transitions.reduce((a, t) => a + (t.style === 'silent-gap' ? 0 : 2), 0));
    }
    assert.ok(['fade', 'bridge', 'abrupt-cut', 'silent-gap'].every((x) => seen.has(x)), [...seen].join(', '));
  });

  it('tells a re-cut\'s new scene apart from a kept neighbour by changing only the new one', () => {
    const [a, b] = [analysis(0.5, -0.2, { brightness: 0.9 }), analysis(0.5, -0.2, { brightness: 0.2 })];
    const prompt = planSequence(scenesOf([10]).map((scene) => ({ scene, analysis: a })), settings).scenes[0]!.prompt;
    const pair = [{ analysis: a, prompt }, { analysis: b, prompt }];
    const moods = (xs: typeof pair) => xs.map((x) => [...x.prompt.mood].sort().join(' '));
    const [kept, fresh] = moods(pair);
    assert.equal(kept, fresh, 'the same prompt on two scenes that look different');
    const score = moods(distinguishNeighbours(pair));
    assert.equal(score[0], kept, 'in a score the later scene changes');
    assert.notEqual(score[1], kept);
    const recutNewFirst = moods(distinguishNeighbours(pair, (k) => k === 0));
    assert.equal(recutNewFirst[1], kept, 'the kept later scene keeps its prompt');
    assert.notEqual(recutNewFirst[0], kept, 'the new earlier scene is told apart');
    assert.deepEqual(moods(distinguishNeighbours(pair, () => false)), [kept, kept], 'two kept scenes are left as the editor had them');
  });
});
