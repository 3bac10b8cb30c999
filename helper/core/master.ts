import { SAMPLE_RATE, type Decibels, type Fade, type Lufs, type Samples } from '../../shared/index.ts';
import { integratedLoudness, limitTruePeak, LoudnessMeter, removeDc, truePeakDb } from './loudness.ts';

/**
 * Mastering of one cue file: DC removal, loudness to target (measured on the audible body),
 * baked transition fades, true-peak limiting, and short de-click ramps at the file's very ends.
 */

export interface MasterOptions {
  targetLufs: Lufs;
  ceilingDbtp: Decibels;
  /** The audible body within the file: [bodyStart, bodyEnd). */
  bodyStart: Samples;
  bodyEnd: Samples;
  fadeIn: Fade | null;
  fadeOut: Fade | null;
  /**
   * Before a silent gap: the notes stop at `from` and their natural release (decays, reverb) is
   * allowed until `to`, shaped by an equal-power fade, after which the file is digital silence.
   */
  release: { from: Samples; to: Samples } | null;
  /**
   * Bridges: the body's two halves are brought to the target separately, the gain gliding from
   * one to the other over `glide` samples centred on `at` (the cut), so the bridge meets each
   * neighbour at that neighbour's loudness instead of swelling through the cut.
   */
  split?: { at: Samples; glide: Samples } | null;
  /** Under a voice across a cut: the music `db` down over [from, to), ramping over `ramp` samples either side (file samples). */
  ducks?: FileDuck[];
  /**
   * Cuts the music plays across (abrupt cuts, a crossfade's centre, a bridge's cut): the second of
   * music on `side` of `at` is ridden toward the loudness of the rest of the body (a split bridge's
   * halves: the target they are brought to), as a mixer rides the fader into and out of a cut, so
   * a bar that happens to be quiet (a tune resting, a lower register) is not heard as a dip against
   * the other side's downbeat.
   */
  rides?: CutRide[];
}

export interface CutRide {
  at: Samples;
  side: 'before' | 'after';
  /**
   * Under a crossfade centred on `at`: how far this cue's music plays on past the centre (half the
   * fade). The ride holds on over that, so it does not step back in the middle of the fade, and
   * the cue's part of the fade on the far side is ridden as its near side was.
   */
  through?: Samples;
}

/** A ride measures and holds over one second next to the cut, reached over the second before that. */
export const RIDE_SAMPLES = SAMPLE_RATE;
/** At most this many dB either way: a ride evens out a bar, it does not rewrite the dynamics. */
export const RIDE_MAX_DB = 4;

export interface FileDuck {
  from: Samples;
  to: Samples;
  ramp: Samples;
  db: Decibels;
}

/** Attenuation in dB at sample i: the deepest of the ducks, each linear in dB over its ramps. */
export function duckDbAt(ducks: readonly FileDuck[], i: number): number {
  let db = 0;
  for (const d of ducks) {
    const x = i < d.from ? (i - (d.from - d.ramp)) / d.ramp : i >= d.to ? 1 - (i - d.to) / d.ramp : 1;
    if (x > 0) db = Math.max(db, d.db * Math.min(1, x));
  }
  return db;
}

export interface MasterResult {
  integratedLufs: Lufs;
  truePeakDbtp: Decibels;
  gainDb: Decibels;
}

/**
 * Everything mastering did after DC removal is one gain per sample, shared by both channels:
 * loudness gain x fades x edge ramps x limiter. Stems get the same curve, so they sum to the master.
 */
export type GainCurve = Float32Array;

/** Gain of a fade at position x in 0..1 (0 = silent end). Equal-power keeps the summed power flat. */
export function fadeGain(x: number, shape: Fade['shape']): number {
  const c = Math.max(0, Math.min(1, x));
  return shape === 'linear' ? c : Math.sin((c * Math.PI) / 2);
}

/** Fade-in ends at bodyStart + samples; fade-out starts at bodyEnd - samples. Outside them the file is silent. */
export function applyFades(ch: Float32Array[], o: Pick<MasterOptions, 'bodyStart' | 'bodyEnd' | 'fadeIn' | 'fadeOut'> & Partial<Pick<MasterOptions, 'release'>>): void {
  const n = ch[0]?.length ?? 0;
  for (let i = 0; i < n; i++) {
    let g = 1;
    if (o.fadeIn) g *= i < o.bodyStart ? 0 : fadeGain((i - o.bodyStart) / o.fadeIn.samples, o.fadeIn.shape);
    if (o.fadeOut) g *= i >= o.bodyEnd ? 0 : fadeGain((o.bodyEnd - i) / o.fadeOut.samples, o.fadeOut.shape);
    if (o.release && i >= o.release.from) g *= i >= o.release.to ? 0 : fadeGain((o.release.to - i) / (o.release.to - o.release.from), 'equal-power');
    if (g !== 1) for (const c of ch) c[i] = c[i]! * g;
  }
}

export const EDGE_RAMP = 240; // 5 ms at 48 kHz

export function master(ch: Float32Array[], o: MasterOptions): MasterResult & { curve: GainCurve } {
  removeDc(ch);
  const n = ch[0]?.length ?? 0;
  const meter = LoudnessMeter.of(ch);
  // A split bridge: each half's gain is measured on the music as rendered, and its rides (toward
  // the target) on the music with those gains and the glide between them applied. The glide
  // straddles the cut, so rides measured before it would be tilted by half the step between the
  // halves; and a half is a few seconds long, so its second at the cut is a large share of it:
  // gains measured after the rides would move the whole half, ridden second and all, off target.
  const splitGains = o.split ? gainCurve(n, o, meter) : null;
  const rideMeter = splitGains ? meter.withGain(splitGains) : meter;
  const ride = rideCurve(n, o, rideMeter);
  // Otherwise the gain is measured on the ridden music, so the rides leave the body on target; a
  // ride's hold past a crossfade's centre is left out of that, since its music is heard mostly
  // faded away there: counted in full, it would move the body's level for it.
  const measuredRide = o.rides?.some((r) => r.through) ? rideCurve(n, o, rideMeter, false) : ride;
  const ridden = measuredRide ? meter.withGain(measuredRide) : meter;
  const gainDb = gainToTarget(ridden, o, o.bodyStart, o.bodyEnd);
  const curve = splitGains ?? gainCurve(n, o, ridden);
  if (ride) multiplyInto(curve, ride);
  if (o.ducks?.length) {
    for (let i = 0; i < n; i++) {
      const db = duckDbAt(o.ducks, i);
      if (db > 0) curve[i] = curve[i]! * Math.pow(10, -db / 20);
    }
  }
  applyFades([curve], o);
  // Ramps only where there is handle material to spare, so the body is never touched.
  const head = Math.min(EDGE_RAMP, o.bodyStart);
  const tail = Math.min(EDGE_RAMP, n - o.bodyEnd);
  for (let i = 0; i < head; i++) curve[i] = curve[i]! * (i / head);
  for (let i = 0; i < tail; i++) curve[n - 1 - i] = curve[n - 1 - i]! * (i / tail);
  applyCurve(ch, curve);
  // The limiter aims a little under the ceiling; a second pass catches what interpolation missed.
  multiplyInto(curve, limitTruePeak(ch, o.ceilingDbtp - 0.2));
  let tp = truePeakDb(ch);
  if (tp > o.ceilingDbtp) {
    multiplyInto(curve, limitTruePeak(ch, o.ceilingDbtp - 0.4));
    tp = truePeakDb(ch);
  }
  const after = integratedLoudness(ch.map((c) => c.subarray(o.bodyStart, o.bodyEnd)));
  return { integratedLufs: round2(after), truePeakDbtp: round2(tp), gainDb: round2(gainDb), curve };
}

/** dB that bring [from, to) of the measured music to the target (the whole file's loudness where that range is silent; 0 for silence). */
function gainToTarget(measured: LoudnessMeter, o: MasterOptions, from: number, to: number): Decibels {
  let l = measured.loudness(from, to);
  if (!Number.isFinite(l)) l = measured.loudness();
  return Number.isFinite(l) ? o.targetLufs - l : 0;
}

/** The gain that brings `measured`'s body (or each half of a split bridge, gliding between them) to the target, per sample. */
function gainCurve(n: number, o: MasterOptions, measured: LoudnessMeter): GainCurve {
  if (!o.split) return new Float32Array(n).fill(Math.pow(10, gainToTarget(measured, o, o.bodyStart, o.bodyEnd) / 20));
  const g1 = gainToTarget(measured, o, o.bodyStart, o.split.at);
  const g2 = gainToTarget(measured, o, o.split.at, o.bodyEnd);
  const a = o.split.at - o.split.glide / 2;
  const curve = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = Math.max(0, Math.min(1, (i - a) / o.split.glide));
    curve[i] = Math.pow(10, (g1 + (g2 - g1) * x) / 20);
  }
  return curve;
}

/**
 * The rides' gain per sample (null when there are none): each ride's dB is the loudness of the rest
 * of the music it belongs to (a split bridge's: the target) less that of its second next to the
 * cut, within RIDE_MAX_DB, held over that second (and on through a crossfade, `through`) and reached
 * linearly in dB over the second before it (after it, for a ride after the cut). `held` false: not
 * on through crossfades.
 */
function rideCurve(n: number, o: MasterOptions, meter: LoudnessMeter, held = true): Float32Array | null {
  if (!o.rides?.length) return null;
  const db = new Float32Array(n);
  for (const r of o.rides) {
    const [from, to] = musicOf(r, o);
    const through = held ? r.through ?? 0 : 0;
    const near = r.side === 'before' ? meter.loudness(r.at - RIDE_SAMPLES, r.at) : meter.loudness(r.at, r.at + RIDE_SAMPLES);
    // The rest of the music it belongs to (the whole of it when that is shorter than two seconds);
    // a split bridge's halves have each been brought to the target, so that is their level.
    const [restFrom, restTo] = r.side === 'before' ? [from, r.at - RIDE_SAMPLES] : [r.at + RIDE_SAMPLES, to];
    const rest = o.split ? o.targetLufs : restTo - restFrom >= 2 * RIDE_SAMPLES ? meter.loudness(restFrom, restTo) : meter.loudness(from, to);
    if (!Number.isFinite(near) || !Number.isFinite(rest)) continue;
    const d = Math.max(-RIDE_MAX_DB, Math.min(RIDE_MAX_DB, rest - near));
    const [lo, hi] = r.side === 'before' ? [r.at - 2 * RIDE_SAMPLES, r.at + through] : [r.at - through, r.at + 2 * RIDE_SAMPLES];
    for (let i = Math.max(0, lo); i < Math.min(n, hi); i++) {
      const fromCut = r.side === 'before' ? r.at - i : i - r.at; // negative past the cut: held
      db[i] = db[i]! + d * Math.min(1, Math.max(0, 2 - fromCut / RIDE_SAMPLES));
    }
  }
  // A plain loop: Float32Array.from with a mapper takes V8's slow path (a quarter of a second per 16 s cue).
  const gain = new Float32Array(n);
  for (let i = 0; i < n; i++) gain[i] = db[i] ? Math.pow(10, db[i]! / 20) : 1;
  return gain;
}

/** The music a ride belongs to: the body, or the half of a split bridge on the ride's side of the cut. */
function musicOf(r: CutRide, o: MasterOptions): [number, number] {
  if (!o.split) return [o.bodyStart, o.bodyEnd];
  const first = r.side === 'before' ? r.at <= o.split.at : r.at < o.split.at;
  return first ? [o.bodyStart, o.split.at] : [o.split.at, o.bodyEnd];
}

export function applyCurve(ch: Float32Array[], curve: GainCurve): void {
  for (const c of ch) for (let i = 0; i < c.length; i++) c[i] = c[i]! * curve[i]!;
}

function multiplyInto(curve: GainCurve, g: Float32Array): void {
  for (let i = 0; i < curve.length; i++) curve[i] = curve[i]! * g[i]!;
}

const round2 = (x: number) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : -99);
