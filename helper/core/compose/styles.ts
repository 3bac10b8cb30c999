import type { Mode } from '../../../shared/index.ts';
import { MusicParameterError } from '../../errors.ts';

/**
 * The style library: what each style sounds like, as data. Programs are General MIDI (0-based);
 * drum kits are GS kit numbers on channel 10. Levels are MIDI CC values (volume 7, pan 10,
 * reverb 91, chorus 93). `enter` is the arrangement energy (0..1) at which a part comes in.
 */

export type Role = 'drums' | 'bass' | 'harmony' | 'melody' | 'pad';
export type HarmonyPattern = 'sustain' | 'arpeggio' | 'pulse8' | 'comp' | 'strum' | 'ostinato16' | 'broken' | 'tremolo';
export type BassPattern = 'whole' | 'half' | 'alternating' | 'eighths' | 'walking' | 'octaves' | 'drone';
export type DrumPattern = 'backbeat' | 'halftime' | 'four-on-floor' | 'boombap' | 'brush-swing' | 'taiko' | 'pulse';

export interface Part {
  role: Role;
  name: string;
  program: number;
  volume: number;
  pan: number;
  reverb: number;
  chorus: number;
  enter: number;
  /** Lowest and highest MIDI note this part writes (drums: unused). */
  range: [number, number];
  pattern?: HarmonyPattern | BassPattern | DrumPattern;
}

export interface Style {
  id: string;
  label: string;
  genre: string[];
  bpm: [number, number];
  swing: number;
  beatsPerBar: number;
  modes: { bright: Mode; dark: Mode };
  sevenths: boolean;
  /**
   * In a minor key every V is major, with the raised leading tone (harmonic minor), as classical
   * and film writing has it; without this only a cadence's V is, and phrases keep the modal minor
   * v of pop and rock.
   */
  leadingTone?: boolean;
  /** Progressions as scale degrees (0 = I), one chord per bar; chosen per phrase. */
  progressions: { bright: number[][]; dark: number[][] };
  /** Melody notes per bar at full energy. */
  melodyDensity: number;
  parts: Part[];
}

const P = (role: Role, name: string, program: number, o: Partial<Part> & Pick<Part, 'range'>): Part => ({
  role, name, program, volume: 100, pan: 64, reverb: 40, chorus: 0, enter: 0, ...o,
});

const POP_MAJOR = [[0, 4, 5, 3], [0, 5, 3, 4], [5, 3, 0, 4], [0, 3, 0, 4]];
const POP_MINOR = [[0, 5, 2, 6], [0, 3, 6, 4], [0, 6, 5, 4], [0, 5, 3, 4]];

export const STYLES: readonly Style[] = [
  {
    id: 'cinematic', label: 'cinematic orchestral', genre: ['cinematic', 'orchestral', 'film score'], bpm: [70, 110], swing: 0, beatsPerBar: 4,
    modes: { bright: 'lydian', dark: 'minor' }, sevenths: false, leadingTone: true, progressions: { bright: [[0, 5, 3, 4], [0, 3, 5, 4], [0, 2, 3, 4]], dark: [[0, 5, 2, 6], [0, 3, 5, 4], [0, 6, 5, 4]] },
    melodyDensity: 3,
    parts: [
      P('pad', 'strings', 48, { range: [48, 79], pattern: 'sustain', volume: 96, reverb: 80 }),
      P('bass', 'contrabass', 43, { range: [28, 50], pattern: 'half', volume: 100, reverb: 60 }),
      P('harmony', 'harp', 46, { range: [55, 84], pattern: 'arpeggio', volume: 80, pan: 44, reverb: 70, enter: 0.3 }),
      P('melody', 'french horn', 60, { range: [53, 74], volume: 100, pan: 76, reverb: 80, enter: 0.2 }),
      P('drums', 'timpani and orchestral percussion', 48, { range: [0, 127], pattern: 'pulse', volume: 96, reverb: 70, enter: 0.55 }),
    ],
  },
  {
    id: 'ambient', label: 'ambient drone', genre: ['ambient', 'drone', 'atmospheric'], bpm: [60, 90], swing: 0, beatsPerBar: 4,
    modes: { bright: 'lydian', dark: 'dorian' }, sevenths: true, progressions: { bright: [[0, 0, 3, 3], [0, 5, 3, 0]], dark: [[0, 0, 6, 6], [0, 3, 0, 6]] },
    melodyDensity: 1.5,
    parts: [
      P('pad', 'warm pad', 89, { range: [48, 76], pattern: 'sustain', volume: 100, reverb: 110, chorus: 60 }),
      P('bass', 'fretless bass', 35, { range: [28, 48], pattern: 'drone', volume: 90, reverb: 70 }),
      P('harmony', 'crystal arpeggio', 98, { range: [60, 84], pattern: 'arpeggio', volume: 62, pan: 40, reverb: 120, enter: 0.2 }),
      P('melody', 'celesta', 8, { range: [67, 91], volume: 80, pan: 88, reverb: 120, enter: 0.05 }),
    ],
  },
  {
    id: 'piano', label: 'solo piano', genre: ['solo piano', 'neo-classical'], bpm: [60, 100], swing: 0, beatsPerBar: 4,
    modes: { bright: 'major', dark: 'minor' }, sevenths: false, leadingTone: true, progressions: { bright: POP_MAJOR, dark: POP_MINOR },
    melodyDensity: 4,
    parts: [
      P('bass', 'piano left hand', 0, { range: [33, 52], pattern: 'octaves', volume: 90, reverb: 50 }),
      P('harmony', 'piano', 0, { range: [50, 72], pattern: 'broken', volume: 84, reverb: 50 }),
      P('melody', 'piano right hand', 0, { range: [65, 88], volume: 100, reverb: 50, enter: 0.1 }),
    ],
  },
  {
    id: 'lofi', label: 'lo-fi hip-hop', genre: ['lo-fi hip hop', 'chillhop'], bpm: [70, 92], swing: 0.6, beatsPerBar: 4,
    modes: { bright: 'major', dark: 'dorian' }, sevenths: true, progressions: { bright: [[1, 4, 0, 0], [3, 2, 1, 0]], dark: [[0, 3, 0, 3], [0, 6, 5, 4]] },
    melodyDensity: 3,
    parts: [
      P('drums', 'drum kit', 0, { range: [0, 127], pattern: 'boombap', volume: 100, reverb: 30 }),
      P('bass', 'finger bass', 33, { range: [28, 48], pattern: 'half', volume: 100, reverb: 20 }),
      P('harmony', 'electric piano', 4, { range: [52, 79], pattern: 'comp', volume: 92, chorus: 60, reverb: 50 }),
      P('melody', 'vibraphone', 11, { range: [64, 84], volume: 84, pan: 80, reverb: 70, enter: 0.1 }),
    ],
  },
  {
    id: 'synthwave', label: 'electronic synthwave', genre: ['synthwave', 'electronic', 'retro'], bpm: [90, 128], swing: 0, beatsPerBar: 4,
    modes: { bright: 'major', dark: 'minor' }, sevenths: false, progressions: { bright: POP_MAJOR, dark: POP_MINOR },
    melodyDensity: 4,
    parts: [
      P('drums', 'electronic drums', 25, { range: [0, 127], pattern: 'four-on-floor', volume: 100, reverb: 40, enter: 0.2 }),
      P('bass', 'synth bass', 38, { range: [28, 52], pattern: 'eighths', volume: 96, reverb: 20 }),
      P('pad', 'polysynth pad', 90, { range: [52, 76], pattern: 'sustain', volume: 84, chorus: 80, reverb: 90 }),
      P('harmony', 'saw synth', 81, { range: [60, 84], pattern: 'arpeggio', volume: 70, pan: 40, reverb: 70, enter: 0.4 }),
      P('melody', 'synth lead', 80, { range: [62, 86], volume: 84, pan: 84, reverb: 80, enter: 0.5 }),
    ],
  },
  {
    id: 'pop-rock', label: 'pop/rock', genre: ['rock', 'pop', 'indie rock'], bpm: [100, 150], swing: 0, beatsPerBar: 4,
    modes: { bright: 'major', dark: 'minor' }, sevenths: false, progressions: { bright: POP_MAJOR, dark: POP_MINOR },
    melodyDensity: 4,
    parts: [
      P('drums', 'drums', 0, { range: [0, 127], pattern: 'backbeat', volume: 104, reverb: 30 }),
      P('bass', 'bass', 34, { range: [28, 52], pattern: 'eighths', volume: 100, reverb: 10 }),
      P('harmony', 'electric guitar', 29, { range: [52, 72], pattern: 'pulse8', volume: 84, pan: 40, reverb: 40 }),
      P('pad', 'organ', 16, { range: [55, 76], pattern: 'sustain', volume: 64, pan: 88, reverb: 40, enter: 0.6 }),
      P('melody', 'clean guitar', 27, { range: [62, 84], volume: 90, pan: 84, reverb: 50, enter: 0.35 }),
    ],
  },
  {
    id: 'folk', label: 'acoustic folk', genre: ['folk', 'acoustic', 'singer-songwriter'], bpm: [80, 120], swing: 0, beatsPerBar: 4,
    modes: { bright: 'major', dark: 'dorian' }, sevenths: false, progressions: { bright: [[0, 3, 0, 4], [0, 5, 3, 4], [3, 0, 4, 0]], dark: [[0, 6, 0, 6], [0, 3, 6, 0]] },
    melodyDensity: 4,
    parts: [
      P('harmony', 'acoustic guitar', 25, { range: [48, 71], pattern: 'strum', volume: 96, reverb: 40 }),
      P('bass', 'acoustic bass', 32, { range: [28, 50], pattern: 'alternating', volume: 92, reverb: 30 }),
      P('melody', 'flute', 73, { range: [67, 88], volume: 84, pan: 80, reverb: 60, enter: 0.1 }),
      P('pad', 'string section', 48, { range: [55, 76], pattern: 'sustain', volume: 60, pan: 44, reverb: 80, enter: 0.55 }),
      P('drums', 'brush kit', 40, { range: [0, 127], pattern: 'halftime', volume: 80, reverb: 40, enter: 0.45 }),
    ],
  },
  {
    id: 'suspense', label: 'suspense thriller', genre: ['suspense', 'thriller', 'dark ambient'], bpm: [60, 100], swing: 0, beatsPerBar: 4,
    modes: { bright: 'dorian', dark: 'phrygian' }, sevenths: false, progressions: { bright: [[0, 0, 1, 0], [0, 6, 0, 5]], dark: [[0, 1, 0, 1], [0, 0, 5, 1]] },
    melodyDensity: 1.5,
    parts: [
      P('pad', 'tremolo strings', 44, { range: [40, 67], pattern: 'tremolo', volume: 92, reverb: 90 }),
      P('bass', 'contrabass', 43, { range: [24, 45], pattern: 'drone', volume: 100, reverb: 60 }),
      P('harmony', 'pizzicato strings', 45, { range: [48, 72], pattern: 'ostinato16', volume: 70, reverb: 60, enter: 0.3 }),
      P('melody', 'celesta', 8, { range: [72, 96], volume: 72, pan: 90, reverb: 110, enter: 0.2 }),
      P('drums', 'low percussion', 48, { range: [0, 127], pattern: 'pulse', volume: 90, reverb: 80, enter: 0.5 }),
    ],
  },
  {
    id: 'action', label: 'action epic percussion', genre: ['epic', 'action', 'trailer'], bpm: [120, 160], swing: 0, beatsPerBar: 4,
    modes: { bright: 'minor', dark: 'phrygian' }, sevenths: false, progressions: { bright: [[0, 5, 2, 6], [0, 5, 6, 0]], dark: [[0, 1, 0, 5], [0, 5, 1, 0]] },
    melodyDensity: 3,
    parts: [
      P('drums', 'taiko and orchestral percussion', 48, { range: [0, 127], pattern: 'taiko', volume: 110, reverb: 60 }),
      P('harmony', 'staccato strings', 48, { range: [48, 72], pattern: 'ostinato16', volume: 90, reverb: 50 }),
      P('bass', 'low brass and basses', 43, { range: [28, 48], pattern: 'eighths', volume: 100, reverb: 50 }),
      P('melody', 'brass section', 61, { range: [55, 79], volume: 100, reverb: 70, enter: 0.3 }),
      P('pad', 'choir', 52, { range: [52, 76], pattern: 'sustain', volume: 80, reverb: 100, enter: 0.6 }),
    ],
  },
  {
    id: 'jazz', label: 'jazz trio', genre: ['jazz', 'swing', 'lounge'], bpm: [90, 180], swing: 0.66, beatsPerBar: 4,
    modes: { bright: 'major', dark: 'dorian' }, sevenths: true, progressions: { bright: [[1, 4, 0, 0], [0, 5, 1, 4], [2, 5, 1, 4]], dark: [[0, 3, 0, 3], [1, 4, 0, 0]] },
    melodyDensity: 5,
    parts: [
      P('drums', 'brush kit with ride', 40, { range: [0, 127], pattern: 'brush-swing', volume: 90, reverb: 40 }),
      P('bass', 'upright bass', 32, { range: [28, 52], pattern: 'walking', volume: 104, reverb: 30 }),
      P('harmony', 'piano', 0, { range: [52, 74], pattern: 'comp', volume: 86, reverb: 40 }),
      P('melody', 'tenor sax', 66, { range: [56, 80], volume: 92, pan: 80, reverb: 60, enter: 0.25 }),
    ],
  },
];

export function styleById(id: string): Style {
  const s = STYLES.find((x) => x.id === id);
  if (!s) {
    throw new MusicParameterError(`style "${id}" is not in the style library; use one of: ${STYLES.map((x) => x.id).join(', ')}`);
  }
  return s;
}
