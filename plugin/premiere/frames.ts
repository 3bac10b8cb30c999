import type { Ppro, PSequence } from './api.ts';
import { exists, joinPath, type Host } from './host.ts';
import { PremiereError } from './transaction.ts';

/** One still of the sequence, base64 PNG, as the helper's CreateProject takes it. */
export interface Still {
  time: number;
  image: string;
}

/** Times for `perScene` stills inside each scene, away from its edges (a dissolve is not the scene). */
export function stillTimes(bounds: readonly number[], perScene: number): number[] {
  const times: number[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    for (let i = 0; i < perScene; i++) times.push(bounds[k]! + ((i + 0.5) / perScene) * (bounds[k + 1]! - bounds[k]!));
  }
  return times;
}

/**
 * Exports small PNG stills with Exporter.exportSequenceFrame. Premiere appends the extension to
 * the name it is given ("f.png" is written as "f.png.png"), and its boolean answer is not proof of a
 * file, so the file is looked for under both names and its size checked.
 */
export async function exportStills(ppro: Ppro, host: Host, sequence: PSequence, times: readonly number[], width = 320, onEach?: (done: number) => void): Promise<Still[]> {
  const size = await sequence.getFrameSize();
  const height = Math.max(2, Math.round((width * size.height) / Math.max(1, size.width) / 2) * 2);
  const dir = await host.tempFolder();
  const stills: Still[] = [];
  for (const [i, time] of times.entries()) {
    const name = `segue-still-${i}.png`;
    await ppro.Exporter.exportSequenceFrame(sequence, ppro.TickTime.createWithSeconds(time), name, dir, width, height);
    const path = [joinPath(dir, `${name}.png`), joinPath(dir, name)];
    const found = (await exists(host.fs, path[0]!)) ? path[0]! : (await exists(host.fs, path[1]!)) ? path[1]! : null;
    if (!found) throw new PremiereError(`Premiere did not export the still at ${time.toFixed(2)} s (looked for ${path.join(' and ')})`);
    const bytes = await host.fs.readFile(found);
    if (typeof bytes === 'string' || bytes.byteLength < 32) throw new PremiereError(`the still Premiere exported at ${time.toFixed(2)} s is empty (${found})`);
    stills.push({ time, image: base64(new Uint8Array(bytes)) });
    onEach?.(i + 1);
  }
  return stills;
}

/** btoa over chunks: UXP has btoa but no Buffer. */
export function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
