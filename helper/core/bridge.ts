import type { BridgeSpan } from '../../shared/index.ts';
import { SAMPLE_RATE } from '../../shared/index.ts';

/**
 * Bridge geometry: where a generative bridge sits around a cut and how its tempo ramps. Pure.
 *
 * The bridge has preBeats in the outgoing meter before the cut and postBeats in the incoming meter
 * after it; the cut falls exactly on its beat `preBeats`, a downbeat. Its beat lengths ramp linearly
 * (in beat index) from the outgoing cue's beat to the incoming cue's, so the tempo glides across
 * the cut instead of jumping; each half is then scaled to fit its side exactly to the sample.
 */

/** 20 ms equal-power crossfade where a trimmed cue meets the bridge: no click, no audible overlap. */
export const BRIDGE_JOIN_SAMPLES = 960;

/** The fewest whole bars a trimmed neighbour keeps of its own body. */
export const MIN_BODY_BARS = 2;

export interface BridgeSide {
  bpm: number;
  beatsPerBar: number;
  /** Samples of this side's scene body still free for the bridge (after any other trims). */
  room: number;
}

const beatSamples = (bpm: number) => (60 / bpm) * SAMPLE_RATE;

/** Beat lengths ramping linearly from dA to dB across n beats, sampled at each beat's middle. */
export function rampedBeats(n: number, dA: number, dB: number): number[] {
  return Array.from({ length: n }, (_, i) => dA + ((dB - dA) * (i + 0.5)) / n);
}

/**
 * Plans a bridge of `barsEachSide` bars before and after the cut at `atSample`, or explains why it
 * does not fit. Each neighbour must keep at least MIN_BODY_BARS bars of its own music.
 */
export function planBridgeSpan(atSample: number, A: BridgeSide, B: BridgeSide, barsEachSide: number): BridgeSpan | string {
  const preBeats = barsEachSide * A.beatsPerBar;
  const postBeats = barsEachSide * B.beatsPerBar;
  const beats = rampedBeats(preBeats + postBeats, beatSamples(A.bpm), beatSamples(B.bpm));
  const pre = Math.round(beats.slice(0, preBeats).reduce((a, b) => a + b, 0));
  const post = Math.round(beats.slice(preBeats).reduce((a, b) => a + b, 0));
  const needA = pre + MIN_BODY_BARS * A.beatsPerBar * beatSamples(A.bpm);
  const needB = post + MIN_BODY_BARS * B.beatsPerBar * beatSamples(B.bpm);
  if (needA > A.room || needB > B.room) {
    const sec = (x: number) => (x / SAMPLE_RATE).toFixed(1);
    return `a ${2 * barsEachSide}-bar bridge needs ${sec(needA)} s of the outgoing scene and ${sec(needB)} s of the incoming one (they have ${sec(A.room)} s and ${sec(B.room)} s)`;
  }
  return { startSample: atSample - pre, endSample: atSample + post, preBeats, postBeats, joinSamples: BRIDGE_JOIN_SAMPLES };
}

/**
 * Sample positions (from the bridge's start) of its beats 0..preBeats+postBeats, ramping from the
 * outgoing grid's beat length to the incoming one's; beat preBeats lands exactly on the cut.
 */
export function bridgeBeatPositions(span: BridgeSpan, atSample: number, samplesPerBeatA: number, samplesPerBeatB: number): number[] {
  const n = span.preBeats + span.postBeats;
  const beats = rampedBeats(n, samplesPerBeatA, samplesPerBeatB);
  const halves = [
    { from: 0, to: span.preBeats, length: atSample - span.startSample, offset: 0 },
    { from: span.preBeats, to: n, length: span.endSample - atSample, offset: atSample - span.startSample },
  ];
  const pos = [0];
  for (const h of halves) {
    const nominal = beats.slice(h.from, h.to).reduce((a, b) => a + b, 0);
    let acc = 0;
    for (let i = h.from; i < h.to; i++) {
      acc += beats[i]!;
      pos.push(h.offset + (acc / nominal) * h.length);
    }
  }
  return pos;
}
