/**
 * The UXP platform services the panel uses besides Premiere: the file system (`require("fs")`,
 * native paths need `localFileSystem: "fullAccess"`) and the plugin's temporary folder. Narrowed
 * like api.ts so the fake (plugin/fake/uxp.ts) implements exactly this.
 */
export interface PanelFs {
  readFile(path: string): Promise<ArrayBuffer | Uint8Array | string>;
  writeFile(path: string, data: Uint8Array): Promise<unknown>;
  mkdir(path: string, options: { recursive: boolean }): Promise<unknown>;
  lstat(path: string): Promise<{ size: number }>;
}

export interface Host {
  fs: PanelFs;
  /** Native path of a folder the plugin may write scratch files to. */
  tempFolder(): Promise<string>;
  /** Persistent settings (helper address, token): UXP's localStorage. */
  storage: Pick<Storage, 'getItem' | 'setItem'>;
}

export async function exists(fs: PanelFs, path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch {
    return false;
  }
}

export const joinPath = (dir: string, name: string): string => `${dir.replace(/[\\/]+$/, '')}/${name}`;
export const parentOf = (path: string): string => path.replace(/[\\/][^\\/]*$/, '');
