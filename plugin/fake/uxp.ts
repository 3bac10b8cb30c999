import type { Host, PanelFs } from '../premiere/host.ts';

/**
 * A stand-in for UXP's platform modules where Premiere is not: an in-memory file system with
 * native-style paths (what `require("fs")` gives a plugin with fullAccess), a temp folder, and
 * `entrypoints.setup`, whose panel menu the preview page draws as a flyout button.
 */
export class MemoryFs implements PanelFs {
  readonly files = new Map<string, Uint8Array>();
  private readonly dirs = new Set<string>(['/']);

  async readFile(path: string): Promise<Uint8Array> {
    const f = this.files.get(path);
    if (!f) throw Object.assign(new Error(`ENOENT: no such file ${path}`), { code: 'ENOENT' });
    return f;
  }
  async writeFile(path: string, data: Uint8Array): Promise<number> {
    const dir = path.replace(/\/[^/]*$/, '') || '/';
    if (!this.dirs.has(dir)) throw Object.assign(new Error(`ENOENT: no folder ${dir}`), { code: 'ENOENT' });
    this.files.set(path, new Uint8Array(data));
    return data.byteLength;
  }
  async mkdir(path: string, o: { recursive: boolean }): Promise<void> {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const d = '/' + parts.slice(0, i).join('/');
      if (!o.recursive && i < parts.length && !this.dirs.has(d)) throw new Error(`ENOENT: ${d}`);
      this.dirs.add(d);
    }
  }
  async lstat(path: string): Promise<{ size: number }> {
    const f = this.files.get(path);
    if (f) return { size: f.byteLength };
    if (this.dirs.has(path)) return { size: 0 };
    throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  }
}

export interface MenuItem {
  id: string;
  label: string;
  enabled?: boolean;
}
export interface PanelSetup {
  create?(): void;
  show?(): void;
  menuItems?: (MenuItem | string)[];
  invokeMenu?(id: string): void;
}

export class FakeUxp {
  readonly fs = new MemoryFs();
  panels: Record<string, PanelSetup> = {};
  private setupDone = false;
  readonly entrypoints = {
    setup: (o: { panels?: Record<string, PanelSetup> }) => {
      if (this.setupDone) throw new Error('entrypoints.setup may be called only once');
      this.setupDone = true;
      this.panels = o.panels ?? {};
    },
  };
  readonly host: Host;

  constructor(storage: Pick<Storage, 'getItem' | 'setItem'>) {
    void this.fs.mkdir('/tmp/uxp-plugin-temp', { recursive: true });
    this.host = { fs: this.fs, storage, tempFolder: async () => '/tmp/uxp-plugin-temp' };
  }

  /** What `require("uxp")` answers in the fake. */
  get module() {
    return {
      entrypoints: this.entrypoints,
      storage: { localFileSystem: { getTemporaryFolder: async () => ({ nativePath: '/tmp/uxp-plugin-temp' }) } },
    };
  }
}

/** A Storage in memory (Node tests have no localStorage). */
export function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> {
  const m = new Map<string, string>();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v) };
}
