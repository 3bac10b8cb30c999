import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zipSync } from 'fflate';
import { manifestProblems } from './uxp-manifest.ts';

/**
 * `npm run package`: plugin/dist (the built panel, without the preview page and source maps) as
 * an installable .ccx: a ZIP with manifest.json at its root, as UXP Developer Tool's "Package"
 * writes it. The manifest is checked against the v5 rules first; a broken one stops here.
 */
const ROOT = new URL('..', import.meta.url).pathname;
const DIST = join(ROOT, 'plugin/dist');

export function packagePlugin(outDir = join(ROOT, 'dist')): string {
  const files: Record<string, Uint8Array> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const rel = relative(DIST, path).split('\\').join('/');
      if (rel === 'preview' || rel.endsWith('.map')) continue;
      if (statSync(path).isDirectory()) walk(path);
      else files[rel] = readFileSync(path);
    }
  };
  walk(DIST);
  const manifest = JSON.parse(Buffer.from(files['manifest.json'] ?? '{}').toString('utf8')) as { id?: string };
  const problems = manifestProblems(manifest, Object.keys(files));
  if (problems.length) throw new Error(`plugin/manifest.json breaks the UXP manifest v5 rules:\n  ${problems.join('\n  ')}`);
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, `${manifest.id}_premierepro.ccx`);
  writeFileSync(out, zipSync(files, { level: 9, mtime: new Date('2026-01-01T00:00:00Z') }));
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const out = packagePlugin();
    console.log(`${relative(process.cwd(), out)} (${(statSync(out).size / 1024).toFixed(0)} KiB): double-click it to install with Creative Cloud, or load plugin/dist/manifest.json in UXP Developer Tool`);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
}
