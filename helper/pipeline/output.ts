import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OutputError } from '../errors.ts';

/**
 * The output folder's safety: everything is written to a private staging folder inside it and
 * renamed into place only when complete, so a failure or Ctrl-C leaves earlier output as it was.
 * Used by `segue score`, the edit commands and the bench's baseline.
 */

/** Makes the output folder and a private staging folder inside it; fails early if it cannot be written. */
export function prepareOutput(outDir: string): string {
  const staging = join(outDir, `.segue-staging-${process.pid}`);
  try {
    mkdirSync(join(staging, 'cues', 'stems'), { recursive: true });
    writeFileSync(join(staging, '.probe'), '');
  } catch (e) {
    throw new OutputError(`cannot write to ${outDir} (${(e as NodeJS.ErrnoException).code ?? e}); choose another folder with --out`);
  }
  return staging;
}

/** Moves finished files into place, one rename each (plan.json last), so earlier output is replaced only by complete files. */
export function commitOutput(staging: string, outDir: string, files: string[]): void {
  mkdirSync(join(outDir, 'cues', 'stems'), { recursive: true });
  for (const f of files) renameSync(join(staging, f), join(outDir, f));
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
