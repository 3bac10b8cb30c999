import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpessaSynthProcessor } from 'spessasynth_core';
import { SAMPLE_RATE } from '../shared/index.ts';
import { loadSoundFont } from '../helper/adapters/synth.ts';
import { acceleratePlate } from '../helper/adapters/synth-plate.ts';

/**
 * The plate reverb's faster loop (helper/adapters/synth-plate.ts) must sound exactly like
 * spessasynth_core's own: two synths play the same notes through heavy reverb, one of them
 * accelerated, in blocks of uneven length as a render cuts them at events.
 */
describe('the accelerated plate reverb', () => {
  const play = async (accelerate: boolean, character?: number) => {
    const synth = new SpessaSynthProcessor(SAMPLE_RATE, { maxBufferSize: 128, effectsEnabled: true, eventsEnabled: false });
    synth.onMissingPreset = () => undefined;
    synth.soundBankManager.addSoundBank(loadSoundFont('timgm6mb'), 'main');
    await synth.processorInitialized;
    if (character !== undefined) synth.reverbProcessor.character = character;
    const installed = accelerate ? acceleratePlate(synth) : false;
    for (const [ch, program] of [[0, 0], [1, 48], [2, 73]] as const) {
      synth.programChange(ch, program);
      synth.controllerChange(ch, 91, 127);
    }
    const total = 3 * SAMPLE_RATE;
    const L = new Float32Array(total), R = new Float32Array(total);
    const notes = [[0, 0, 60], [4_000, 1, 48], [9_001, 2, 79], [30_000, 0, 67], [61_111, 2, 84], [90_000, 1, 43]] as const;
    let t = 0, e = 0, block = 0;
    while (t < total) {
      while (e < notes.length && notes[e]![0] <= t) synth.noteOn(notes[e]![1], notes[e]![2], 110), e++;
      if (t >= 100_000) synth.stopAllChannels(); // the tail: reverb alone
      const next = e < notes.length ? notes[e]![0] : total;
      const n = Math.min(1 + ((block++ * 37) % 128), next - t, total - t);
      synth.process(L, R, t, n);
      t += n;
    }
    return { installed, L, R };
  };

  for (const character of [undefined, 0, 3, 5]) {
    it(`renders sample for sample what the library's plate renders (reverb character ${character ?? 'default'})`, async () => {
      const lib = await play(false, character);
      const fast = await play(true, character);
      assert.ok(fast.installed, 'the installed spessasynth_core plate is not the shape synth-plate.ts was written for: update it');
      const energy = lib.L.subarray(100_000).reduce((a, v) => a + v * v, 0);
      assert.ok(energy > 1e-3, 'the reverb tail is heard, so the comparison covers the plate');
      for (const [a, b, side] of [[lib.L, fast.L, 'left'], [lib.R, fast.R, 'right']] as const) {
        const i = a.findIndex((v, k) => v !== b[k]);
        assert.equal(i, -1, `${side} differs first at sample ${i}: ${a[i]} vs ${b[i]}`);
      }
    });
  }
});
