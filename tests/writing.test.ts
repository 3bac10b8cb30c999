import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { musicStats } from '../bench/measure/music.ts';
import { compose } from '../helper/core/compose/composer.ts';
import { FIGURES, figureFor } from '../helper/core/compose/parts.ts';
import { STYLES } from '../helper/core/compose/styles.ts';

/**
 * Issue 15 item 4: every style keeps a rhythmic surface, even at the low energies real scenes give
 * (held chords used to leave beats empty and notes half a second apart). Real music (SymMV/LPD):
 * inter-onset interval 0.184 s, empty-beat rate 0.023.
 */
describe('denser, more musical writing', () => {
  const stats = (style: (typeof STYLES)[number], energy: number, seed: number) => {
    const bpm = Math.round((style.bpm[0] + style.bpm[1]) / 2);
    const c = compose({ style: style.id, key: { tonic: 'D', mode: style.modes.bright }, bpm, beatsPerBar: style.beatsPerBar, bodyBeats: 64, headBeats: 4, tailBeats: 4, energyCurve: [energy], motion: 0.4, seed, ending: 'continue', releaseBeats: 0, intro: true });
    return musicStats(c, bpm);
  };

  it('moves figures at a natural pace: eighths at a quick beat, a gallop between, sixteenths at a slow one', () => {
    assert.equal(figureFor(60 / 150), FIGURES.eighths);
    assert.equal(figureFor(60 / 100), FIGURES.gallop);
    assert.equal(figureFor(60 / 70), FIGURES.sixteenths);
  });

  it('gives every style a pulse inside its held chords at low energy', () => {
    const all = STYLES.flatMap((style) => [0.15, 0.3, 0.6].flatMap((e) => [1, 2].map((seed) => ({ style: style.id, ...stats(style, e, seed) }))));
    for (const s of all) {
      assert.ok(s.interOnsetInterval < 0.5, `${s.style}: notes ${s.interOnsetInterval.toFixed(2)} s apart`);
      assert.ok(s.emptyBeatRate < 0.05, `${s.style}: ${(s.emptyBeatRate * 100).toFixed(0)} % of beats empty`);
      assert.ok(s.scaleConsistency > 0.93, `${s.style}: the figures stay in the key (${s.scaleConsistency.toFixed(3)})`);
    }
    // Over all styles: within 10 % of real music's inter-onset interval and pitch entropy (4.197 bits).
    const mean = (k: 'interOnsetInterval' | 'pitchEntropy') => all.reduce((a, s) => a + s[k], 0) / all.length;
    assert.ok(Math.abs(mean('interOnsetInterval') / 0.184 - 1) <= 0.1, `mean inter-onset interval ${mean('interOnsetInterval').toFixed(3)} s against real music's 0.184 s`);
    assert.ok(Math.abs(mean('pitchEntropy') / 4.197 - 1) <= 0.1, `mean pitch entropy ${mean('pitchEntropy').toFixed(2)} bits against real music's 4.20`);
  });
});
