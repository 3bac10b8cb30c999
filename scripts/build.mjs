// Builds the helper CLI, its render worker and the panel bundle with esbuild.
import { build } from 'esbuild';
import { copyFileSync, readFileSync } from 'node:fs';

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

// The Premiere panel: one browser bundle (premierepro, uxp and fs are UXP's own modules, resolved
// by its `require` at run time), its page and manifest; and, beside it, the preview page that runs
// the same bundle on the fake Premiere (never packaged).
const panel = { bundle: true, platform: 'browser', format: 'iife', target: 'es2020', sourcemap: true, logLevel: 'warning', external: ['premierepro', 'uxp', 'fs'] };
await build({ ...panel, minify: true, entryPoints: { index: 'plugin/ui/main.ts' }, outdir: 'plugin/dist' });
await build({ ...panel, entryPoints: { preview: 'plugin/fake/preview.ts' }, outdir: 'plugin/dist/preview' });
for (const f of ['index.html', 'styles.css', 'manifest.json']) copyFileSync(`plugin/${f}`, `plugin/dist/${f}`);
for (const f of ['preview.html', 'preview.css']) copyFileSync(`plugin/fake/${f}`, `plugin/dist/preview/${f}`);
