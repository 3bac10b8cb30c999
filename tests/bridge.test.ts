import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SAMPLE_RATE, type Key } from '../shared/index.ts';
import { bridgeBeatPositions, planBridgeSpan, BRIDGE_JOIN_SAMPLES } from '../helper/core/bridge.ts';
import { composeBridge, pivotChord, slerpWeights, type BridgeSpec } from '../helper/core/compose/bridge.ts';
import { scalePcs } from '../helper/core/compose/harmony.ts';
import { styleById } from '../helper/core/compose/styles.ts';
import { applyFades, master, RIDE_MAX_DB } from '../helper/core/master.ts';
import { integratedLoudness } from '../helper/core/loudness.ts';

/** The bridge composer and its geometry, and fade shapes: pure, no rendering. */

const spb = (bpm: number) => (60 / bpm) * SAMPLE_RATE;

describe('bridge geometry', () => {
  const at = 20 * SAMPLE_RATE;
  const A = { bpm: 90, beatsPerBar: 4, room: 20 * SAMPLE_RATE };
  const B = { bpm: 130, beatsPerBar: 4, room: 20 * SAMPLE_RATE };

  it('puts the cut exactly on the bridge beat after its first half, a downbeat', () => {
    const span = planBridgeSpan(at, A, B, 2);
    assert.ok(typeof span !== 'string');
    assert.equal(span.preBeats, 8);
    assert.equal(span.postBeats, 8);
    const pos = bridgeBeatPositions(span, at, spb(90), spb(130));
    assert.equal(pos.length, 17);
    assert.equal(span.startSample + pos[8]!, at);
    assert.equal(span.startSample + pos[16]!, span.endSample);
  });

  it('ramps the tempo: the first beat at A\'s tempo, the last at B\'s, every beat shorter than the one before', () => {
    const span = planBridgeSpan(at, A, B, 2) as Exclude<ReturnType<typeof planBridgeSpan>, string>;
    const pos = bridgeBeatPositions(span, at, spb(90), spb(130));
    const beats = pos.slice(1).map((p, i) => p - pos[i]!);
    assert.ok(Math.abs(beats[0]! / spb(90) - 1) < 0.05, `first beat ${beats[0]} vs ${spb(90)}`);
    assert.ok(Math.abs(beats.at(-1)! / spb(130) - 1) < 0.05, `last beat ${beats.at(-1)} vs ${spb(130)}`);
    for (let i = 1; i < beats.length; i++) assert.ok(beats[i]! < beats[i - 1]!, `beat ${i} is shorter`);
  });

  it('refuses a bridge that would leave a neighbour less than two bars of its own music', () => {
    const short = planBridgeSpan(at, { ...A, room: 8.5 * SAMPLE_RATE }, B, 2);
    assert.equal(typeof short, 'string');
    assert.match(short as string, /needs .* s of the outgoing scene/);
    assert.equal(typeof planBridgeSpan(at, { ...A, room: 8.5 * SAMPLE_RATE }, B, 1), "object");
  });
});

describe('slerp (JenBridge equation 7)', () => {
  it('starts at A, ends at B and keeps the power of orthogonal styles constant (an equal-power hand-over)', () => {
    const a = [1, 0, 0];
    const b = [0, 1, 0];
    assert.deepEqual(slerpWeights(a, b, 0).map((x) => Math.round(x * 1e9) / 1e9), [1, 0]);
    assert.deepEqual(slerpWeights(a, b, 1).map((x) => Math.round(x * 1e9) / 1e9), [0, 1]);
    for (const t of [0.1, 0.25, 0.5, 0.8]) {
      const [wa, wb] = slerpWeights(a, b, t);
      assert.ok(Math.abs(wa * wa + wb * wb - 1) < 1e-9, `power at ${t}`);
    }
    // Lerp would dip to 0.5 + 0.5 amplitude = -3 dB of power at the centre; slerp does not.
    const [wa, wb] = slerpWeights(a, b, 0.5);
    assert.ok(wa > 0.7 && wb > 0.7);
  });

  it('falls back to lerp for identical styles instead of dividing by zero', () => {
    assert.deepEqual(slerpWeights([1, 2], [1, 2], 0.25), [0.75, 0.25]);
  });
});

describe('the bridge composer', () => {
  const A: Key = { tonic: 'A', mode: 'minor' };
  const B: Key = { tonic: 'D', mode: 'major' };
  const spec: BridgeSpec = {
    from: { style: 'piano', key: A, bpm: 80, beatsPerBar: 4, energy: 0.3, motion: 0.2 },
    to: { style: 'pop-rock', key: B, bpm: 128, beatsPerBar: 4, energy: 0.8, motion: 0.6 },
    preBeats: 8, postBeats: 8, headBeats: 8, tailBeats: 8, seed: 5,
  };
  const comp = composeBridge(spec);
  const notesIn = (from: number, to: number) => comp.notes.filter((n) => n.beat >= from && n.beat < to && !comp.channels.find((c) => c.ch === n.ch)!.drums);

  it('plays its first bar in the outgoing key and its last in the incoming key (dominant leading tone and the bass\'s chromatic approach allowed)', () => {
    // The bass may step into the next bar's root from a semitone below on the bar's last beat.
    const approach = (n: (typeof comp.notes)[number]) => n.beat % 4 >= 3 && comp.notes.some((m) => m.ch === n.ch && Math.abs(m.beat - (Math.floor(n.beat) + 1)) < 1e-6 && m.key === n.key + 1);
    const first = notesIn(0, 4).filter((n) => !approach(n));
    const last = notesIn(12, 16);
    assert.ok(first.length > 0 && last.length > 0);
    const inA = scalePcs(A);
    const inB = scalePcs(B);
    for (const n of first) assert.ok(inA.includes(n.key % 12), `first bar note ${n.key} in A minor`);
    for (const n of last) assert.ok(inB.includes(n.key % 12), `last bar note ${n.key} in D major`);
    // The last bar is B's dominant (A major): its root A and third C# are there.
    const pcs = new Set(last.map((n) => n.key % 12));
    assert.ok(pcs.has(9) && pcs.has(1), `dominant of D in the last bar: ${[...pcs]}`);
  });

  it('hands the instruments over: A-only parts are gone after the cut\'s far side, B-only parts absent before it', () => {
    const progs = (id: string) => new Set(styleById(id).parts.filter((p) => p.role !== 'drums').map((p) => p.program));
    const piano = progs('piano');
    const rock = progs('pop-rock');
    const aChannels = comp.channels.filter((c) => !c.drums && piano.has(c.program) && !rock.has(c.program)).map((c) => c.ch);
    const bChannels = comp.channels.filter((c) => !c.drums && rock.has(c.program) && !piano.has(c.program)).map((c) => c.ch);
    assert.ok(aChannels.length && bChannels.length);
    assert.ok(comp.notes.some((n) => aChannels.includes(n.ch) && n.beat < 4), 'A plays at the start');
    assert.ok(comp.notes.some((n) => bChannels.includes(n.ch) && n.beat >= 12), 'B plays at the end');
    assert.ok(!comp.notes.some((n) => aChannels.includes(n.ch) && n.beat >= 16), 'A is gone in the tail');
    assert.ok(!comp.notes.some((n) => bChannels.includes(n.ch) && n.beat < 0), 'B is absent in the head');
  });

  it('is deterministic, and a different seed writes a different bridge', () => {
    assert.deepEqual(composeBridge(spec), comp);
    assert.notDeepEqual(composeBridge({ ...spec, seed: 6 }).notes, comp.notes);
  });

  it('finds a pivot chord shared by related keys, and none for distant ones', () => {
    const p = pivotChord({ tonic: 'C', mode: 'major' }, { tonic: 'G', mode: 'major' });
    assert.ok(p);
    assert.ok(p.inA.pcs.every((pc) => scalePcs({ tonic: 'G', mode: 'major' }).includes(pc)));
    assert.equal(pivotChord({ tonic: 'C', mode: 'major' }, { tonic: 'F#', mode: 'major' }), null);
  });

  it('names the field when a side is impossible', () => {
    assert.throws(() => composeBridge({ ...spec, to: { ...spec.to, bpm: 400 } }), /bpm: 400 is outside 30-300/);
    assert.throws(() => composeBridge({ ...spec, preBeats: 6 }), /bridge\.from: 6 beats is not a whole number of 4-beat bars/);
  });
});

describe('fade shapes', () => {
  const ones = () => [new Float32Array(1000).fill(1)];
  it('linear is half way at the middle; equal-power is at -3 dB there', () => {
    for (const [shape, mid] of [['linear', 0.5], ['equal-power', Math.SQRT1_2]] as const) {
      const ch = ones();
      applyFades(ch, { bodyStart: 0, bodyEnd: 1000, fadeIn: null, fadeOut: { samples: 400, shape } });
      assert.ok(Math.abs(ch[0]![800]! - mid) < 0.01, `${shape} at the middle: ${ch[0]![800]}`);
      assert.equal(ch[0]![500], 1);
      assert.ok(ch[0]![999]! < 0.01);
    }
  });
  it('a crossfade of two equal-power fades keeps the power flat', () => {
    const out = ones();
    const inn = ones();
    applyFades(out, { bodyStart: 0, bodyEnd: 1000, fadeIn: null, fadeOut: { samples: 1000, shape: 'equal-power' } });
    applyFades(inn, { bodyStart: 0, bodyEnd: 1000, fadeIn: { samples: 1000, shape: 'equal-power' }, fadeOut: null });
    for (const i of [100, 500, 900]) assert.ok(Math.abs(out[0]![i]! ** 2 + inn[0]![i]! ** 2 - 1) < 0.01);
  });
  it('the join crossfade at a bridge is 20 ms', () => assert.equal(BRIDGE_JOIN_SAMPLES, 0.02 * SAMPLE_RATE));
});

describe('bridge mastering', () => {
  const lufs = (ch: Float32Array[], a: number, b: number) => integratedLoudness(ch.map((c) => c.subarray(a, b)));

  it('brings each half of a bridge to the target, so it meets both neighbours at their loudness', () => {
    const n = 8 * SAMPLE_RATE;
    const half = n / 2;
    // A quiet first half (A's texture) and a loud second half (B's), like a piano-to-rock bridge.
    const make = () => [0, 1].map(() => Float32Array.from({ length: n }, (_, i) => (i < half ? 0.02 : 0.4) * Math.sin((2 * Math.PI * 440 * i) / SAMPLE_RATE)));
    const opts = { targetLufs: -16, ceilingDbtp: -1, bodyStart: 0, bodyEnd: n, fadeIn: null, fadeOut: null, release: null };
    const whole = make();
    master(whole, opts);
    const split = make();
    master(split, { ...opts, split: { at: half, glide: 0.5 * SAMPLE_RATE } });
    // One gain for the whole body leaves the halves far apart; the split brings both to -16.
    assert.ok(lufs(whole, half, n) - lufs(whole, 0, half) > 20);
    for (const [a, b] of [[0, half - SAMPLE_RATE / 2], [half + SAMPLE_RATE / 2, n]] as const) assert.ok(Math.abs(lufs(split, a, b) + 16) < 0.6, `half at ${lufs(split, a, b)}`);
  });

  it('rides the second either side of a cut to the loudness of the music it belongs to, leaving the rest and the body\'s loudness alone', () => {
    const n = 10 * SAMPLE_RATE;
    const cut = 5 * SAMPLE_RATE;
    // A bar that happens to be quiet just before the cut (a tune resting), and a loud downbeat bar after it.
    const level = (i: number) => (i >= cut - SAMPLE_RATE && i < cut ? 0.05 : i >= cut && i < cut + SAMPLE_RATE ? 0.2 : 0.1);
    const make = () => [0, 1].map(() => Float32Array.from({ length: n }, (_, i) => level(i) * Math.sin((2 * Math.PI * 440 * i) / SAMPLE_RATE)));
    const opts = { targetLufs: -16, ceilingDbtp: -1, bodyStart: 0, bodyEnd: n, fadeIn: null, fadeOut: null, release: null };
    const plain = make();
    master(plain, opts);
    const ridden = make();
    master(ridden, { ...opts, rides: [{ at: cut, side: 'before' }, { at: cut, side: 'after' }] });
    const jump = (ch: Float32Array[]) => lufs(ch, cut, cut + SAMPLE_RATE) - lufs(ch, cut - SAMPLE_RATE, cut);
    assert.ok(Math.abs(jump(plain) - 12) < 0.3, `unridden, the cut jumps ${jump(plain).toFixed(2)} LU`);
    // Each side moves at most RIDE_MAX_DB (4 dB) toward the body: 12 LU becomes about 4.
    assert.ok(Math.abs(jump(ridden) - 4) < 0.6, `ridden, the cut jumps ${jump(ridden).toFixed(2)} LU`);
    assert.ok(Math.abs(lufs(ridden, 0, n) + 16) < 0.2, `the body stays on target (${lufs(ridden, 0, n).toFixed(2)} LUFS)`);
    // More than two seconds from the cut, the ride changes nothing but the overall gain.
    const ratio = (i: number) => ridden[0]![i]! / plain[0]![i]!;
    for (const i of [SAMPLE_RATE, 2 * SAMPLE_RATE, 7.5 * SAMPLE_RATE, 9 * SAMPLE_RATE]) assert.ok(Math.abs(ratio(i + 11) / ratio(SAMPLE_RATE + 11) - 1) < 1e-3, `sample ${i}`);
  });

  it('rides a split bridge\'s cut against each half\'s own loudness', () => {
    const n = 10 * SAMPLE_RATE;
    const cut = 5 * SAMPLE_RATE;
    // A's half even; B's half opens with a loud bar and settles quieter, like a downbeat into a rock groove.
    const level = (i: number) => (i < cut ? 0.1 : i < cut + SAMPLE_RATE ? 0.17 : 0.12);
    const make = () => [0, 1].map(() => Float32Array.from({ length: n }, (_, i) => level(i) * Math.sin((2 * Math.PI * 440 * i) / SAMPLE_RATE)));
    const opts = { targetLufs: -16, ceilingDbtp: -1, bodyStart: 0, bodyEnd: n, fadeIn: null, fadeOut: null, release: null, split: { at: cut, glide: 0.25 * SAMPLE_RATE } };
    const plain = make();
    master(plain, opts);
    const ridden = make();
    master(ridden, { ...opts, rides: [{ at: cut, side: 'before' }, { at: cut, side: 'after' }] });
    const jump = (ch: Float32Array[]) => lufs(ch, cut, cut + SAMPLE_RATE) - lufs(ch, cut - SAMPLE_RATE, cut);
    assert.ok(jump(plain) > 2.2, `unridden, B's first bar stands ${jump(plain).toFixed(2)} LU above A's last`);
    assert.ok(Math.abs(jump(ridden)) < 1, `ridden, ${jump(ridden).toFixed(2)} LU`);
  });

  it('rides a cue on through the half of a crossfade it still sounds in, without stepping back at the fade\'s centre', () => {
    const n = 10 * SAMPLE_RATE;
    const centre = 8 * SAMPLE_RATE;
    const half = SAMPLE_RATE / 2;
    // The scene's music drops 8 dB for its last second before the fade's centre and stays there under the fade.
    const level = (i: number) => (i < centre - SAMPLE_RATE ? 0.1 : 0.04);
    const make = () => [0, 1].map(() => Float32Array.from({ length: n }, (_, i) => level(i) * Math.sin((2 * Math.PI * 440 * i) / SAMPLE_RATE)));
    const opts = { targetLufs: -16, ceilingDbtp: -1, bodyStart: 0, bodyEnd: centre + half, fadeIn: null, fadeOut: null, release: null };
    const x = make();
    const { curve } = master(x, { ...opts, rides: [{ at: centre, side: 'before', through: half }] });
    // The gain holds across the centre (no step where the other cue is loudest in the mix)...
    assert.ok(Math.abs(curve[centre - 100]! / curve[centre + 100]! - 1) < 1e-4, `gain ${curve[centre - 100]} before the centre, ${curve[centre + 100]} after`);
    // ...and the music from a second before the centre to the fade's end is ridden 4 dB (the cap) toward the rest.
    const plain = make();
    master(plain, opts);
    const lift = lufs(x, centre - SAMPLE_RATE, centre + half) - lufs(x, 0, centre - 2 * SAMPLE_RATE) - (lufs(plain, centre - SAMPLE_RATE, centre + half) - lufs(plain, 0, centre - 2 * SAMPLE_RATE));
    assert.ok(Math.abs(lift - RIDE_MAX_DB) < 0.2, `lifted ${lift.toFixed(2)} dB`);
    // The hold under the far half of the fade, heard mostly faded away, leaves the body's gain where the ride alone puts it.
    const { curve: cutOnly } = master(make(), { ...opts, rides: [{ at: centre, side: 'before' }] });
    assert.equal(curve[SAMPLE_RATE], cutOnly[SAMPLE_RATE]);
  });

  it('rides a split bridge\'s cut on the music as its halves\' gains and the glide between them leave it', () => {
    const n = 10 * SAMPLE_RATE;
    const cut = 5 * SAMPLE_RATE;
    // Even halves 12 dB apart (a piano bridge into rock): the glide between their gains straddles the cut.
    const level = (i: number) => (i < cut ? 0.05 : 0.2);
    const make = () => [0, 1].map(() => Float32Array.from({ length: n }, (_, i) => level(i) * Math.sin((2 * Math.PI * 440 * i) / SAMPLE_RATE)));
    const opts = { targetLufs: -16, ceilingDbtp: -1, bodyStart: 0, bodyEnd: n, fadeIn: null, fadeOut: null, release: null, split: { at: cut, glide: SAMPLE_RATE / 2 } };
    const plain = make();
    master(plain, opts);
    const ridden = make();
    master(ridden, { ...opts, rides: [{ at: cut, side: 'before' }, { at: cut, side: 'after' }] });
    const jump = (ch: Float32Array[]) => lufs(ch, cut, cut + SAMPLE_RATE) - lufs(ch, cut - SAMPLE_RATE, cut);
    assert.ok(jump(plain) > 0.6, `the glide alone leaves ${jump(plain).toFixed(2)} LU across the cut`);
    assert.ok(Math.abs(jump(ridden)) < 0.1, `ridden, ${jump(ridden).toFixed(2)} LU`);
    // Each second next to the cut sits at the loudness of the rest of its own half (beyond the rides' ramps).
    const restA = lufs(ridden, 0, cut - 2 * SAMPLE_RATE);
    const restB = lufs(ridden, cut + 2 * SAMPLE_RATE, n);
    assert.ok(Math.abs(lufs(ridden, cut - SAMPLE_RATE, cut) - restA) < 0.05, `before the cut ${lufs(ridden, cut - SAMPLE_RATE, cut).toFixed(2)}, A ${restA.toFixed(2)}`);
    assert.ok(Math.abs(lufs(ridden, cut, cut + SAMPLE_RATE) - restB) < 0.05, `after the cut ${lufs(ridden, cut, cut + SAMPLE_RATE).toFixed(2)}, B ${restB.toFixed(2)}`);
    for (const rest of [restA, restB]) assert.ok(Math.abs(rest + 16) < 0.1, `a half at ${rest.toFixed(2)}`);
  });

  it('brings the seconds either side of a short bridge\'s cut to the target, though they are most of each half', () => {
    const n = 5 * SAMPLE_RATE;
    const cut = 2.5 * SAMPLE_RATE;
    // Halves of 2.5 s (a two-bar bridge): A's last second quieter than the rest of A, B's first louder than the rest of B.
    const level = (i: number) => (i < cut - SAMPLE_RATE ? 0.05 : i < cut ? 0.03 : i < cut + SAMPLE_RATE ? 0.3 : 0.2);
    const x = [0, 1].map(() => Float32Array.from({ length: n }, (_, i) => level(i) * Math.sin((2 * Math.PI * 440 * i) / SAMPLE_RATE)));
    master(x, { targetLufs: -16, ceilingDbtp: -1, bodyStart: 0, bodyEnd: n, fadeIn: null, fadeOut: null, release: null, split: { at: cut, glide: SAMPLE_RATE / 4 }, rides: [{ at: cut, side: 'before' }, { at: cut, side: 'after' }] });
    for (const [a, b] of [[cut - SAMPLE_RATE, cut], [cut, cut + SAMPLE_RATE]] as const) assert.ok(Math.abs(lufs(x, a, b) + 16) < 0.1, `${a / SAMPLE_RATE}-${b / SAMPLE_RATE} s at ${lufs(x, a, b).toFixed(2)} LUFS`);
  });
});

