import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

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

export function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
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
  writeFileSync(tmp, data);
  renameSync(tmp, path);
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
