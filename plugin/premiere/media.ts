import type { Ppro, PClipProjectItem, PFolderItem, PProject, PProjectItem } from './api.ts';
import { exists, joinPath, parentOf, type Host } from './host.ts';
import { samePath } from '../core/layout.ts';
import { PremiereError, transact } from './transaction.ts';

/**
 * Cue files on disk beside the Premiere project, and their project items in the bin
 * "Segue/<sequence name>". Media never lives in the plugin's temp or data folders: Premiere would
 * lose it when the plugin is updated or removed.
 */

/** `<project folder>/Segue Media/<sequence>`: travels with the project when it is moved or archived. */
export function mediaFolder(project: PProject, sequenceName: string): string {
  if (!project.path) throw new PremiereError('Save the Premiere project first: Segue keeps its music in a folder beside the project file');
  return joinPath(joinPath(parentOf(project.path), 'Segue Media'), safeName(sequenceName));
}

export const safeName = (s: string): string => s.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').replace(/^\.+/, '_').slice(0, 80) || 'Sequence';

/** Writes the bytes unless a file of that name (names carry the content hash) is already there. */
export async function saveMedia(host: Host, folder: string, name: string, bytes: () => Promise<Uint8Array>): Promise<string> {
  const path = joinPath(folder, name);
  if (await exists(host.fs, path)) return path;
  await host.fs.mkdir(folder, { recursive: true });
  await host.fs.writeFile(path, await bytes());
  return path;
}

async function childBin(ppro: Ppro, parent: PFolderItem, name: string): Promise<PFolderItem | null> {
  for (const item of await parent.getItems()) {
    if (item.type === ppro.ProjectItem.TYPE_BIN && item.name === name) return ppro.FolderItem.cast(item);
  }
  return null;
}

/** The bin "Segue/<sequence>", made (one undo entry: "Segue: media bin") when missing. */
export async function cueBin(ppro: Ppro, project: PProject, sequenceName: string): Promise<PFolderItem> {
  let parent = await project.getRootItem();
  for (const name of ['Segue', sequenceName]) {
    let bin = await childBin(ppro, parent, name);
    if (!bin) {
      const p = parent;
      transact(project, 'Segue: media bin', (add) => add(p.createBinAction(name, false)));
      bin = await childBin(ppro, parent, name);
      if (!bin) throw new PremiereError(`could not make the bin "${name}" in the project`);
    }
    parent = bin;
  }
  return parent;
}

/** Imports the files missing from the bin and answers each file's project item. */
export async function importInto(ppro: Ppro, project: PProject, bin: PFolderItem, paths: readonly string[]): Promise<Map<string, { item: PProjectItem; clip: PClipProjectItem }>> {
  const find = async () => {
    const found = new Map<string, { item: PProjectItem; clip: PClipProjectItem }>();
    for (const item of await bin.getItems()) {
      const clip = ppro.ClipProjectItem.cast(item);
      if (!clip) continue;
      const media = await clip.getMediaFilePath();
      const path = paths.find((p) => samePath(p, media));
      if (path) found.set(path, { item, clip });
    }
    return found;
  };
  let found = await find();
  const missing = paths.filter((p) => !found.has(p));
  if (missing.length) {
    // The bin goes in as a ProjectItem (cast); an absent bin must be null, never undefined ("Illegal Parameter type").
    const ok = await project.importFiles([...missing], true, ppro.ProjectItem.cast(bin), false);
    found = await find();
    const still = missing.filter((p) => !found.has(p));
    if (!ok || still.length) throw new PremiereError(`Premiere did not import ${still.length ? still.join(', ') : 'the music files'}; check that the folder is writable and the files are WAV`);
  }
  return found;
}
