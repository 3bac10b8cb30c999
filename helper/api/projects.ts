import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { ProjectSummary } from '../../shared/index.ts';
import { writeAtomic } from '../pipeline/cache.ts';
import { isPlainRelative } from '../core/paths.ts';
import { loadPlan } from '../pipeline/edit.ts';
import { recoverStaging } from '../pipeline/output.ts';
import { NotFoundError, RequestError } from '../errors.ts';

/**
 * Projects on disk: one folder per project under <data>/projects/<id>, in the CLI's output layout
 * (plan.json, cues/, ...) plus sequence.json and frames/ (what the panel sent). Folders the CLI made
 * are opened in place and remembered in <data>/opened.json. A project id is a short slug; nothing
 * a client sends is ever joined into a path without being checked first.
 */

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export class ProjectStore {
  readonly root: string;
  private readonly openedPath: string;

  constructor(readonly dataDir: string) {
    this.root = join(dataDir, 'projects');
    this.openedPath = join(dataDir, 'opened.json');
    mkdirSync(this.root, { recursive: true });
  }

  private opened(): Record<string, string> {
    try {
      const o = JSON.parse(readFileSync(this.openedPath, 'utf8')) as Record<string, string>;
      return Object.fromEntries(Object.entries(o).filter(([k, v]) => ID.test(k) && typeof v === 'string'));
    } catch {
      return {};
    }
  }

  /** The folder of project `id`; NotFoundError when there is none. */
  dirOf(id: string): string {
    if (!ID.test(id)) throw new NotFoundError(`"${id}" is not a project id (ids are lower-case letters, digits and dashes, as POST /v1/projects answered)`);
    const dir = this.opened()[id] ?? join(this.root, id);
    if (!existsSync(dir)) throw new NotFoundError(`there is no project "${id}"; GET /v1/projects lists them`);
    return dir;
  }

  create(name: string): { id: string; dir: string } {
    const slug = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'sequence';
    const id = `${slug}-${randomBytes(3).toString('hex')}`;
    const dir = join(this.root, id);
    mkdirSync(dir, { recursive: true });
    return { id, dir };
  }

  /** Removes a project the helper made (a creation refused half-way); opened CLI folders are never deleted. */
  remove(id: string): void {
    if (ID.test(id) && !this.opened()[id]) rmSync(join(this.root, id), { recursive: true, force: true });
  }

  /** Registers a folder `segue score` wrote; the same folder always gets the same id. */
  open(dir: string): string {
    const abs = resolve(dir);
    if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new RequestError(`dir: ${dir} is not a folder; give the output folder of "segue score" (its --out)`, 'dir');
    try {
      loadPlan(abs);
    } catch (e) {
      throw new RequestError(`dir: ${(e as Error).message}`, 'dir');
    }
    const id = `cli-${createHash('sha256').update(abs).digest('hex').slice(0, 12)}`;
    writeAtomic(this.openedPath, JSON.stringify({ ...this.opened(), [id]: abs }, null, 2));
    return id;
  }

  ids(): string[] {
    const own = readdirSync(this.root).filter((d) => ID.test(d) && statSync(join(this.root, d)).isDirectory());
    const opened = this.opened();
    return [...own, ...Object.keys(opened).filter((id) => existsSync(opened[id]!))];
  }

  summary(id: string, activeJob: string | null): ProjectSummary {
    const dir = this.dirOf(id);
    const seq = readSequenceName(dir);
    const planPath = join(dir, 'plan.json');
    if (!existsSync(planPath)) {
      return { id, name: seq ?? id, state: 'new', scenes: 0, cues: 0, dir, updatedAt: statSync(dir).mtime.toISOString(), activeJob };
    }
    let plan;
    try {
      plan = loadPlan(dir);
    } catch (e) {
      return { id, name: seq ?? id, state: 'damaged', scenes: 0, cues: 0, dir, updatedAt: statSync(planPath).mtime.toISOString(), activeJob, problem: (e as Error).message };
    }
    const name = seq ?? (plan.source ? plan.source.path.split(/[\\/]/).pop()! : id);
    return { id, name, state: plan.cues.length ? 'scored' : 'created', scenes: plan.scenes.length, cues: plan.cues.length, dir, updatedAt: statSync(planPath).mtime.toISOString(), activeJob };
  }

  /**
   * A file of the project for GET .../files/{path}: a plain relative path (no `..`, no hidden
   * parts such as staging folders) whose real location, links resolved, is inside the folder.
   */
  file(id: string, rel: string): string {
    const dir = this.dirOf(id);
    if (!isPlainRelative(rel) || rel.split('/').some((p) => p.startsWith('.'))) {
      throw new RequestError(`path "${rel}" is not a file of the project; give a path as plan.json names it, e.g. cues/scene-1-take-1.wav`, 'path');
    }
    const abs = join(dir, rel);
    if (!existsSync(abs) || !statSync(abs).isFile()) throw new NotFoundError(`project ${id} has no file ${rel}`);
    const real = realpathSync(abs);
    if (!real.startsWith(realpathSync(dir) + sep)) throw new RequestError(`path "${rel}" leads outside the project folder`, 'path');
    return real;
  }

  /**
   * Staging folders of processes that are gone (a crash or kill -9 mid-write): one that reached its
   * commit is completed, any other removed, when the helper starts.
   */
  cleanStaging(): number {
    let n = 0;
    for (const id of this.ids()) {
      try {
        const r = recoverStaging(this.dirOf(id));
        n += r.completed + r.removed;
      } catch {
        continue;
      }
    }
    return n;
  }
}

function readSequenceName(dir: string): string | null {
  try {
    const s = JSON.parse(readFileSync(join(dir, 'sequence.json'), 'utf8')) as { name?: unknown };
    return typeof s.name === 'string' ? s.name : null;
  } catch {
    return null;
  }
}
