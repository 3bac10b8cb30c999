#!/usr/bin/env node
// The `segue` command. The CLI is bundled into dist/ by `npm run build` (run by `npm ci` via prepare).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('segue: the CLI is not built yet; run `npm run build` in the Segue folder\n');
  process.exit(1);
}
await import(cli);
