import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import type { ProgressEvent } from '../../shared/index.ts';
import { InterruptedError, UsageError } from '../errors.ts';
import { recoverStaging } from './output.ts';

/**
 * One writer per project folder, across processes (the CLI and the helper may both edit one):
 * an edit reads plan.json, renders, and writes plan.json back, so two at once would lose one.
 * proper-lockfile (mkdir-based, refreshed while held, stale after 30 s so a killed process does
 * not block a folder forever) does the locking; a second editor waits, and says so.
 */
const WAIT_MS = 10 * 60_000;

export async function withProjectLock<T>(dir: string, emit: (e: ProgressEvent) => void, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  const opts = { lockfilePath: join(dir, '.segue.lock'), stale: 30_000, update: 5_000, realpath: false, onCompromised: () => emit({ type: 'warning', message: `the lock on ${dir} was lost (was the folder moved or the clock changed?); another segue may now edit it too` }) };
  const until = Date.now() + WAIT_MS;
  let release: () => Promise<void>;
  for (let waited = false; ; waited = true) {
    try {
      release = await lockfile.lock(dir, opts);
      break;
    } catch (e) {
      if ((e as { code?: string }).code !== 'ELOCKED') throw e;
      if (!waited) emit({ type: 'warning', message: `waiting: another segue process is editing ${dir}` });
      if (Date.now() > until) throw new UsageError(`another segue process has been editing ${dir} for over ${WAIT_MS / 60_000} minutes; wait for it, or stop it and try again`);
      if (signal.aborted) throw new InterruptedError();
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    // A writer killed mid-commit left its journal: finish its commit before anything reads plan.json.
    const r = recoverStaging(dir);
    if (r.completed) emit({ type: 'warning', message: `completed ${r.completed} commit(s) a stopped segue process left half done in ${dir}` });
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
