import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SAMPLE_RATE } from '../shared/index.ts';
import { beatErrorAt, chroma, compareKey, estimateKey, estimateTempo, onsetEnvelope } from '../bench/measure/audio.ts';
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
  it('counts a mode found as the major key with its notes as agreement', () => {
    assert.equal(compareKey({ tonic: 'C', mode: 'lydian' }, { tonic: 7, minor: false }), 'same-notes');
    assert.equal(compareKey({ tonic: 'C', mode: 'major' }, { tonic: 9, minor: true }), 'relative');
    assert.equal(compareKey({ tonic: 'C', mode: 'major' }, { tonic: 6, minor: false }), 'other');
  });
});
