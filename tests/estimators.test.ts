import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SAMPLE_RATE } from '../shared/index.ts';
import { beatErrorAt, chroma, CLEAR_PULSE, compareKey, estimateKey, estimatePulse, estimateTempo, onsetEnvelope } from '../bench/measure/audio.ts';
import { compose } from '../helper/core/compose/composer.ts';
import { STYLES } from '../helper/core/compose/styles.ts';
import { renderComposition } from '../helper/adapters/synth.ts';
import { Rng } from '../helper/core/compose/rng.ts';

/** The bench's independent listeners must be right on signals whose answer is known. */

function clicks(bpm: number, seconds: number, offsetSec: number): Float32Array {
  const x = new Float32Array(seconds * SAMPLE_RATE);
  const rng = new Rng(3);
  for (let i = 0; i < x.length; i++) x[i] = (rng.next() - 0.5) * 0.002;
  const beat = (60 / bpm) * SAMPLE_RATE;
  for (let b = 0; offsetSec * SAMPLE_RATE + (b * beat) / 2 < x.length; b++) {
    const start = Math.round(offsetSec * SAMPLE_RATE + (b * beat) / 2);
    // Beats loud (downbeats louder), off-beat eighths soft: a drum-kit-like pattern.
    const amp = b % 8 === 0 ? 0.9 : b % 2 === 0 ? 0.6 : 0.2;
    for (let i = 0; i < 2400 && start + i < x.length; i++) x[start + i]! += amp * Math.exp(-i / 300) * Math.sin((2 * Math.PI * 1000 * i) / SAMPLE_RATE);
  }
  return x;
}

describe('tempo and beat estimator', () => {
  for (const bpm of [80, 94, 123, 144]) {
    it(`finds ${bpm} BPM within 2 % and the beats within 15 ms`, () => {
      const x = clicks(bpm, 10, 0.137);
      const est = estimateTempo(onsetEnvelope(x));
      assert.ok(Math.abs(est / bpm - 1) <= 0.02, `estimated ${est}`);
      const beatAt = 0.137 + (6 * 60) / bpm;
      const { errorSec } = beatErrorAt(x, Math.round(beatAt * SAMPLE_RATE), 0, x.length);
      assert.ok(errorSec < 0.015, `beat error ${errorSec}`);
      // Half a beat off: the estimator must notice.
      const off = beatErrorAt(x, Math.round((beatAt + 30 / bpm) * SAMPLE_RATE), 0, x.length).errorSec;
      assert.ok(off > 0.15, `off-beat error ${off}`);
    });
  }
});

describe('pulse clarity', () => {
  it('tells a beat to hear from none: high for a click track, low for noise and for a slowly swelling tone', () => {
    const at = (x: Float32Array) => beatErrorAt(x, 0, 0, x.length).clarity;
    assert.ok(at(clicks(94, 8, 0.1)) >= 0.5, `clicks: ${at(clicks(94, 8, 0.1))}`);
    const rng = new Rng(9);
    const noise = Float32Array.from({ length: 8 * SAMPLE_RATE }, () => rng.next() - 0.5);
    const swell = Float32Array.from({ length: 8 * SAMPLE_RATE }, (_, i) => 0.3 * Math.sin(i * 0.02) * (0.6 + 0.4 * Math.sin(i / SAMPLE_RATE)));
    for (const [name, x] of [['noise', noise], ['a swelling tone', swell]] as const) assert.ok(at(x) < CLEAR_PULSE, `${name}: ${at(x)}`);
  });
});

describe('the current estimator: multi-feature onsets', () => {
  /** Kick and snare on the beats, hi-hats swung onto the last triplet of each beat. */
  function swung(bpm: number, seconds: number, offsetSec: number): Float32Array {
    const x = new Float32Array(seconds * SAMPLE_RATE);
    const rng = new Rng(5);
    for (let i = 0; i < x.length; i++) x[i] = (rng.next() - 0.5) * 0.002;
    const beat = (60 / bpm) * SAMPLE_RATE;
    const hit = (at: number, amp: number, hz: number, decay: number) => {
      for (let i = 0; i < 4800 && at + i < x.length; i++) x[Math.round(at) + i]! += amp * Math.exp(-i / decay) * (hz ? Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE) : rng.next() - 0.5);
    };
    for (let b = 0; offsetSec * SAMPLE_RATE + b * beat < x.length; b++) {
      const t = offsetSec * SAMPLE_RATE + b * beat;
      hit(t, b % 2 ? 0.5 : 0.7, b % 2 ? 0 : 60, b % 2 ? 600 : 1500);
      hit(t + (2 / 3) * beat, 0.3, 0, 150);
    }
    return x;
  }
  for (const bpm of [70, 92, 140]) {
    it(`hears the beat, not the triplet, of a swung ${bpm} BPM groove`, () => {
      const x = swung(bpm, 12, 0.137);
      const p = estimatePulse(x);
      // The beat or a duple level of it (half time on the kick), never a triplet level (2/3 or 3/2).
      assert.ok([0.5, 1, 2].some((m) => Math.abs(p.bpm / (bpm * m) - 1) <= 0.02), `estimated ${p.bpm}`);
      const beatAt = Math.round((0.137 + (4 * 60) / bpm) * SAMPLE_RATE);
      const next = beatAt + Math.round((60 * SAMPLE_RATE) / bpm);
      assert.ok(Math.min(beatErrorAt(x, beatAt, 0, x.length).errorSec, beatErrorAt(x, next, 0, x.length).errorSec) < 0.03, 'the beats (at half time: every other one) are heard');
      assert.ok(beatErrorAt(x, beatAt + Math.round(((2 / 3) * 60 * SAMPLE_RATE) / bpm), 0, x.length).errorSec > 0.1, 'the swung hat is not a beat');
    });
  }

  it('finds the planned beats in every style\'s own render, at the tempo or a duple level of it', async () => {
    for (const style of STYLES) {
      const bpm = Math.round(style.bpm[0] + (style.bpm[1] - style.bpm[0]) * 0.8);
      const spb = (60 / bpm) * SAMPLE_RATE;
      const bodyBeats = Math.round((12 * bpm) / 60 / 4) * 4;
      const comp = compose({ style: style.id, key: { tonic: 'D', mode: style.modes.bright }, bpm, beatsPerBar: style.beatsPerBar, bodyBeats, headBeats: 4, tailBeats: 4, energyCurve: [0.5, 0.7, 0.8], motion: 0.4, seed: 7, ending: 'continue', releaseBeats: 0, intro: false });
      const total = Math.round((bodyBeats + 8) * spb);
      const pcm = await renderComposition(comp, { sampleRate: SAMPLE_RATE, originSample: Math.round(4 * spb), samplesPerBeat: spb, beatPositions: null, tailSamplesPerBeat: spb, totalSamples: total }, 'timgm6mb');
      const x = pcm[0]!.map((v, i) => (v + pcm[1]![i]!) / 2);
      const from = Math.round(4 * spb);
      const p = estimatePulse(x, from, from + Math.round(bodyBeats * spb));
      assert.ok([0.5, 1, 2].some((m) => Math.abs(p.bpm / (bpm * m) - 1) <= 0.02), `${style.id} at ${bpm}: heard ${p.bpm}`);
      const off = (((p.firstBeat - from) / spb) % 1 + 1) % 1;
      assert.ok(Math.min(off, 1 - off) * spb < 0.05 * SAMPLE_RATE || (p.bpm > bpm * 1.5 && Math.abs(off - 0.5) * spb < 0.05 * SAMPLE_RATE), `${style.id}: beats ${Math.round(Math.min(off, 1 - off) * spb / 48)} ms off the plan's`);
    }
  });
});

describe('key estimator', () => {
  const chordTones = (midis: number[][], secondsEach: number) => {
    const x = new Float32Array(midis.length * secondsEach * SAMPLE_RATE);
    midis.forEach((chord, c) => {
      for (const m of chord) {
        const f = 440 * 2 ** ((m - 69) / 12);
        for (let i = 0; i < secondsEach * SAMPLE_RATE; i++) x[c * secondsEach * SAMPLE_RATE + i]! += 0.1 * Math.sin((2 * Math.PI * f * i) / SAMPLE_RATE);
      }
    });
    return x;
  };
  it('hears C major in I-IV-V-I and A minor in i-iv-V-i', () => {
    const cMajor = chordTones([[48, 60, 64, 67], [53, 60, 65, 69], [55, 59, 62, 67], [48, 60, 64, 67]], 2);
    const k1 = estimateKey(chroma(cMajor, 0, cMajor.length));
    assert.deepEqual([k1.tonic, k1.minor], [0, false]);
    const aMinor = chordTones([[45, 57, 60, 64], [50, 57, 62, 65], [52, 56, 59, 64], [45, 57, 60, 64]], 2);
    const k2 = estimateKey(chroma(aMinor, 0, aMinor.length));
    assert.deepEqual([k2.tonic, k2.minor], [9, true]);
  });
  it('hears every major and minor key in a cadence of notes with overtones, with the profiles for audio too', () => {
    // Sawtooth-like tones (8 partials at 1/h), bass and chords, the cadence in all 24 keys: the
    // profiles with harmonics lose nothing the plain ones find (their gain shows on the bench's cues).
    const overtones = (chords: number[][]) => {
      const x = new Float32Array(chords.length * SAMPLE_RATE);
      chords.forEach((chord, c) => {
        for (const m of chord) for (let h = 1; h <= 8; h++) {
          const f = 440 * 2 ** ((m - 69) / 12) * h;
          for (let i = 0; i < SAMPLE_RATE; i++) x[c * SAMPLE_RATE + i]! += (0.05 / h) * Math.sin((2 * Math.PI * f * i) / SAMPLE_RATE);
        }
      });
      return x;
    };
    for (let t = 0; t < 12; t++) {
      for (const minor of [false, true]) {
        const third = minor ? 3 : 4;
        const x = overtones([[0, third, 7], [5, 5 + third, 12], [7, 11, 14], [0, third, 7]].map((c, i) => [48 + t + [0, 5, 7, 0][i]!, ...c.map((k) => 60 + t + k)]));
        for (const audio of [false, true]) {
          const k = estimateKey(chroma(x, 0, x.length), audio);
          assert.deepEqual([k.tonic, k.minor], [t, minor], `${t}${minor ? ' minor' : ''}, ${audio ? 'audio' : 'plain'} profiles`);
        }
      }
    }
  });
  it('counts a mode found as the major key with its notes as agreement', () => {
    assert.equal(compareKey({ tonic: 'C', mode: 'lydian' }, { tonic: 7, minor: false }), 'same-notes');
    assert.equal(compareKey({ tonic: 'C', mode: 'major' }, { tonic: 9, minor: true }), 'relative');
    assert.equal(compareKey({ tonic: 'C', mode: 'major' }, { tonic: 6, minor: false }), 'other');
  });
});
