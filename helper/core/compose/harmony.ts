import type { Key, Mode, PitchClass } from '../../../shared/index.ts';
import { PITCH_CLASSES } from '../../../shared/index.ts';

/** Scales, diatonic chords and voice leading. Pure. */

export const MODE_STEPS: Record<Mode, readonly number[]> = {
  major: [0, 2, 4, 5, 7, 9, 11],
  minor: [0, 2, 3, 5, 7, 8, 10],
  dorian: [0, 2, 3, 5, 7, 9, 10],
  phrygian: [0, 1, 3, 5, 7, 8, 10],
  lydian: [0, 2, 4, 6, 7, 9, 11],
  mixolydian: [0, 2, 4, 5, 7, 9, 10],
};

export function tonicPc(t: PitchClass): number {
  return PITCH_CLASSES.indexOf(t);
}

/** Pitch classes (0..11) of the key's scale, tonic first. */
export function scalePcs(k: Key): number[] {
  const t = tonicPc(k.tonic);
  return MODE_STEPS[k.mode].map((s) => (t + s) % 12);
}

export function isMinorish(m: Mode): boolean {
  return m === 'minor' || m === 'dorian' || m === 'phrygian';
}

export interface Chord {
  /** Scale degree 0..6. */
  degree: number;
  /** Pitch classes, root first. */
  pcs: number[];
  root: number;
  /**
   * Scale degrees this chord alters, with the pitch class it gives them (a cadential V's raised
   * leading tone, a secondary dominant's raised fourth). Melody and figures over the chord take
   * the altered degree too (barScale), so no line sounds F against a D major chord.
   */
  alters?: readonly (readonly [degree: number, pc: number])[];
}

/**
 * Diatonic chord on a degree: triad, or seventh when asked. `cadential` raises the leading tone on
 * V in minor modes (harmonic minor), which is what makes a minor cadence sound like one.
 */
export function chordOn(k: Key, degree: number, seventh: boolean, cadential = false): Chord {
  const sc = scalePcs(k);
  const d = ((degree % 7) + 7) % 7;
  const tones = [0, 2, 4, ...(seventh ? [6] : [])].map((o) => sc[(d + o) % 7]!);
  if (cadential && d === 4 && isMinorish(k.mode)) {
    tones[1] = (sc[6]! + 1) % 12;
    return { degree: d, pcs: tones, root: tones[0]!, alters: [[6, tones[1]]] };
  }
  return { degree: d, pcs: tones, root: tones[0]! };
}

/**
 * The secondary dominant of a degree: the major triad (dominant seventh when asked) a fifth above
 * it, e.g. V/V = D-F#-A(-C) in C major, the II7 that leads to V in a II-V-I. Its `degree` is the
 * root's, and member i of a chord on degree r spells degree r + 2i, which is how the chromatic
 * member names the degree it alters (F# alters F, not G).
 */
export function secondaryDominant(k: Key, of: number, seventh: boolean): Chord {
  const sc = scalePcs(k);
  const d = (((of + 4) % 7) + 7) % 7;
  const root = sc[d]!;
  const tones = [0, 4, 7, ...(seventh ? [10] : [])].map((o) => (root + o) % 12);
  const alters = tones.flatMap((pc, i) => (pc === sc[(d + 2 * i) % 7] ? [] : [[(d + 2 * i) % 7, pc] as const]));
  return { degree: d, pcs: tones, root, alters };
}

/** The key's scale (pitch classes, tonic first) as it sounds over a chord: with the chord's altered degrees. */
export function barScale(k: Key, chord: Chord): number[] {
  const sc = scalePcs(k);
  for (const [deg, pc] of chord.alters ?? []) sc[deg] = pc;
  return sc;
}

/** Nearest MIDI note with pitch class pc to `near`. */
export function nearestPitch(pc: number, near: number): number {
  const base = near - (((near - pc) % 12) + 12) % 12;
  return near - base > 6 ? base + 12 : base;
}

/**
 * Voices a chord in the range [lo, hi] with the least total movement from the previous voicing
 * (smooth voice leading): tries every inversion and octave placement and keeps the closest.
 */
export function voiceLead(chord: Chord, prev: readonly number[] | null, lo: number, hi: number, voices = 4): number[] {
  const pcs = chord.pcs.length >= voices ? chord.pcs.slice(0, voices) : [...chord.pcs, chord.pcs[0]!].slice(0, voices);
  const centre = prev && prev.length ? prev.reduce((a, b) => a + b, 0) / prev.length : (lo + hi) / 2;
  let best: number[] = [];
  let bestCost = Infinity;
  for (let inv = 0; inv < pcs.length; inv++) {
    const order = [...pcs.slice(inv), ...pcs.slice(0, inv)];
    for (let start = lo; start < lo + 12; start++) {
      if (((start % 12) + 12) % 12 !== order[0]) continue;
      const v = [start];
      for (let i = 1; i < order.length; i++) {
        let p = v[i - 1]! + 1;
        while (((p % 12) + 12) % 12 !== order[i]) p++;
        v.push(p);
      }
      if (v[v.length - 1]! > hi) continue;
      const cost = prev && prev.length
        ? v.reduce((acc, p, i) => acc + Math.abs(p - (prev[Math.min(i, prev.length - 1)] ?? centre)), 0)
        : Math.abs(v.reduce((a, b) => a + b, 0) / v.length - centre);
      if (cost < bestCost) {
        bestCost = cost;
        best = v;
      }
    }
  }
  return best.length ? best : pcs.map((pc) => nearestPitch(pc, (lo + hi) >> 1));
}

/**
 * The MIDI pitch of scale step `step` (0 = tonic at `tonicMidi`), negative steps allowed; over a
 * chord that alters degrees, the altered scale (barScale).
 */
export function scalePitch(k: Key, tonicMidi: number, step: number, over?: Chord): number {
  const t = tonicPc(k.tonic);
  const steps = over?.alters?.length ? barScale(k, over).map((pc) => (pc - t + 12) % 12) : MODE_STEPS[k.mode];
  const oct = Math.floor(step / 7);
  const idx = ((step % 7) + 7) % 7;
  return tonicMidi + oct * 12 + steps[idx]!;
}
