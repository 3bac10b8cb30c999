import type { Composition } from '../../helper/core/compose/types.ts';

/**
 * Symbolic music statistics of note events, as used by V-MusProd's SymMV table (seed 003:
 * scale consistency, pitch entropy, pitch-class entropy, empty-beat rate, inter-onset interval,
 * with MusPy's definitions) and by CMT (pitch-class histogram entropy, grooving pattern
 * similarity, structureness). Computed on the pitched notes of a cue's body. Pure.
 */

export interface MusicStats {
  scaleConsistency: number;
  pitchEntropy: number;
  pitchClassEntropy: number;
  emptyBeatRate: number;
  /** Seconds. */
  interOnsetInterval: number;
  groovingSimilarity: number;
  /** Our approximation of Wu & Yang's structureness indicator (see structureness below). */
  structureness: number;
}

const MAJOR = [0, 2, 4, 5, 7, 9, 11];
const MINOR = [0, 2, 3, 5, 7, 8, 10];

function entropy(counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (!total) return 0;
  return -counts.reduce((h, c) => (c ? h + (c / total) * Math.log2(c / total) : h), 0);
}

export function musicStats(comp: Composition, bpm: number): MusicStats {
  const drums = new Set(comp.channels.filter((c) => c.drums).map((c) => c.ch));
  const body = comp.notes.filter((n) => n.beat >= 0 && n.beat < comp.bodyBeats);
  const pitched = body.filter((n) => !drums.has(n.ch));
  const pitchHist = new Array<number>(128).fill(0);
  const pcHist = new Array<number>(12).fill(0);
  for (const n of pitched) {
    pitchHist[n.key]!++;
    pcHist[n.key % 12]!++;
  }
  // Scale consistency: the share of notes in the best-fitting major or minor scale.
  let sc = 0;
  for (let t = 0; t < 12; t++) {
    for (const scale of [MAJOR, MINOR]) {
      const inScale = pitched.filter((n) => scale.includes((n.key - t + 120) % 12)).length;
      sc = Math.max(sc, inScale / (pitched.length || 1));
    }
  }
  const emptyBeatRate = emptyBeatShare(comp, comp.bodyBeats);
  // Inter-onset interval: mean gap between successive distinct onsets of the pitched notes, in
  // seconds. Onsets within a sixty-fourth note of the one before are one event: a strum's strings
  // (0.012 beat apart) or a rolled chord, which the symbolic references write as one chord. No
  // written rhythm here is that fine (the finest is a sixteenth-note triplet, a sixth of a beat).
  const onsets: number[] = [];
  for (const o of [...new Set(pitched.map((n) => Math.round(n.beat * 480) / 480))].sort((a, b) => a - b)) {
    if (!onsets.length || o - onsets[onsets.length - 1]! >= 1 / 16) onsets.push(o);
  }
  const gaps = onsets.slice(1).map((o, i) => o - onsets[i]!);
  const ioi = gaps.length ? ((gaps.reduce((a, b) => a + b, 0) / gaps.length) * 60) / bpm : 0;
  return {
    scaleConsistency: sc,
    pitchEntropy: entropy(pitchHist),
    pitchClassEntropy: entropy(pcHist),
    emptyBeatRate,
    interOnsetInterval: ioi,
    groovingSimilarity: grooving(body, comp.bodyBeats),
    structureness: structureness(pitched, comp.bodyBeats),
  };
}

/** Beats each pitch class sounds in the body, drums aside: the written notes' chromagram (a key estimator's input). */
export function writtenPitchClasses(comp: Composition): number[] {
  const drums = new Set(comp.channels.filter((c) => c.drums).map((c) => c.ch));
  const pc = new Array<number>(12).fill(0);
  for (const n of comp.notes) {
    const sounding = Math.min(comp.bodyBeats, n.beat + n.dur) - Math.max(0, n.beat);
    if (!drums.has(n.ch) && sounding > 0) pc[n.key % 12]! += sounding;
  }
  return pc;
}

/** Empty beats: the share of the body's first `beats` beats in which no note (drums included) starts. */
export function emptyBeatShare(comp: Composition, beats: number): number {
  const onsetBeats = new Set(comp.notes.filter((n) => n.beat >= 0 && n.beat < beats).map((n) => Math.floor(n.beat + 1e-9)));
  return beats > 0 ? 1 - onsetBeats.size / beats : 0;
}

/** MusPy's grooving pattern similarity: 1 - mean Hamming distance between bars' 16th-note onset patterns. */
function grooving(notes: Composition['notes'], bodyBeats: number): number {
  const bars = Math.floor(bodyBeats / 4);
  if (bars < 2) return 1;
  const pat = Array.from({ length: bars }, () => new Array<number>(16).fill(0));
  for (const n of notes) {
    const bar = Math.floor(n.beat / 4);
    if (bar < bars) pat[bar]![Math.min(15, Math.floor((n.beat - bar * 4) * 4 + 1e-9))] = 1;
  }
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < bars; i++) {
    for (let j = i + 1; j < bars; j++) {
      let d = 0;
      for (let k = 0; k < 16; k++) d += pat[i]![k] === pat[j]![k] ? 0 : 1;
      sum += 1 - d / 16;
      pairs++;
    }
  }
  return sum / pairs;
}

/**
 * Structureness, approximated: bars are described by pitch-class content; for segment lengths of
 * 2 to 8 bars, a segment's fitness is its mean cosine similarity to its best non-overlapping repeat;
 * the indicator is the best fitness weighted by the share of the piece the segment and its repeat
 * cover. Wu & Yang's fitness scape plot is more elaborate, so compare our figure with itself over
 * time, and only loosely with CMT's 0.241 and real music's 0.488.
 */
function structureness(notes: Composition['notes'], bodyBeats: number): number {
  const bars = Math.floor(bodyBeats / 4);
  if (bars < 4) return 0;
  const vec = Array.from({ length: bars }, () => new Array<number>(12).fill(0));
  for (const n of notes) {
    const bar = Math.floor(n.beat / 4);
    if (bar < bars) vec[bar]![n.key % 12]! += n.dur;
  }
  const cos = (a: number[], b: number[]) => {
    let d = 0, na = 0, nb = 0;
    for (let i = 0; i < 12; i++) (d += a[i]! * b[i]!), (na += a[i]! ** 2), (nb += b[i]! ** 2);
    return na && nb ? d / Math.sqrt(na * nb) : 0;
  };
  let best = 0;
  for (let len = 2; len <= Math.min(8, bars >> 1); len++) {
    for (let s = 0; s + len <= bars; s++) {
      let bestRepeat = 0;
      for (let r = 0; r + len <= bars; r++) {
        if (Math.abs(r - s) < len) continue;
        let m = 0;
        for (let i = 0; i < len; i++) m += cos(vec[s + i]!, vec[r + i]!);
        bestRepeat = Math.max(bestRepeat, m / len);
      }
      best = Math.max(best, bestRepeat * Math.min(1, (2 * len) / bars));
    }
  }
  return best;
}

export const REFERENCE = {
  real: { scaleConsistency: 0.986, pitchEntropy: 4.197, pitchClassEntropy: 2.633, emptyBeatRate: 0.023, interOnsetInterval: 0.184, groovingSimilarity: 0.968, structureness: 0.488 },
  cmt: { scaleConsistency: 0.99, pitchEntropy: 3.92, pitchClassEntropy: 2.444, emptyBeatRate: 0.074, interOnsetInterval: 0.246, groovingSimilarity: 0.81, structureness: 0.241 },
} as const;
