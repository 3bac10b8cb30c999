import type { Key } from '../../../shared/index.ts';
import { chordOn, type Chord } from './harmony.ts';
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
  const chordFor = (deg: number, cadential = false) => chordOn(key, deg, style.sevenths, cadential);

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
  for (let t = 0; t < tailBars; t++) {
    const pos = (bodyBars + t) % 4;
    bars.push({
      index: bodyBars + t, start: spec.bodyBeats + t * bpb, len: bpb, section: 'tail', energy: energyAt(spec.energyCurve, 1),
      chord: chordFor(prog[pos % prog.length]!), phrasePos: pos, phraseEnd: pos === 3, final: false,
    });
  }
  return bars;
}
