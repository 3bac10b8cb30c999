import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SAMPLE_RATE, type SceneAnalysis } from '../shared/index.ts';
import { arousalOf, valenceOf } from '../helper/core/analysis.ts';
import { compose } from '../helper/core/compose/composer.ts';
import { STYLES } from '../helper/core/compose/styles.ts';
import type { CompositionSpec } from '../helper/core/compose/types.ts';
import { decideTransition, planArc } from '../helper/core/director.ts';
import { FlashFilter } from '../helper/core/frames.ts';
import { fitGrid, MAX_BAR_BEND } from '../helper/core/layout.ts';
import { integratedLoudness, limitTruePeak, truePeakDb } from '../helper/core/loudness.ts';
import { rulesPrompt, anchorFor } from '../helper/core/prompt.ts';
import { parseCutList, scenesFromCuts } from '../helper/core/scenes.ts';
import { decodeWav, encodeWav24 } from '../helper/core/wav.ts';
import { MusicParameterError, UsageError } from '../helper/errors.ts';

const sine = (freq: number, amp: number, seconds: number) => {
  const x = new Float32Array(Math.round(seconds * SAMPLE_RATE));
  for (let i = 0; i < x.length; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / SAMPLE_RATE);
  return x;
};

describe('tempo fitting', () => {
  it('makes a scene a whole number of bars when the tempo bends no more than 4 %', () => {
    for (const seconds of [8, 9.5, 13, 16.2, 31]) {
      for (const bpm of [94, 123, 144]) {
        const g = fitGrid(seconds * SAMPLE_RATE, bpm, 4);
        assert.ok(Math.abs(g.bodyBeats * g.samplesPerBeat - seconds * SAMPLE_RATE) < 1e-6);
        if (g.bodyBeats % 4 === 0) assert.ok(Math.abs(g.bpm / bpm - 1) <= MAX_BAR_BEND + 1e-9, `${seconds}s@${bpm}: ${g.bpm}`);
        else assert.ok(Math.abs(g.bpm / bpm - 1) <= 0.5 / g.bodyBeats + 1e-9, 'falls back to whole beats, nearest');
      }
    }
  });
  it('keeps the fitted tempo within 30-300 BPM', () => {
    const g = fitGrid(0.5 * SAMPLE_RATE, 300, 4);
    assert.ok(g.bpm >= 30 && g.bpm <= 300);
  });
});

describe('cuts and scenes', () => {
  it('parses a cut list strictly', () => {
    assert.deepEqual(parseCutList('12.5, 30,41.2', 60), [12.5, 30, 41.2]);
    assert.deepEqual(parseCutList('', 60), []);
    assert.throws(() => parseCutList('1e3', 60), UsageError);
    assert.throws(() => parseCutList('NaN', 60), UsageError);
  });
  it('snaps cuts to frames and merges scenes shorter than the minimum into the closer-looking neighbour', () => {
    const scenes = scenesFromCuts([10, 12, 30], {
      durationSec: 40, frameRate: 25, minSceneSec: 8, origin: 'caller',
      features: [[0], [0.9], [1], [0]], // the 2 s scene looks like the one after it
    });
    assert.deepEqual(scenes.map((s) => [s.start, s.end]), [[0, 10], [10, 30], [30, 40]]);
    assert.deepEqual(scenes[1]!.mergedCuts, [12]);
    const snapped = scenesFromCuts([10.013], { durationSec: 20, frameRate: 25, minSceneSec: 0, origin: 'caller' });
    assert.equal(snapped[0]!.end, 10);
    assert.equal(snapped[1]!.startSample, 480000);
  });
  it('keeps every cut with a minimum of 0, and one whole scene without cuts', () => {
    assert.equal(scenesFromCuts([1, 2, 3], { durationSec: 4, frameRate: 30, minSceneSec: 0, origin: 'caller' }).length, 4);
    const whole = scenesFromCuts([], { durationSec: 4, frameRate: 30, minSceneSec: 8, origin: 'detected' });
    assert.equal(whole.length, 1);
    assert.equal(whole[0]!.origin, 'whole');
  });
});

describe('loudness and true peak (BS.1770)', () => {
  it('reads a stereo 997 Hz sine at -20 dBFS peak as -20 LUFS (the standard calibration, +-0.1)', () => {
    const x = sine(997, 0.1, 5);
    assert.ok(Math.abs(integratedLoudness([x, x]) - -20) < 0.1, String(integratedLoudness([x, x])));
  });
  it('gates silence out of the integrated value', () => {
    const x = sine(997, 0.1, 5);
    const withSilence = new Float32Array(x.length * 2);
    withSilence.set(x);
    // Ungated, half silence would read -23 LUFS; gated, only the blocks straddling the edge count.
    assert.ok(Math.abs(integratedLoudness([withSilence, withSilence]) - -20) < 0.2);
    assert.equal(integratedLoudness([new Float32Array(SAMPLE_RATE * 2)]), -Infinity);
  });
  it('finds inter-sample peaks above the sample peak and limits them to the ceiling', () => {
    // fs/4 sine at 45 degrees phase: every sample is at 0.707 of the true peak.
    const x = new Float32Array(SAMPLE_RATE);
    for (let i = 0; i < x.length; i++) x[i] = Math.sin((Math.PI / 2) * i + Math.PI / 4);
    assert.ok(truePeakDb([x]) > -0.2, `true peak ${truePeakDb([x])}`);
    limitTruePeak([x], -1.2);
    assert.ok(truePeakDb([x]) <= -1.0, `after limiting ${truePeakDb([x])}`);
  });
});

describe('WAV', () => {
  it('round-trips 24-bit stereo within one LSB, with a correct header', () => {
    const l = sine(440, 0.5, 0.1);
    const r = sine(660, -0.25, 0.1);
    const bytes = encodeWav24([l, r], SAMPLE_RATE);
    assert.equal(bytes.length, 44 + l.length * 6);
    assert.equal(bytes.readUInt32LE(4), bytes.length - 8);
    const d = decodeWav(bytes);
    assert.equal(d.bitsPerSample, 24);
    for (let i = 0; i < l.length; i++) assert.ok(Math.abs(d.channels[0]![i]! - l[i]!) < 2 / 8388608);
  });
});

const spec = (o: Partial<CompositionSpec> = {}): CompositionSpec => ({
  style: 'pop-rock', key: { tonic: 'G', mode: 'major' }, bpm: 120, beatsPerBar: 4, bodyBeats: 32, headBeats: 8, tailBeats: 8,
  energyCurve: [0.3, 0.8, 0.9], motion: 0.5, seed: 3, ending: 'resolve', releaseBeats: 0, intro: true, ...o,
});

describe('composer', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    assert.deepEqual(compose(spec()), compose(spec()));
    assert.notDeepEqual(compose(spec()).notes, compose(spec({ seed: 4 })).notes);
  });
  it('gives each style its own instruments', () => {
    const palettes = STYLES.map((s) => compose(spec({ style: s.id, key: { tonic: 'C', mode: s.modes.bright } })).channels.map((c) => `${c.drums ? 'kit' : 'gm'}${c.program}`).sort().join(','));
    assert.equal(new Set(palettes).size, STYLES.length);
  });
  it('starts the body on a downbeat with a note at beat 0 and ends a resolving cue on the tonic', () => {
    const c = compose(spec());
    assert.ok(c.notes.some((n) => n.beat === 0));
    const bass = c.channels.find((ch) => ch.role === 'bass')!;
    const lastBass = c.notes.filter((n) => n.ch === bass.ch && n.beat < 32).at(-1)!;
    assert.equal(lastBass.key % 12, 7, 'G is the last bass note');
  });
  it('falls silent releaseBeats before the cut for a silent gap, and plays on in the tail handle', () => {
    const c = compose(spec({ ending: 'release', releaseBeats: 4 }));
    assert.ok(c.notes.every((n) => n.beat >= 32 || n.beat + n.dur <= 28 + 1e-9));
    assert.ok(c.notes.some((n) => n.beat >= 32), 'tail handle has music');
  });
  it('refuses an unknown style, an impossible key, a bpm out of range and absurd lengths, naming the field', () => {
    assert.throws(() => compose(spec({ style: 'polka' })), (e: Error) => e instanceof MusicParameterError && /style "polka"/.test(e.message));
    assert.throws(() => compose(spec({ key: { tonic: 'H' as 'C', mode: 'major' } })), /key.tonic/);
    assert.throws(() => compose(spec({ bpm: 400 })), /bpm: 400 is outside 30-300/);
    assert.throws(() => compose(spec({ bodyBeats: 0 })), /duration/);
    assert.throws(() => compose(spec({ bodyBeats: 120 * 60 * 3 })), /longer than the 1 hour/);
  });
});

const analysis = (valence: number, arousal: number, o: Partial<SceneAnalysis> = {}): SceneAnalysis => ({
  brightness: 0.5, contrast: 0.3, saturation: 0.3, warmth: 0, motion: 0.3, motionPeaks: [], shotRate: 4, dominantColours: [],
  valence, arousal, curve: { valence: [valence], arousal: [arousal], speech: [] }, speech: null, tags: [], caption: 'x', ...o,
});

describe('analysis, prompts and the director', () => {
  it('maps bright, colourful, warm pictures to higher valence, and fast cut-heavy ones to higher arousal', () => {
    assert.ok(valenceOf(0.8, 0.6, 0.4) > valenceOf(0.2, 0.1, -0.4));
    assert.ok(arousalOf(0.05, 20, 0.5) > arousalOf(0.002, 2, 0.1));
  });
  it('gives energetic scenes more energy and a faster tempo than still, dark ones', () => {
    const scenes = [analysis(0.4, 0.7), analysis(-0.4, -0.7)].map((a) => ({ analysis: a, seconds: 10 }));
    const anchor = anchorFor(scenes);
    const [fast, slow] = scenes.map((s) => rulesPrompt(s.analysis, anchor, { valence: 0, arousal: 0 }));
    assert.ok(fast!.energy > slow!.energy);
    assert.ok(fast!.bpm > slow!.bpm);
  });
  it('decides by the documented table', () => {
    const arc = planArc([0.2, 0.9, -0.6].map((arousal) => ({ arousal, seconds: 10 })));
    assert.deepEqual(arc.map((a) => a.role), ['setup', 'peak', 'resolve']);
    assert.equal(decideTransition({ a: analysis(0, -0.6), b: analysis(0, 0.6), arcA: arc[0]!, arcB: arc[1]! }).style, 'abrupt-cut');
    assert.equal(decideTransition({ a: analysis(0, 0.6), b: analysis(0, 0), arcA: arc[1]!, arcB: arc[2]! }).style, 'silent-gap');
    assert.equal(decideTransition({ a: analysis(0.1, 0.1), b: analysis(0.2, 0.2), arcA: arc[0]!, arcB: arc[0]! }).style, 'fade');
  });
});

describe('PySceneDetect flash filter (MERGE mode, length 15)', () => {
  const run = (above: number[], frames = 400) => {
    const f = new FlashFilter(15);
    const out: number[] = [];
    for (let i = 0; i < frames; i++) out.push(...f.filter(i, above.includes(i)));
    return out;
  };
  it('reports a hard cut once, a flash once, and a burst of motion once', () => {
    assert.deepEqual(run([30, 60, 61]), [30, 60]);
    // The flash's second edge left the filter merging, so the burst is reported where it ends.
    assert.deepEqual(run([30, 60, 61, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110]), [30, 60, 110]);
    assert.deepEqual(run([30, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110]), [30, 100]);
  });
  it('ignores changes within the first min-length frames of the video', () => {
    assert.deepEqual(run([5, 40]), [40]);
  });
  it('merges a run of close changes into one event reported at its last frame, as PySceneDetect does', () => {
    // A suppress-style filter would give [30, 300, 315]; MERGE reports the run's end.
    assert.deepEqual(run([30, 300, 305, 310, 315, 320, 325]), [30, 300, 325]);
  });
});

