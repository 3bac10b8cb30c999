import type { Key } from '../../../shared/index.ts';
import { MusicParameterError } from '../../errors.ts';
import type { Bar } from './bars.ts';
import { chordOn, isMinorish, scalePcs, type Chord } from './harmony.ts';
import { writeRole } from './parts.ts';
import { Rng } from './rng.ts';
import { styleById, type Part, type Style } from './styles.ts';
import { validateSpec } from './composer.ts';
import type { ChannelSetup, Composition, NoteEvent } from './types.ts';

/**
 * The generative bridge of the symbolic engine: a short passage that leads from scene A's music
 * into scene B's across the cut. Pure and deterministic.
 *
 * - Harmony: it starts on A's tonic, moves through a pivot chord (diatonic in both keys, a
 *   predominant in B) and cadences on B's dominant, so B's cue enters on its tonic. When the keys
 *   share no chord, the pivot is B's dominant itself (a direct dominant modulation).
 * - Texture: A's instruments hand over to B's. Each style is a vector of musical parameters; at
 *   bridge position lambda (0 at the start, 0.5 on the cut, 1 at the end) the parameters are
 *   slerp(A, B, lambda), JenBridge's equation 7, and the two sides' parts are weighted by slerp's
 *   own coefficients, which makes the hand-over an equal-power crossfade for unlike styles.
 * - Tempo: the notes are written in beats; the renderer's beat map (core/bridge.ts) ramps the tempo.
 */

export interface BridgeSideSpec {
  style: string;
  key: Key;
  bpm: number;
  beatsPerBar: number;
  /** Arrangement energy 0..1 at this side of the cut. */
  energy: number;
  motion: number;
}

export interface BridgeSpec {
  from: BridgeSideSpec;
  to: BridgeSideSpec;
  /** Beats before the cut (whole bars of from's meter) and after it (whole bars of to's). */
  preBeats: number;
  postBeats: number;
  headBeats: number;
  tailBeats: number;
  seed: number;
}

/** A style as a point in a small parameter space; all components are >= 0, so angles are <= 90 degrees. */
export function styleVector(style: Style, side: BridgeSideSpec): number[] {
  const parts = style.parts;
  const mean = (f: (p: Part) => number) => parts.reduce((a, p) => a + f(p), 0) / parts.length;
  return [
    side.energy,
    style.melodyDensity / 6,
    isMinorish(side.key.mode) ? 0.3 : 1,
    side.bpm / 200,
    style.swing,
    parts.some((p) => p.role === 'drums') ? 1 : 0,
    mean((p) => p.reverb) / 127,
    mean((p) => (p.range[0] + p.range[1]) / 2) / 127,
  ];
}

/** slerp's two coefficients (equation 7); falls back to lerp when the vectors are (nearly) parallel. */
export function slerpWeights(a: readonly number[], b: readonly number[], t: number): [number, number] {
  const dot = a.reduce((s, x, i) => s + x * b[i]!, 0);
  const na = Math.hypot(...a);
  const nb = Math.hypot(...b);
  const theta = Math.acos(Math.max(-1, Math.min(1, dot / (na * nb || 1))));
  if (theta < 1e-3) return [1 - t, t];
  const s = Math.sin(theta);
  return [Math.sin((1 - t) * theta) / s, Math.sin(t * theta) / s];
}

export function slerp(a: readonly number[], b: readonly number[], t: number): number[] {
  const [wa, wb] = slerpWeights(a, b, t);
  return a.map((x, i) => wa * x + wb * b[i]!);
}

/** A chord of A's key that is also diatonic in B's, preferring B's predominants (ii, IV, vi). */
export function pivotChord(a: Key, b: Key): { inA: Chord; degreeInB: number } | null {
  const inB = scalePcs(b);
  const candidates: { inA: Chord; degreeInB: number; score: number }[] = [];
  for (const deg of [3, 1, 5, 0, 2]) {
    const c = chordOn(a, deg, false);
    if (!c.pcs.every((pc) => inB.includes(pc))) continue;
    const degreeInB = inB.indexOf(c.root);
    const score = [1, 3, 5].includes(degreeInB) ? 2 : degreeInB === 0 ? 0 : 1;
    candidates.push({ inA: c, degreeInB, score });
  }
  candidates.sort((x, y) => y.score - x.score);
  return candidates[0] ?? null;
}

interface BridgeBar {
  bar: Bar;
  key: Key;
  side: 'from' | 'to';
  lambda: number;
}

function bridgeBars(spec: BridgeSpec): BridgeBar[] {
  const { from, to } = spec;
  const n = spec.preBeats + spec.postBeats;
  const preBars = spec.preBeats / from.beatsPerBar;
  const postBars = spec.postBeats / to.beatsPerBar;
  const pivot = pivotChord(from.key, to.key);
  const dominantB = chordOn(to.key, 4, false, true);
  // Before the cut: A's tonic (when there are two bars), then the pivot; after it: B's predominant, then V.
  const pre: Chord[] = [chordOn(from.key, 0, false), pivot ? pivot.inA : chordOn(from.key, 4, false, true)].slice(-preBars);
  const post: Chord[] = [pivot ? chordOn(to.key, pivot.degreeInB === 1 ? 1 : 3, false) : dominantB, dominantB].slice(-postBars);
  const out: BridgeBar[] = [];
  const push = (start: number, len: number, section: Bar['section'], chord: Chord, side: 'from' | 'to', phraseEnd: boolean, index: number) => {
    const lambda = Math.max(0, Math.min(1, (start + len / 2) / n));
    const bar: Bar = { index, start, len, section, energy: 0, chord, phrasePos: 0, phraseEnd, final: false };
    out.push({ bar, key: side === 'from' ? from.key : to.key, side, lambda });
  };
  const headBars = Math.round(spec.headBeats / from.beatsPerBar);
  for (let h = headBars; h >= 1; h--) push(-h * from.beatsPerBar, from.beatsPerBar, 'head', chordOn(from.key, h === 1 ? 4 : 3, false, h === 1), 'from', h === 1, -h);
  pre.forEach((c, i) => push(i * from.beatsPerBar, from.beatsPerBar, 'body', c, 'from', i === pre.length - 1, i));
  post.forEach((c, i) => push(spec.preBeats + i * to.beatsPerBar, to.beatsPerBar, 'body', c, 'to', i === post.length - 1, preBars + i));
  const tailBars = Math.round(spec.tailBeats / to.beatsPerBar);
  for (let t = 0; t < tailBars; t++) push(n + t * to.beatsPerBar, to.beatsPerBar, 'tail', chordOn(to.key, t % 2 ? 3 : 0, false), 'to', false, preBars + postBars + t);
  out.forEach((b, i) => (b.bar.phrasePos = i % 4));
  return out;
}

export function validateBridge(spec: BridgeSpec): void {
  for (const [name, side, beats] of [['from', spec.from, spec.preBeats], ['to', spec.to, spec.postBeats]] as const) {
    validateSpec({ style: side.style, key: side.key, bpm: side.bpm, beatsPerBar: side.beatsPerBar, bodyBeats: beats, headBeats: 0, tailBeats: 0, energyCurve: [], motion: side.motion, seed: 0, ending: 'continue', releaseBeats: 0, intro: false });
    if (!Number.isInteger(beats / side.beatsPerBar)) throw new MusicParameterError(`bridge.${name}: ${beats} beats is not a whole number of ${side.beatsPerBar}-beat bars`);
  }
}

export function composeBridge(spec: BridgeSpec): Composition {
  validateBridge(spec);
  const A = styleById(spec.from.style);
  const B = styleById(spec.to.style);
  const vA = styleVector(A, spec.from);
  const vB = styleVector(B, spec.to);
  const bars = bridgeBars(spec);
  for (const b of bars) b.bar.energy = Math.max(0, Math.min(1, slerp(vA, vB, b.lambda)[0]!));
  const rng = new Rng(spec.seed);
  const channels: ChannelSetup[] = [];
  const notes: NoteEvent[] = [];
  const free = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15];

  // Parts of both styles; one instrument that both use plays throughout. One GM drum channel: B's kit.
  const drumsB = B.parts.find((p) => p.role === 'drums');
  const drumsA = A.parts.find((p) => p.role === 'drums');
  const parts: { part: Part; side: 'from' | 'to' | 'both' }[] = [];
  for (const p of A.parts) if (p.role !== 'drums') parts.push({ part: p, side: B.parts.some((q) => q.role === p.role && q.program === p.program) ? 'both' : 'from' });
  for (const p of B.parts) if (p.role !== 'drums' && !parts.some((x) => x.side === 'both' && x.part.program === p.program && x.part.role === p.role)) parts.push({ part: p, side: 'to' });

  for (const { part, side } of parts) {
    const ch = free.shift();
    if (ch === undefined) break;
    channels.push({ ch, role: part.role, name: part.name, program: part.program, drums: false, volume: part.volume, pan: part.pan, reverb: part.reverb, chorus: part.chorus });
    const weightOf = (b: BridgeBar) => (side === 'both' ? 1 : slerpWeights(vA, vB, b.lambda)[side === 'from' ? 0 : 1]);
    // A melody belongs to its own side of the cut, so two tunes never argue; other parts overlap by weight.
    const mine = bars.filter((b) => (part.role === 'melody' && side !== 'both' ? b.side === side : weightOf(b) >= 0.2));
    writePart(part, mine, weightOf, ch, spec, rng.fork(`${side}:${part.role}:${part.name}`), notes);
  }
  const kit = drumsB ?? drumsA;
  if (kit) {
    channels.push({ ch: 9, role: 'drums', name: kit.name, program: kit.program, drums: true, volume: kit.volume, pan: kit.pan, reverb: kit.reverb, chorus: kit.chorus });
    // Each side's groove plays on its own side of the cut, and leans one bar into the other at its
    // slerp weight, so the incoming drums build into the cut instead of landing on it all at once.
    for (const [p, side, w] of [[drumsA, 'from', 0], [drumsB, 'to', 1]] as const) {
      if (!p) continue;
      const weight = (b: BridgeBar) => (b.side === side ? 1 : slerpWeights(vA, vB, b.lambda)[w]);
      const edge = side === 'from' ? bars.filter((b) => b.side === 'to' && b.bar.section === 'body')[0] : bars.filter((b) => b.side === 'from' && b.bar.section === 'body').at(-1);
      writePart(p, bars.filter((b) => b.side === side || b === edge), weight, 9, spec, rng.fork(`drums:${side}`), notes);
    }
  }
  const swung = notes.map((n) => {
    const swing = (n.beat < spec.preBeats ? A : B).swing;
    const frac = n.beat - Math.floor(n.beat);
    return swing > 0 && Math.abs(frac - 0.5) < 1e-9 ? { ...n, beat: n.beat + swing / 6 } : n;
  });
  swung.sort((a, b) => a.beat - b.beat || a.ch - b.ch || a.key - b.key);
  return { channels, notes: swung, headBeats: spec.headBeats, bodyBeats: spec.preBeats + spec.postBeats, tailBeats: spec.tailBeats };
}

/** Runs a part's writer over its bars, one key at a time, scaling velocity by the hand-over weight. */
function writePart(part: Part, bars: BridgeBar[], weightOf: (b: BridgeBar) => number, ch: number, spec: BridgeSpec, rng: Rng, out: NoteEvent[]): void {
  for (const side of ['from', 'to'] as const) {
    const mine = bars.filter((b) => b.side === side);
    if (!mine.length) continue;
    const key = side === 'from' ? spec.from.key : spec.to.key;
    const emit = (beat: number, dur: number, k: number, vel: number) => {
      if (dur <= 0) return;
      const b = mine.find((x) => beat >= x.bar.start - 1e-9 && beat < x.bar.start + x.bar.len) ?? mine[mine.length - 1]!;
      const v = Math.round(vel * (0.55 + 0.45 * Math.min(1, weightOf(b))));
      out.push({ beat, dur, ch, key: k, vel: Math.max(1, Math.min(127, v)) });
    };
    const list = mine.map((b) => b.bar);
    const density = styleById(side === 'from' ? spec.from.style : spec.to.style).melodyDensity * (0.6 + 0.8 * (side === 'from' ? spec.from.motion : spec.to.motion));
    // Each side moves at its own scene's pace (its figures, core/compose/parts.ts figureAt).
    writeRole(part, list, key, density, rng, emit, 60 / (side === 'from' ? spec.from.bpm : spec.to.bpm));
  }
}
