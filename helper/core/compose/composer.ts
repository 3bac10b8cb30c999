import { MAX_BPM, MIN_BPM, PITCH_CLASSES, MODES } from '../../../shared/index.ts';
import { MusicParameterError } from '../../errors.ts';
import { bodyBarCount, energyAt, layoutBars, type Bar } from './bars.ts';
import { isMinorish } from './harmony.ts';
import { writeRole } from './parts.ts';
import { Rng } from './rng.ts';
import { styleById, type Part } from './styles.ts';
import type { ChannelSetup, Composition, CompositionSpec, NoteEvent } from './types.ts';

/** Longest cue the composer accepts: one hour. Longer scenes are almost surely a units mistake. */
export const MAX_CUE_BEATS = 300 * 60;

export function validateSpec(s: CompositionSpec): void {
  const bad = (field: string, why: string) => {
    throw new MusicParameterError(`${field}: ${why}`);
  };
  styleById(s.style);
  if (!PITCH_CLASSES.includes(s.key.tonic)) bad('key.tonic', `"${s.key.tonic}" is not a pitch class; use one of ${PITCH_CLASSES.join(' ')}`);
  if (!MODES.includes(s.key.mode)) bad('key.mode', `"${s.key.mode}" is not a mode; use one of ${MODES.join(', ')}`);
  if (!(s.bpm >= MIN_BPM && s.bpm <= MAX_BPM)) bad('bpm', `${s.bpm} is outside ${MIN_BPM}-${MAX_BPM}`);
  if (!(Number.isInteger(s.bodyBeats) && s.bodyBeats >= 1)) bad('duration', `${s.bodyBeats} beats; a cue needs at least one whole beat`);
  if (s.bodyBeats > MAX_CUE_BEATS || (s.bodyBeats * 60) / s.bpm > 3600) bad('duration', `${((s.bodyBeats * 60) / s.bpm).toFixed(0)} s is longer than the 1 hour a cue may last`);
  if (!(s.releaseBeats >= 0 && s.releaseBeats < s.bodyBeats)) bad('releaseBeats', `${s.releaseBeats} must be at least 0 and shorter than the cue (${s.bodyBeats} beats)`);
  if (s.voiceCurve && !s.voiceCurve.every((v) => v >= 0 && v <= 1)) bad('voiceCurve', 'each share of speech must lie between 0 and 1');
}

/** Writes the note events of one cue. Pure and deterministic: same spec, same notes. */
export function compose(spec: CompositionSpec): Composition {
  validateSpec(spec);
  const style = styleById(spec.style);
  const rng = new Rng(spec.seed);
  const bars = barsOf(spec, rng);
  const channels: ChannelSetup[] = [];
  const notes: NoteEvent[] = [];
  const melodic = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15];
  let nextMelodic = 0;
  const density = style.melodyDensity * (0.6 + 0.8 * spec.motion);

  const tune = new Set<number>(); // bars the melody plays in
  for (const part of style.parts) {
    const drums = part.role === 'drums';
    const ch = drums ? 9 : melodic[nextMelodic++]!; // GM: channel 10 (index 9) is the drum kit
    channels.push({ ch, role: part.role, name: part.name, program: part.program, drums, volume: part.volume, pan: part.pan, reverb: part.reverb, chorus: part.chorus });
    const active = activeBars(bars, part, spec);
    if (part.role === 'melody') for (const b of active) tune.add(b.index);
    const prng = rng.fork(part.role + part.name);
    const emit = (beat: number, dur: number, key: number, vel: number) => {
      if (dur <= 0) return;
      notes.push({ beat, dur, ch, key, vel });
    };
    writeRole(part, active, spec.key, density, prng, emit, 60 / spec.bpm);
  }
  const finished = applyEnding(applyBreaths(applySwing(notes, style.swing), bars, tune, spec.bodyBeats), spec);
  finished.sort((a, b) => a.beat - b.beat || a.ch - b.ch || a.key - b.key);
  return { channels, notes: finished, headBeats: spec.headBeats, bodyBeats: spec.bodyBeats, tailBeats: spec.tailBeats };
}

/** The cue's bars and chords, as compose lays them out (from the take's own random stream, `rng`, when composing). */
export function barsOf(spec: CompositionSpec, rng = new Rng(spec.seed)): Bar[] {
  return layoutBars(spec, styleById(spec.style), spec.key, rng.fork('bars'), !isMinorish(spec.key.mode));
}

/** A part plays in bars whose energy reaches its entry level (with hysteresis, so it doesn't flicker). */
function activeBars(bars: Bar[], part: Part, spec: CompositionSpec): Bar[] {
  let on = false;
  return bars.filter((bar) => {
    on = on ? bar.energy >= part.enter - 0.08 : bar.energy >= part.enter;
    if (spec.intro && bar.index === 0 && (part.role === 'drums' || part.role === 'melody')) return false;
    // A tune and a voice compete for the same attention: the melody rests in bars where someone speaks.
    if (part.role === 'melody' && spec.voiceCurve && bar.section === 'body' && energyAt(spec.voiceCurve, (bar.start + bar.len / 2) / spec.bodyBeats) >= 0.5) return false;
    // The final chord is held by pad, harmony and bass; melody and drums mark its downbeat only when playing.
    return on || (bar.final && (part.role === 'pad' || part.role === 'bass' || part.role === 'harmony'));
  });
}

/**
 * Breaths between phrases: in calm music (energy 0.5 or less) nothing new starts in the last beat
 * of each eight-bar period, nor of a four-bar phrase the melody does not carry across (a tune's
 * pickup leads on over a half cadence; without a tune nothing does), so the cadence chord rings
 * alone for a beat, as an ensemble breathes between phrases. Real music has an onset-free beat
 * about one beat in 43 (empty-beat rate 0.023, SymMV). Busier music fills the bar instead, and the
 * cue's last bar leads into its transition or has its own ending.
 */
function applyBreaths(notes: NoteEvent[], bars: Bar[], tune: ReadonlySet<number>, bodyBeats: number): NoteEvent[] {
  const calm = (b: Bar) => b.energy <= 0.5;
  const breathes = (b: Bar) => (b.index % 8 === 7 ? calm(b) : b.index % 4 === 3 && calm(b) && !tune.has(b.index) && !tune.has(b.index + 1));
  // Body bars are contiguous, so another follows unless this one ends the body.
  const breaths = bars.filter((b) => b.section === 'body' && !b.final && b.start + b.len < bodyBeats && breathes(b))
    .map((b) => [b.start + b.len - 1, b.start + b.len] as const);
  if (!breaths.length) return notes;
  return notes.filter((n) => !breaths.some(([from, to]) => n.beat >= from - 1e-9 && n.beat < to - 1e-9));
}

/** Delays off-beat eighths toward a triplet feel by `swing` (0 straight .. 1 full triplet). */
function applySwing(notes: NoteEvent[], swing: number): NoteEvent[] {
  if (swing <= 0) return notes;
  return notes.map((n) => {
    const frac = n.beat - Math.floor(n.beat);
    return Math.abs(frac - 0.5) < 1e-9 ? { ...n, beat: n.beat + swing / 6 } : n;
  });
}

/**
 * Where the cue's designed ending begins, in body beats: the final bar that resolves (a resolving
 * or releasing cue holds its tonic there), or a silent gap's release if that starts earlier; the
 * body's end for a cue that continues into its transition.
 */
export function endingStart(spec: CompositionSpec): number {
  if (spec.ending === 'continue') return spec.bodyBeats;
  const finalBar = (bodyBarCount(spec.bodyBeats, spec.beatsPerBar) - 1) * spec.beatsPerBar;
  return spec.ending === 'release' ? Math.min(finalBar, spec.bodyBeats - spec.releaseBeats) : finalBar;
}

/** For a silent gap the music stops releaseBeats before the cut: later notes go, held ones are cut short. */
function applyEnding(notes: NoteEvent[], spec: CompositionSpec): NoteEvent[] {
  if (spec.ending !== 'release' || spec.releaseBeats <= 0) return notes;
  const stop = spec.bodyBeats - spec.releaseBeats;
  return notes
    .filter((n) => n.beat < stop || n.beat >= spec.bodyBeats)
    .map((n) => (n.beat < stop && n.beat + n.dur > stop ? { ...n, dur: stop - n.beat } : n));
}
