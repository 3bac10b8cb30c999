import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { InterruptedError } from '../errors.ts';

/**
 * Content-addressed cache. Keys are SHA-256 of everything a result depends on, so a re-run with
 * the same inputs and seed finds every result and redoes nothing. Writes are atomic (temp + rename),
 * so a crash or Ctrl-C never leaves a half-written entry that a later run would trust.
 */

export function cacheRoot(): string {
  if (process.env.SEGUE_CACHE_DIR) return process.env.SEGUE_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'segue');
}

export function hashJson(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/** SHA-256 of a file's content; `signal` stops the read (a cancelled score does not wait for gigabytes). */
export function hashFile(path: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    const stream = createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
    signal?.addEventListener('abort', () => stream.destroy(new InterruptedError()), { once: true });
  });
}

/**
 * Where a file's content hash is remembered: keyed by its path, size, inode and modification and
 * change times. An export or copy changes one of them; ctime cannot be set back by tools such as
 * `touch -d`, so content changed in place is never taken for the old content.
 */
function hashMemoPath(path: string): string {
  const st = statSync(path);
  return join(cacheRoot(), 'hashes', `${hashJson({ path: resolve(path), size: st.size, ino: st.ino, mtime: st.mtimeMs, ctime: st.ctimeMs })}.json`);
}
const isSha = (x: unknown) => typeof x === 'string' && /^[0-9a-f]{64}$/.test(x);

/** The file's content hash if it was hashed before and has not changed since; null otherwise. */
export function knownFileHash(path: string): string | null {
  return readCacheJson<string>(hashMemoPath(path), isSha);
}

/**
 * hashFile, remembered (knownFileHash): video files of gigabytes and model folders are hashed once,
 * not on every run (SHA-256 runs at about 0.3 GB/s on the reference machine).
 */
export async function contentHash(path: string, signal?: AbortSignal): Promise<string> {
  const known = knownFileHash(path);
  if (known) return known;
  const memo = hashMemoPath(path);
  const h = await hashFile(path, signal);
  writeAtomic(memo, JSON.stringify(h));
  return h;
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdirSync loops forever where a parent exists but
 * refuses children (e.g. under /proc), so a bad --out or SEGUE_CACHE_DIR would spin instead of failing.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

export function writeAtomic(path: string, data: string | Uint8Array): void {
  makeDirs(dirname(path));
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true }); // a disk that filled midway keeps no half-written temp file
    throw e;
  }
}

/** A write takes milliseconds: a temp file this old was left by a writer that was killed (Ctrl-C mid-render). */
const STALE_TEMP_MS = 10 * 60_000;

/** Removes the temp files in `dir` that killed writers left (writeAtomic's, older than STALE_TEMP_MS): nothing else ever would. */
export function sweepStaleTemps(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.tmp'));
  } catch {
    return; // no folder yet
  }
  for (const f of names) {
    try {
      if (Date.now() - statSync(join(dir, f)).mtimeMs > STALE_TEMP_MS) rmSync(join(dir, f), { force: true });
    } catch {
      // removed meanwhile
    }
  }
}

/**
 * A cached JSON entry, or null when there is none. An entry that does not parse or fails `valid`
 * (truncated, overwritten, from a foreign tool) is a miss, never an error: it is removed, and
 * `warn` says so, so the result is computed again.
 */
export function readCacheJson<T>(path: string, valid: (x: unknown) => boolean, warn?: (message: string) => void): T | null {
  if (!existsSync(path)) return null;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    value = undefined;
  }
  if (value !== undefined && valid(value)) return value as T;
  warn?.(`the cache entry ${path} is damaged; computing it again`);
  rmSync(path, { force: true });
  return null;
}

/** Type guards for cache entries: arrays of numbers, objects with numeric fields. */
export const isNumbers = (x: unknown): boolean => Array.isArray(x) && x.every((v) => typeof v === 'number');
export const hasNumbers = (x: unknown, ...keys: string[]): boolean =>
  typeof x === 'object' && x !== null && keys.every((k) => typeof (x as Record<string, unknown>)[k] === 'number');
