import { readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheRoot, readCacheJson, sweepStaleTemps, writeAtomic } from './cache.ts';
import { recordOf, type FileRecord } from './cue-files.ts';

/**
 * The synth's output before mastering, kept so that an edit which changes only a cue's mastering
 * re-masters it instead of synthesising it again. Swapping an abrupt cut for a crossfade is such an
 * edit: the two scene cues keep their notes and grid and change only their fades and rides, so the
 * swap costs two re-masters (about 0.15 s per 20 s cue) instead of two renders (0.5-1 s each).
 *
 * Stored as the float32 samples the synth made, so a cue mastered from the store is byte-identical
 * to one mastered from a fresh render. An entry is one file of planar channels (`<key>.f32`: each
 * part's left then right) and its record (`<key>.f32.json`: parts, length, size and SHA-256), the
 * record written last; an entry that does not match its record is a miss and is removed.
 *
 * At 7.7 MB per 20 s of stereo the store is bounded: after each write the least recently used
 * entries (a hit counts as a use) are removed until it holds at most `limitBytes`.
 */

export interface StoredRender {
  /** "mix", or the stem groups in the order they are summed. */
  parts: string[];
  /** Per part, left and right. */
  pcm: Float32Array[][];
}

interface StoreRecord extends FileRecord {
  parts: string[];
  samples: number;
}

/** 1 GiB unless `SEGUE_RENDER_STORE_MB` gives another number of megabytes: about 140 cues of 20 s, a dozen sequences' worth. */
export function renderStoreLimit(): number {
  const mb = process.env.SEGUE_RENDER_STORE_MB ? Number(process.env.SEGUE_RENDER_STORE_MB) : NaN;
  return (Number.isFinite(mb) && mb >= 0 ? mb : 1024) * 2 ** 20;
}

export const renderStorePath = (key: string): string => join(cacheRoot(), 'renders', `${key}.f32`);

const validRecord = (x: unknown): boolean => {
  const r = x as StoreRecord;
  return typeof r === 'object' && r !== null && Array.isArray(r.parts) && r.parts.every((p) => typeof p === 'string') &&
    Number.isInteger(r.samples) && Number.isInteger(r.bytes) && typeof r.sha256 === 'string';
};

const remove = (path: string) => {
  rmSync(`${path}.json`, { force: true });
  rmSync(path, { force: true });
};

/** The stored render at `path`, `samples` long, or null: missing, damaged (removed), or removed meanwhile by another worker's pruning. */
export function readRender(path: string, samples: number): StoredRender | null {
  const record = readCacheJson<StoreRecord>(`${path}.json`, validRecord);
  if (!record) return null;
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    remove(path);
    return null;
  }
  if (record.samples !== samples || data.length !== record.bytes || record.bytes !== record.parts.length * 2 * record.samples * 4 || recordOf(data).sha256 !== record.sha256) {
    remove(path);
    return null;
  }
  // A Float32Array view needs a 4-byte aligned offset; a file this size has its own buffer, but check.
  const bytes = data.byteOffset % 4 === 0 ? data : new Uint8Array(data);
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const n = record.samples;
  const pcm = record.parts.map((_, p) => [all.subarray(2 * p * n, (2 * p + 1) * n), all.subarray((2 * p + 1) * n, (2 * p + 2) * n)]);
  try {
    const now = new Date();
    utimesSync(path, now, now); // used: the last to be pruned
  } catch {
    // pruned meanwhile; the samples are already read
  }
  return { parts: record.parts, pcm };
}

/** Stores a render, then prunes the store to `limitBytes`. A write that fails (disk full) only loses the shortcut. */
export function writeRender(path: string, render: StoredRender, limitBytes = renderStoreLimit()): void {
  const samples = render.pcm[0]?.[0]?.length ?? 0;
  const bytes = render.parts.length * 2 * samples * 4;
  if (bytes === 0 || bytes > limitBytes) return;
  const data = new Uint8Array(bytes);
  const all = new Float32Array(data.buffer);
  render.pcm.forEach((channels, p) => channels.forEach((ch, c) => all.set(ch, (2 * p + c) * samples)));
  try {
    writeAtomic(path, data);
    writeAtomic(`${path}.json`, JSON.stringify({ parts: render.parts, samples, ...recordOf(data) } satisfies StoreRecord));
  } catch {
    remove(path);
    return;
  }
  pruneRenders(dirname(path), limitBytes);
}

/** Removes the least recently used entries of the store in `dir` until it holds at most `limitBytes`, and killed writers' temp files (8 MB each). */
export function pruneRenders(dir: string, limitBytes: number): void {
  sweepStaleTemps(dir);
  let entries: { path: string; bytes: number; used: number }[];
  try {
    entries = readdirSync(dir).filter((f) => f.endsWith('.f32')).flatMap((f) => {
      try {
        const st = statSync(join(dir, f));
        return [{ path: join(dir, f), bytes: st.size, used: st.mtimeMs }];
      } catch {
        return []; // removed by another worker meanwhile
      }
    });
  } catch {
    return;
  }
  let total = entries.reduce((s, e) => s + e.bytes, 0);
  for (const e of entries.sort((a, b) => a.used - b.used)) {
    if (total <= limitBytes) break;
    remove(e.path);
    total -= e.bytes;
  }
}
