import type { PAction, PProject } from './api.ts';

/** Premiere refused an edit, or an API call failed; the message says which step. */
export class PremiereError extends Error {
  override name = 'PremiereError';
}

/**
 * Every edit the panel makes goes through here: one `executeTransaction` inside `lockedAccess`,
 * so it is one undo entry named `undo`, and every Action is created inside the lock (Premiere 26.3
 * enforces that). `build` must be synchronous: awaiting inside the lock breaks it, so everything
 * asynchronous (imports, lookups, track counts) happens before this is called.
 */
export function transact(project: PProject, undo: string, build: (add: (action: PAction) => void) => void): void {
  let ok = false;
  let failure: unknown = null;
  project.lockedAccess(() => {
    try {
      ok = project.executeTransaction((compound) => {
        const result: unknown = build((action) => {
          if (!compound.addAction(action)) throw new PremiereError(`${undo}: Premiere refused one of the edits`);
        });
        if (result instanceof Promise) throw new PremiereError(`${undo}: internal error, an edit was built asynchronously`);
      }, undo);
    } catch (e) {
      failure = e;
    }
  });
  if (failure) throw failure instanceof PremiereError ? failure : new PremiereError(`${undo}: ${(failure as Error).message ?? failure}`);
  if (!ok) throw new PremiereError(`${undo}: Premiere did not apply the edit (nothing was changed)`);
}
