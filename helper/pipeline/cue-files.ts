import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import type { MasterResult } from '../core/master.ts';
import { checkWav24 } from '../core/wav.ts';
import { hasNumbers, readCacheJson } from './cache.ts';

/**
 * Trust nothing on disk blindly. A cached cue is its WAV, its MIDI, its stems and a JSON record
 * (`<hash>.wav.json`) of the mastering result and every file's size and SHA-256, written last; an
 * entry whose files do not match its record (truncated, overwritten, half-deleted) is dropped and
 * rendered again. A take in a project folder is checked against its plan (Segue's WAV header, the
 * plan's length) and, when the cache still knows its content, that content's SHA-256.
 */

export interface FileRecord {
  bytes: number;
  sha256: string;
}

/** The cache's record of one cue: `files` maps a suffix of the WAV's path ("" for the WAV, ".mid", ".drums.wav" ...) to what was written. */
export interface CueRecord extends MasterResult {
  files: Record<string, FileRecord>;
}

export const recordOf = (data: Uint8Array): FileRecord => ({ bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') });

/** The path of a companion file: "" is the WAV itself, ".mid" its MIDI, ".drums.wav" a stem. */
export const companionPath = (wavPath: string, suffix: string): string => (suffix ? wavPath.replace(/\.wav$/, suffix) : wavPath);

const metaPath = (wavPath: string) => `${wavPath}.json`;

const validRecord = (x: unknown): boolean =>
  hasNumbers(x, 'integratedLufs', 'truePeakDbtp', 'gainDb') &&
  typeof (x as CueRecord).files === 'object' && (x as CueRecord).files !== null &&
  Object.values((x as CueRecord).files).every((f) => hasNumbers(f, 'bytes') && typeof f.sha256 === 'string');

/** The cache entry's record, if the entry exists and every file matches it; a damaged entry is removed, with a warning. */
export function verifiedEntry(wavPath: string, warn?: (message: string) => void): CueRecord | null {
  const record = readCacheJson<CueRecord>(metaPath(wavPath), validRecord, warn);
  if (!record) {
    removeEntry(wavPath, {}); // a WAV without its record (a render cut off) is a miss too
    return null;
  }
  for (const [suffix, want] of Object.entries(record.files)) {
    const path = companionPath(wavPath, suffix);
    const problem = !existsSync(path) ? 'is missing' : statSync(path).size !== want.bytes ? `has ${statSync(path).size} bytes, not ${want.bytes}` : recordOf(readFileSync(path)).sha256 !== want.sha256 ? 'has other content than was rendered' : null;
    if (problem) {
      warn?.(`the cached cue ${path} ${problem}; rendering it again`);
      removeEntry(wavPath, record.files);
      return null;
    }
  }
  return record;
}

function removeEntry(wavPath: string, files: Record<string, FileRecord>): void {
  rmSync(metaPath(wavPath), { force: true });
  for (const suffix of new Set(['', '.mid', ...Object.keys(files)])) rmSync(companionPath(wavPath, suffix), { force: true });
}

/** The mastering result alone (what the plan's `loudness` holds). */
export const loudnessOf = (r: MasterResult): MasterResult => ({ integratedLufs: r.integratedLufs, truePeakDbtp: r.truePeakDbtp, gainDb: r.gainDb });

/**
 * Why a take file in a project folder cannot be used as it is, or null: missing, not Segue's WAV,
 * not `fileSamples` long, or (with `sha256`) other bytes than the render made. Reads the header only,
 * unless a hash is given.
 */
export function takeProblem(path: string, fileSamples: number, sha256?: string): string | null {
  if (!existsSync(path)) return 'is missing';
  const size = statSync(path).size;
  const header = new Uint8Array(44);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 44, 0);
  } finally {
    closeSync(fd);
  }
  const wav = checkWav24(header, size);
  if ('problem' in wav) return `is damaged: ${wav.problem}`;
  if (wav.frames !== fileSamples) return `holds ${wav.frames} samples where the plan says ${fileSamples}`;
  if (sha256 && recordOf(readFileSync(path)).sha256 !== sha256) return 'has other content than was rendered (edited outside Segue?)';
  return null;
}
