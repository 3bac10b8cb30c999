// Builds the helper CLI, its render worker and the panel bundle with esbuild.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  packages: 'external', // dependencies stay in node_modules: several ship binaries found relative to themselves
  define: { __SEGUE_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
};
await build({ ...common, entryPoints: { cli: 'helper/cli/entry.ts', worker: 'helper/pipeline/worker.ts', demo: 'scripts/demo.ts' }, outdir: 'dist' });
