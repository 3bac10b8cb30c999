import type { Key } from '../../../shared/index.ts';
import type { Bar } from './bars.ts';
import { barScale, nearestPitch, scalePitch, tonicPc, voiceLead, type Chord } from './harmony.ts';
import type { Rng } from './rng.ts';
import type { BassPattern, DrumPattern, HarmonyPattern, Part } from './styles.ts';
import type { NoteEvent } from './types.ts';

/** Note writers, one per role. Each returns events for the bars it is active in. */

type Emit = (beat: number, dur: number, key: number, vel: number) => void;

/** Writes one part over its bars with the writer for its role. */
export function writeRole(part: Part, bars: Bar[], key: Key, density: number, rng: Rng, emit: Emit, beatSec = 0.5): void {
  switch (part.role) {
    case 'pad':
    case 'harmony':
      return harmonyPart(bars, part, emit, rng, beatSec, key);
    case 'bass':
      return bassPart(bars, part, key, rng, emit);
    case 'drums':
      return drumPart(bars, part, emit);
    case 'melody':
      return melodyPart(bars, part, key, density, rng, emit);
  }
}

/** Seconds per figuration note aimed at: a little under real music's mean gap, as the other parts' notes fall between. */
const FIGURE_SEC = 0.19;
export const FIGURES = { eighths: [0, 0.5], gallop: [0, 0.5, 0.75], sixteenths: [0, 0.25, 0.5, 0.75] } as const;

/**
 * The figuration rhythm of one bar: eighths, a gallop (an eighth and two sixteenths) or
 * sixteenths. At most tempos no one figure moves at FIGURE_SEC a note (about five a second, the
 * pace of real music's inter-onset interval, 0.184 s in SymMV/LPD), so the two that bracket it
 * share the phrase: the slower opens it and the faster takes the bars nearest its cadence (the
 * surface rhythm quickens into the cadence, as a phrase's does), in the proportion that makes the
 * phrase's mean note FIGURE_SEC long. Straight time throughout.
 */
export function figureAt(beatSec: number, phrasePos: number): readonly number[] {
  const { slow, fast, fastBars } = figurePlan(beatSec);
  return phrasePos >= 4 - fastBars ? fast : slow;
}

/** The two figures that bracket FIGURE_SEC at this beat length, and how many bars of each four take the faster. */
export function figurePlan(beatSec: number): { slow: readonly number[]; fast: readonly number[]; fastBars: number } {
  const figs = Object.values(FIGURES); // slowest first
  const len = (f: readonly number[]) => beatSec / f.length;
  const fastIndex = figs.findIndex((f) => len(f) < FIGURE_SEC);
  if (fastIndex === 0) return { slow: figs[0]!, fast: figs[0]!, fastBars: 0 };
  if (fastIndex === -1) return { slow: figs[figs.length - 1]!, fast: figs[figs.length - 1]!, fastBars: 0 };
  const slow = figs[fastIndex - 1]!;
  const fast = figs[fastIndex]!;
  return { slow, fast, fastBars: Math.round((4 * (len(slow) - FIGURE_SEC)) / (len(slow) - len(fast))) };
}

/**
 * 1 for a figure note off the beat, 0 on it: figures are accented on the beat, so a gallop or
 * sixteenths keep the pulse where the beat is (alternate-note accents put every other beat's
 * downbeat on a soft note and hid the pulse from listeners and beat trackers alike).
 */
const offBeat = (o: number) => (Math.abs(o - Math.round(o)) < 1e-9 ? 0 : 1);

/** The onsets (beats from the bar's start) of a figure over a bar of `len` beats, with each note's length. */
function figureOnsets(figure: readonly number[], len: number): { o: number; d: number }[] {
  const out: { o: number; d: number }[] = [];
  for (let beat = 0; beat < len; beat++) figure.forEach((f, i) => out.push({ o: beat + f, d: (figure[i + 1] ?? 1) - f }));
  return out;
}

/** The note `steps` notes of the scale above (positive) or below (negative) k. */
function scaleNeighbour(scale: readonly number[], k: number, steps: number): number {
  const dir = Math.sign(steps);
  for (let n = 0; n < Math.abs(steps); n++) {
    let d = 1;
    while (d < 2 && !scale.includes((((k + dir * d) % 12) + 12) % 12)) d++;
    k += dir * d;
  }
  return k;
}

/**
 * An octave up in the answering half of each four-bar phrase (its bars 3-4): the same gesture in a
 * new register. Per half-phrase rather than per phrase because most scenes' cues last only a few
 * bars; an answer every eight bars left their accompaniment in one register (pitch entropy 3.6 bits
 * for ambient against real music's 4.2).
 */
const answerLift = (bar: Bar) => (Math.floor(bar.index / 2) % 2 === 1 ? 12 : 0);

/** The chord tone nearest the pitch k. */
const nearestChordTone = (bar: Bar, k: number) => bar.chord.pcs.map((pc) => nearestPitch(pc, k)).reduce((a, b) => (Math.abs(b - k) < Math.abs(a - k) ? b : a));

const vel = (bar: Bar, base: number, spread = 40) => Math.max(20, Math.min(127, Math.round(base + spread * bar.energy)));

/** Orders in which arpeggiated and broken chords visit the voices; a take's seed picks one. */
const ARPEGGIO_ORDERS = [[0, 1, 2, 3, 1], [0, 2, 1, 3, 2], [0, 1, 2, 1], [3, 2, 1, 0, 2]];
const BROKEN_ORDERS = [[0, 2, 1, 2], [0, 1, 2, 1], [0, 2, 0, 1], [2, 1, 0, 1]];

export function harmonyPart(bars: Bar[], part: Part, emit: Emit, rng: Rng, beatSec: number, key: Key): void {
  let prev: number[] | null = null;
  const [lo, hi] = part.range;
  const arpeggio = rng.pick(ARPEGGIO_ORDERS);
  const broken = rng.pick(BROKEN_ORDERS);
  for (const bar of bars) {
    const v = voiceLead(bar.chord, prev, lo, hi, part.role === 'pad' ? 4 : 3);
    prev = v;
    const scale = barScale(key, bar.chord);
    const neighbour = (k: number, dir: 1 | -1) => scaleNeighbour(scale, k, dir);
    const fig = figureAt(beatSec, bar.phrasePos);
    const pattern = (bar.final ? 'sustain' : part.pattern ?? 'sustain') as HarmonyPattern;
    const L = bar.len;
    const vv = vel(bar, part.role === 'pad' ? 45 : 55);
    switch (pattern) {
      case 'sustain':
      case 'tremolo': {
        // The outer voices hold the chord; the inner voices move under them, as a string section's
        // seconds and violas do: a soft figure on the figuration rhythm (figureAt), so a held
        // chord still has a pulse inside it.
        const outer = v.length > 2 && !bar.final ? [v[0]!, v[v.length - 1]!] : v;
        for (const k of outer) emit(bar.start, L, k, vv);
        if (outer.length === v.length) break;
        // Each inner voice turns about its chord tone through the scale steps above and below
        // (neighbour notes), so the figure moves, not just repeats.
        const inner = v.slice(1, -1);
        const figure = inner.flatMap((k) => [k, neighbour(k, 1), k, neighbour(k, -1)]);
        // In the answering half-phrase (answerLift) the figure moves up an octave where the
        // range allows: the same gesture in a new register.
        const lift = answerLift(bar);
        figureOnsets(fig, L).forEach(({ o, d }, i) => {
          const k = figure[i % figure.length]!;
          emit(bar.start + o, d * 0.9, k + lift <= hi ? k + lift : k, vv - 14 - offBeat(o) * 6);
        });
        break;
      }
      case 'arpeggio': {
        // Up through the chord and on into the octave above where the range allows, then back.
        const up = [...v, ...v.map((k) => k + 12).filter((k) => k <= hi)];
        const seq = bar.index % 2 === 0 ? [...up, ...up.slice(1, -1).reverse()] : arpeggio.map((j) => v[j % v.length]!);
        figureOnsets(fig, L).forEach(({ o, d }, i) => emit(bar.start + o, d, seq[i % seq.length]!, vv - offBeat(o) * 8));
        break;
      }
      case 'broken': {
        // The broken chord's second half-bar lies an octave higher where the range allows.
        figureOnsets(fig, L).forEach(({ o, d }, i) => {
          const k = v[broken[i % broken.length]! % v.length]!;
          emit(bar.start + o, d, o >= L / 2 && k + 12 <= hi ? k + 12 : k, vv - offBeat(o) * 10);
        });
        break;
      }
      case 'pulse8': {
        // A driving pulse on the figure (eighths, galloping into the cadence at a quick tempo);
        // the second half-bar moves to the next inversion up (the lowest note an octave higher),
        // so the pulse climbs through the chord instead of hammering one shape.
        const lifted = [...v.slice(1), v[0]! + 12 <= hi ? v[0]! + 12 : v[0]!];
        figureOnsets(fig, L).forEach(({ o, d }, i) => {
          for (const k of o >= L / 2 ? lifted : v) emit(bar.start + o, d * 0.9, k, vv - offBeat(o) * 12);
        });
        break;
      }
      case 'ostinato16': {
        // A string ostinato over a pedal: the chord's low note on every beat, and between the beats
        // a line that climbs through the chord into the octave above and falls back (bariolage).
        const upper = [...v.slice(1), ...v.map((k) => k + 12)].filter((k) => k <= hi);
        const line = [...upper, ...upper.slice(1, -1).reverse()];
        let j = 0;
        figureOnsets(fig, L).forEach(({ o, d }) => emit(bar.start + o, d * 0.9, offBeat(o) ? line[j++ % line.length]! : v[0]!, vv - offBeat(o) * 14));
        break;
      }
      case 'comp': {
        // Comping: the Charleston (1, and-of-2) answered by the and-of-3 and beat 4 in alternate
        // bars, its middle hit voiced an inversion up; between the hits the chord's voices, each with
        // the scale step above it, keep time softly on the figuration step (ghost
        // notes, as a Rhodes player's left hand does under a slow groove).
        const hits = bar.index % 2 === 0 ? [[0, 1.2], [1.5, 1], [3, 0.5]] : [[0.5, 1], [2, 0.5], [2.5, 1.2]];
        // The hits colour the chord with its ninth (the scale step above the root, voiced above
        // the chord), the sound of a Rhodes or a jazz pianist's voicing.
        const root = nearestPitch(bar.chord.pcs[0]!, v[v.length - 1]!);
        const ninth = scaleNeighbour(scale, root + (root <= v[v.length - 1]! ? 12 : 0), 1);
        const voicing = ninth <= hi ? [...v, ninth] : v;
        const up = [...voicing.slice(1), voicing[0]! + 12 <= hi ? voicing[0]! + 12 : voicing[0]!];
        hits.forEach(([o, d], h) => {
          if (o! < L) for (const k of h === 1 ? up : voicing) emit(bar.start + o!, d!, k, vv - 6);
        });
        const inner = v.flatMap((k) => [k, neighbour(k, 1)]);
        // In the answering half-phrase the ghost notes answer an octave up where the range allows, as the pads do.
        const lift = answerLift(bar);
        figureOnsets(fig, L).forEach(({ o, d }, i) => {
          const k = inner[i % inner.length]!;
          if (!hits.some(([h]) => Math.abs(h! - o) < 1e-9)) emit(bar.start + o, d * 0.8, k + lift <= hi ? k + lift : k, vv - 22 - offBeat(o) * 6);
        });
        break;
      }
      case 'strum': {
        // A folk guitarist's right hand: the downbeat strummed (strings 12 ms apart; with energy,
        // beat 3 too), the rest picked on the figuration grid: an alternating bass on the beats
        // (the chord's low note, then the next one up) and the upper strings between them.
        // The chord lies on six strings: the close voicing and, above it, its octave where the
        // range allows, so the strum is full and the picked strings reach up through two octaves.
        // The picking quickens into the cadence as the other figures do (a picker's fill).
        const picking = figureAt(beatSec, bar.phrasePos);
        const strums = bar.energy > 0.5 ? [0, 2] : [0];
        const strings = [...v, ...v.map((k) => k + 12).filter((k) => k <= hi)];
        const top = strings.slice(1);
        figureOnsets(picking, L).forEach(({ o, d }, i) => {
          if (strums.includes(o)) strings.forEach((k, j) => emit(bar.start + o + j * 0.012, Math.max(d, 0.5), k, vv));
          else if (o % 1 === 0) emit(bar.start + o, d, v[Math.floor(o) % 2 === 0 ? 0 : 1 % v.length]!, vv - 8);
          else emit(bar.start + o, d, top[i % top.length] ?? v[0]!, vv - 16);
        });
        break;
      }
    }
  }
}

/** The share of the bass's approach notes taken from the semitone below the next root. */
const CHROMATIC_APPROACH = 0.4;

export function bassPart(bars: Bar[], part: Part, key: Key, rng: Rng, emit: Emit): void {
  const [lo, hi] = part.range;
  /**
   * A passing note on the last beat that walks by step toward the next bar's root, when the
   * music moves at all (energy 0.2) and the harmony changes; returns the beats it takes from the held note.
   */
  const approach = (bar: Bar, i: number): number => {
    const next = bars[i + 1];
    if (!next || bar.final || bar.len < 4 || bar.energy < 0.2 || next.chord.root === bar.chord.root || !rng.chance(0.6)) return 0;
    const target = nearestPitch(next.chord.root, lo + 7);
    const scale = barScale(key, bar.chord);
    const below = scale.map((pc) => nearestPitch(pc, target - 2)).filter((p) => p < target && p >= target - 2);
    const above = scale.map((pc) => nearestPitch(pc, target + 2)).filter((p) => p > target && p <= target + 2);
    // Now and then the semitone below the target instead, the chromatic approach bass players lean on.
    const pass = rng.chance(CHROMATIC_APPROACH) ? target - 1 : (rng.chance(0.5) ? below[0] ?? above[0] : above[0] ?? below[0]) ?? target;
    emit(bar.start + bar.len - 1, 0.9, Math.max(lo, Math.min(hi, pass)), vel(bar, 52));
    return 1;
  };
  bars.forEach((bar, i) => {
    const root = nearestPitch(bar.chord.root, lo + 7);
    const fifth = nearestPitch(bar.chord.pcs[2]!, root + 6);
    const L = bar.len;
    const v = vel(bar, 60);
    let pattern = (part.pattern ?? 'half') as BassPattern;
    if (bar.final) pattern = 'whole';
    switch (pattern) {
      case 'whole':
      case 'drone':
        emit(bar.start, L, root, v);
        break;
      case 'half':
      case 'alternating':
      case 'octaves': {
        // The root on the downbeat and a second note on beat 3: the root again (the fifth with
        // energy), a folk bass player's fifth (below the root when it fits), or the octave above.
        const second = pattern === 'octaves' ? (root + 12 <= hi ? root + 12 : root)
          : pattern === 'alternating' ? (fifth - 12 >= lo ? fifth - 12 : fifth)
          : bar.energy > 0.5 ? fifth : root;
        emit(bar.start, Math.min(2, L), root, v);
        if (L > 2) emit(bar.start + 2, L - 2 - approach(bar, i), second, v - (pattern === 'octaves' ? 10 : 8));
        break;
      }
      case 'eighths':
        // Root eighths, the off-beats of the second half-bar up the octave (where the range allows).
        for (let j = 0; j < L * 2; j++) {
          const k = j === 6 && bar.energy > 0.6 ? fifth : j >= L && j % 2 === 1 && root + 12 <= hi ? root + 12 : root;
          emit(bar.start + j / 2, 0.45, k, v - (j % 2) * 10);
        }
        break;
      case 'walking': {
        const next = bars[i + 1]?.chord.root ?? bar.chord.root;
        const target = nearestPitch(next, root);
        const notes = [root, nearestPitch(bar.chord.pcs[1]!, root + 3), fifth, target + (rng.chance(0.5) ? 1 : -1)];
        const scale = barScale(key, bar.chord);
        for (let j = 0; j < L; j++) {
          const k = notes[j]!;
          const inScale = scale.includes(((k % 12) + 12) % 12) || j === 3;
          emit(bar.start + j, 0.9, Math.max(lo, Math.min(hi, inScale ? k : k + 1)), v - (j % 2) * 6);
        }
        break;
      }
    }
  });
}

/** GM percussion keys. */
const K = { kick: 36, kick2: 35, snare: 38, stick: 37, clap: 39, hat: 42, hatOpen: 46, ride: 51, crash: 49, tomLo: 41, tomMid: 45, tomHi: 48, brush: 40 };

export function drumPart(bars: Bar[], part: Part, emit: Emit): void {
  const pattern = (part.pattern ?? 'backbeat') as DrumPattern;
  bars.forEach((bar, i) => {
    const L = bar.len;
    const v = vel(bar, 60, 50);
    const hit = (o: number, key: number, dv = 0) => o < L && emit(bar.start + o, 0.25, key, Math.max(20, Math.min(127, v + dv)));
    const prevBar = bars[i - 1];
    if (bar.phrasePos === 0 && bar.energy > 0.55 && prevBar && prevBar.phraseEnd) hit(0, K.crash, 5);
    if (bar.final) {
      hit(0, pattern === 'taiko' || pattern === 'pulse' ? K.tomLo : K.kick, 10);
      if (pattern !== 'pulse') hit(0, K.crash, 0);
      return;
    }
    const fill = bar.phraseEnd && bar.energy > 0.5 && bar.section === 'body';
    const end = fill ? Math.min(L, 2) : L;
    switch (pattern) {
      case 'backbeat':
        for (let o = 0; o < end; o += 0.5) hit(o, K.hat, o % 1 ? -20 : -10);
        for (let o = 0; o < end; o += 2) hit(o, K.kick), hit(o + 1, K.snare);
        if (bar.energy > 0.6) hit(2.5, K.kick, -10);
        break;
      case 'halftime':
        for (let o = 0; o < end; o += 1) hit(o, K.hat, -25);
        hit(0, K.kick, -5);
        hit(2, K.stick, -10);
        break;
      case 'four-on-floor':
        for (let o = 0; o < end; o += 1) hit(o, K.kick), hit(o + 0.5, K.hatOpen, -25);
        for (let o = 1; o < end; o += 2) hit(o, K.clap, -10);
        break;
      case 'boombap':
        hit(0, K.kick), hit(1, K.snare, -5), hit(2.5, K.kick, -10), hit(3, K.snare, -5);
        for (let o = 0; o < end; o += 0.5) hit(o, K.hat, o % 1 ? -30 : -20);
        break;
      case 'brush-swing':
        for (const o of [0, 1, 1.5, 2, 3, 3.5]) if (o < end) hit(o, K.ride, o % 1 ? -25 : -12);
        hit(1, K.brush, -25), hit(3, K.brush, -25);
        break;
      case 'taiko':
        for (const o of [0, 0.75, 1.5, 2, 3]) if (o < end) hit(o, o === 0 || o === 2 ? K.kick2 : K.tomLo, o % 1 ? -15 : 0);
        if (bar.energy > 0.6) for (let o = 0; o < end; o += 0.5) hit(o, K.tomHi, -35);
        break;
      case 'pulse':
        hit(0, K.tomLo, -5);
        if (bar.energy > 0.7) hit(2, K.tomLo, -15);
        break;
    }
    if (fill) {
      const toms = [K.tomHi, K.tomHi, K.tomMid, K.tomMid, K.tomLo, K.tomLo, K.snare, K.snare];
      for (let j = 0; j < (L - 2) * 4; j++) hit(2 + j / 4, toms[j % 8]!, -15 + j * 2);
    }
  });
}

/** One-bar motif rhythms (beat offsets in 4/4), by density. */
const SPARSE_CELLS = [[0, 2], [0, 1, 2], [0, 2, 3], [0, 1.5, 2], [0, 3], [0, 0.5, 2]];
const MEDIUM_CELLS = [[0, 1, 2, 3], [0, 1, 1.5, 2, 3], [0, 0.5, 1, 2, 3], [0, 1.5, 2, 3], [0, 1, 2, 2.5, 3]];
const DENSE_CELLS = [[0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5], [0, 0.5, 1, 2, 2.5, 3], [0, 0.75, 1.5, 2, 2.5, 3, 3.5], [0, 0.5, 1, 1.5, 2, 3]];

/**
 * Melody in eight-bar periods, as a tune is built: an antecedent (the one-bar motif, the motif
 * again, its inversion, then a half cadence held open on a chord tone) and a consequent that
 * restates the antecedent's first two bars (ornaments aside), inverts the motif again from where
 * the line has moved, and closes on the tonic. Strong beats land on chord tones, weak beats walk
 * the scale; each held cadence ends in a pickup (two notes stepping into the next phrase's first
 * note) unless the cue ends there. Every
 * sixteen bars the tune is sequenced a third higher, so the line climbs instead of circling.
 */
export function melodyPart(bars: Bar[], part: Part, key: Key, density: number, rng: Rng, emit: Emit): void {
  const [lo, hi] = part.range;
  const tonicMidi = nearestPitch(tonicPc(key.tonic), (lo + hi) >> 1);
  const cells = density >= 5 ? DENSE_CELLS : density >= 3 ? MEDIUM_CELLS : SPARSE_CELLS;
  const motifRhythm = rng.pick(cells);
  const contour = motifRhythm.map((_, i) => (i === 0 ? 0 : rng.int(-2, 2)));
  const answerContour = contour.map((c, i) => (i === 0 ? 0 : -c));
  let step = rng.int(0, 4);
  const line: MelodyNote[] = [];
  const fit = (k: number) => {
    while (k > hi) k -= 12;
    while (k < lo) k += 12;
    return k;
  };
  /** The antecedent's first two bars (notes relative to their bar, and the step after each), for the consequent to restate. */
  const opening: { notes: MelodyNote[]; len: number; stepAfter: number }[] = [];
  /** Where the bar after a held cadence starts: a pickup leads into it only if the melody plays on there. */
  let pickupInto: number | null = null;
  /** The chord of the bar before: a pickup into this bar sounds over it. */
  let cadenceChord: Chord | null = null;
  for (const bar of bars) {
    const pos = (((bar.index % 8) + 8) % 8);
    if (pos === 0) {
      if (bar.index > 0 && bar.index % 16 === 0) step += 2;
      opening.length = 0;
    }
    const first = line.length;
    let cadencePickup = false;
    const restated = pos >= 4 && pos <= 5 && !bar.final ? opening[pos - 4] : undefined;
    if (restated && restated.len === bar.len) {
      for (const n of restated.notes) line.push({ ...n, beat: bar.start + n.beat, vel: vel(bar, n.strong ? 70 : 60, 40) });
      step = restated.stepAfter;
    } else if (bar.phrasePos === 3 || bar.final) {
      // A cadence: a held chord tone, open (nearest the line) after the antecedent, the tonic's nearest chord tone to close.
      const closing = pos === 7 || bar.final;
      const near = closing ? nearestPitch(tonicPc(key.tonic), scalePitch(key, tonicMidi, step)) : scalePitch(key, tonicMidi, step, bar.chord);
      const k = fit(nearestChordTone(bar, near));
      const pickup = !bar.final && bar.section !== 'tail' && bar.len >= 2;
      line.push({ beat: bar.start, dur: pickup ? bar.len - 1 : bar.len, key: k, vel: vel(bar, 68, 40), strong: true });
      cadencePickup = pickup;
    } else {
      const shape = pos === 2 || pos === 6 ? answerContour : contour;
      const rhythm = motifRhythm.filter((o) => o < bar.len);
      rhythm.forEach((o, i) => {
        step += shape[i] ?? 0;
        let k = scalePitch(key, tonicMidi, step, bar.chord);
        const strong = o === 0 || o === 2;
        if (strong) k = nearestChordTone(bar, k);
        while (k > hi) (k -= 12), (step -= 7);
        while (k < lo) (k += 12), (step += 7);
        const next = rhythm[i + 1] ?? bar.len;
        line.push({ beat: bar.start + o, dur: Math.max(0.25, (next - o) * 0.95), key: k, vel: vel(bar, strong ? 70 : 60, 40), strong });
      });
    }
    // The pickup of the cadence before this bar: two eighths stepping into its first note.
    if (pickupInto === bar.start && line.length > first) {
      const target = line[first]!;
      const held = line[first - 1]!;
      const dir = target.key >= held.key ? -1 : 1;
      // It sounds over the held cadence chord, so it steps through that chord's scale (a minor V's leading tone).
      const scale = barScale(key, cadenceChord ?? bar.chord);
      const keys = [2, 1].map((d) => fit(scaleNeighbour(scale, target.key, dir * d)));
      keys.forEach((k, i) => line.splice(first + i, 0, { beat: target.beat - 1 + i * 0.5, dur: 0.45, key: k, vel: vel(bar, 58, 36), strong: false }));
    }
    pickupInto = cadencePickup ? bar.start + bar.len : null;
    cadenceChord = bar.chord;
    if (pos <= 1 && !restated) opening[pos] = { notes: line.slice(first).filter((n) => n.beat >= bar.start).map((n) => ({ ...n, beat: n.beat - bar.start })), len: bar.len, stepAfter: step };
  }
  // Chromatic approach: now and then a weak note just before a strong one slides into it from a semitone below.
  line.forEach((n, i) => {
    const target = line[i + 1];
    if (!n.strong && target?.strong && target.beat - n.beat <= 1 && rng.chance(0.15) && target.key - 1 >= lo) n.key = target.key - 1;
    emit(n.beat, n.dur, n.key, n.vel);
  });
}

interface MelodyNote {
  beat: number;
  dur: number;
  key: number;
  vel: number;
  strong: boolean;
}
