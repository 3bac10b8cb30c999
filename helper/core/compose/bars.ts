import type { Key } from '../../../shared/index.ts';
import { chordOn, secondaryDominant, type Chord } from './harmony.ts';
import type { Rng } from './rng.ts';
import type { CompositionSpec } from './types.ts';
import type { Style } from './styles.ts';

/** One bar of the cue, head handle and tail included. */
export interface Bar {
  index: number;
  start: number;
  len: number;
  section: 'head' | 'body' | 'tail';
  energy: number;
  chord: Chord;
  /** 0..3 within a four-bar phrase. */
  phrasePos: number;
  /** Last body bar, or the last bar before a phrase boundary (fills, cadences). */
  phraseEnd: boolean;
  final: boolean;
}

/** Energy at body position x in 0..1, linearly interpolated from the curve. */
export function energyAt(curve: readonly number[], x: number): number {
  if (!curve.length) return 0.5;
  const p = Math.max(0, Math.min(1, x)) * (curve.length - 1);
  const i = Math.floor(p);
  const a = curve[i]!;
  const b = curve[Math.min(i + 1, curve.length - 1)]!;
  return a + (b - a) * (p - i);
}

/** Body bars: whole bars, the last one shorter where the body is not a whole number of them. */
export function bodyBarCount(bodyBeats: number, beatsPerBar: number): number {
  return Math.ceil(bodyBeats / beatsPerBar);
}

/** How often a chord before V or ii is its secondary dominant: before a cadence's V, and elsewhere. */
const SECONDARY_DOMINANT = { cadence: 0.7, phrase: 0.4 };
const SECONDARY_TARGETS = [1, 4];

/**
 * Lays out bars and chords. Phrases are four bars from the body's first downbeat; the last body
 * bar cadences (V-I to resolve, onto V to stay open); the head handle leads into I with IV-V.
 */
export function layoutBars(spec: CompositionSpec, style: Style, key: Key, rng: Rng, bright: boolean): Bar[] {
  const bpb = spec.beatsPerBar;
  const progs = bright ? style.progressions.bright : style.progressions.dark;
  const bars: Bar[] = [];
  const headBars = Math.round(spec.headBeats / bpb);
  const bodyBars = bodyBarCount(spec.bodyBeats, bpb);
  const tailBars = Math.round(spec.tailBeats / bpb);
  // A seed picks the progression and where in it the piece starts, so each seed is a different take.
  const rotate = (p: number[]) => {
    const r = rng.int(0, p.length - 1);
    return [...p.slice(r), ...p.slice(0, r)];
  };
  let prog = rotate(rng.pick(progs));
  const chordFor = (deg: number, cadential = false) => chordOn(key, deg, style.sevenths, cadential || (deg === 4 && !!style.leadingTone && key.mode === 'minor'));

  for (let h = headBars; h >= 1; h--) {
    const deg = h === 1 ? 4 : 3;
    bars.push({ index: -h, start: -h * bpb, len: bpb, section: 'head', energy: energyAt(spec.energyCurve, 0), chord: chordFor(deg, deg === 4), phrasePos: 4 - h, phraseEnd: h === 1, final: false });
  }
  for (let b = 0; b < bodyBars; b++) {
    if (b % 4 === 0 && b > 0) prog = b % 8 === 0 ? rotate(rng.pick(progs)) : prog;
    const start = b * bpb;
    const len = Math.min(bpb, spec.bodyBeats - start);
    const last = b === bodyBars - 1;
    const pos = b % 4;
    let deg = prog[pos % prog.length]!;
    let cadential = false;
    if (last && spec.ending === 'resolve') deg = 0;
    else if (last && spec.ending === 'release') deg = 0;
    else if (last && spec.ending === 'continue') deg = prog[pos % prog.length]!;
    else if (b === bodyBars - 2 && spec.ending !== 'continue') {
      deg = 4;
      cadential = true;
    }
    const x = bodyBars > 1 ? b / (bodyBars - 1) : 0;
    bars.push({
      index: b, start, len, section: 'body', energy: energyAt(spec.energyCurve, x), chord: chordFor(deg, cadential),
      phrasePos: pos, phraseEnd: last || pos === 3, final: last && spec.ending !== 'continue',
    });
  }
  // In a major key a chord that leads to V or ii is now and then that chord's own dominant (V/V in
  // II-V-I, VI7 before ii), the secondary dominants every tonal style leans on: before a cadence's
  // V, or into the last chord of a phrase. A take decides once per chord change, so a repeated
  // phrase keeps its harmony. They are the writing's chromatic chords: real music's notes are
  // 1.4 % outside the key's scale (scale consistency 0.986, SymMV/LPD). Drawn from their own
  // stream, after everything else, so no other choice of the take moves.
  if (key.mode === 'major') {
    const colour = rng.fork('secondary dominants');
    const taken = new Map<string, boolean>();
    const body = bars.filter((b) => b.section === 'body');
    // From the end backwards, so a chord only leads to a chord that stays (no dominant of a dominant that has gone).
    for (let i = body.length - 2; i >= 0; i--) {
      const bar = body[i]!;
      const next = body[i + 1]!;
      if (bar.final || bar.chord.degree === 4 || next.chord.alters || bar.chord.degree === next.chord.degree || !SECONDARY_TARGETS.includes(next.chord.degree)) continue;
      const preCadence = i === body.length - 3 && spec.ending !== 'continue';
      const change = preCadence ? 'cadence' : `${bar.chord.degree}>${next.chord.degree}`;
      // Elsewhere only into a phrase's last chord (a half cadence), and never from the tonic: a loop
      // that went through a secondary dominant every bar would lose its key.
      if (!preCadence && (bar.chord.degree === 0 || next.phrasePos !== 3)) continue;
      if (!taken.has(change)) taken.set(change, colour.chance(preCadence ? SECONDARY_DOMINANT.cadence : SECONDARY_DOMINANT.phrase));
      if (taken.get(change)) bar.chord = secondaryDominant(key, next.chord.degree, style.sevenths);
    }
  }
  for (let t = 0; t < tailBars; t++) {
    const pos = (bodyBars + t) % 4;
    bars.push({
      index: bodyBars + t, start: spec.bodyBeats + t * bpb, len: bpb, section: 'tail', energy: energyAt(spec.energyCurve, 1),
      chord: chordFor(prog[pos % prog.length]!), phrasePos: pos, phraseEnd: pos === 3, final: false,
    });
  }
  return bars;
}
