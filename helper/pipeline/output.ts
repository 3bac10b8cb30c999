import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OutputError } from '../errors.ts';
import { isPlainRelative } from '../core/paths.ts';
import { cacheRoot, makeDirs, readCacheJson, writeAtomic } from './cache.ts';

/**
 * The output folder's safety: everything is written to a private staging folder inside it and
 * renamed into place only when complete, so a failure or Ctrl-C leaves earlier output as it was.
 * Used by `segue score`, the edit commands and the bench's baseline.
 */

/** Makes a folder (and its parents) and checks a file can be written in it, or says which folder and why not. */
export function ensureWritable(dir: string, what = 'the output folder', advice = 'choose another folder with --out'): void {
  try {
    makeDirs(dir);
    const probe = join(dir, `.segue-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (e) {
    throw new OutputError(`cannot write ${what} ${dir} (${(e as NodeJS.ErrnoException).code ?? e}); ${advice}`);
  }
}

/** The cache folder, made and checked before work that writes to it (an unwritable cache is exit 4 with one line, not a stack trace later). */
export const ensureCache = (sub = ''): void => ensureWritable(join(cacheRoot(), sub), 'the cache folder', 'set SEGUE_CACHE_DIR to a writable folder (the cache is always safe to delete)');

/** Makes the output folder and a private staging folder inside it; fails early if it cannot be written. */
export function prepareOutput(outDir: string): string {
  const staging = join(outDir, `.segue-staging-${process.pid}`);
  ensureWritable(outDir);
  ensureWritable(join(staging, 'cues', 'stems'));
  return staging;
}

const JOURNAL = '.commit.json';
const STAGING = /^\.segue-staging-(\d+)$/;

/**
 * Moves finished files into place, one rename each, plan.json last. The list is written to a
 * journal in the staging folder first, so the commit is one step even across a crash: a process
 * killed halfway leaves its staging folder with the journal, and the next writer of the folder
 * completes the renames (recoverStaging) before it reads plan.json.
 */
export function commitOutput(staging: string, outDir: string, files: string[]): void {
  mkdirSync(join(outDir, 'cues', 'stems'), { recursive: true });
  writeAtomic(join(staging, JOURNAL), JSON.stringify(files));
  finishCommit(staging, outDir, files);
}

function finishCommit(staging: string, outDir: string, files: readonly string[]): void {
  const kill = Number(process.env.SEGUE_TEST_KILL_IN_COMMIT); // fault injection for the crash tests: die after this many renames
  files.forEach((f, i) => {
    if (i === kill) process.kill(process.pid, 'SIGKILL');
    if (existsSync(join(staging, f))) renameSync(join(staging, f), join(outDir, f));
  });
}

/**
 * Staging folders of processes that are gone: one that reached its commit (it has a journal) is
 * completed, so the folder holds that run's results whole; one that did not is removed, so the
 * folder holds the run before it. Call it holding the folder's lock (or before any writer runs).
 */
export function recoverStaging(outDir: string): { completed: number; removed: number } {
  const done = { completed: 0, removed: 0 };
  let entries: string[];
  try {
    entries = readdirSync(outDir);
  } catch {
    return done;
  }
  for (const d of entries) {
    const m = STAGING.exec(d);
    if (!m || alive(Number(m[1]))) continue;
    const staging = join(outDir, d);
    const journal = readCacheJson<string[]>(join(staging, JOURNAL), (x) => Array.isArray(x) && x.every((f) => typeof f === 'string' && isPlainRelative(f)));
    if (journal) {
      finishCommit(staging, outDir, journal);
      done.completed++;
    } else done.removed++;
    rmSync(staging, { recursive: true, force: true });
  }
  return done;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `fn` with a fresh staging folder in outDir, and removes the folder however `fn` ends. */
export async function withStaging<T>(outDir: string, fn: (staging: string) => Promise<T>): Promise<T> {
  const staging = prepareOutput(outDir);
  try {
    return await fn(staging);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
