import { join } from 'node:path';
import { cacheRoot } from '../helper/pipeline/cache.ts';
import { benchSet, ensureVideo } from '../bench/set.ts';

/** Makes (or finds cached) every video of the bench set, so a timed bench run starts warm. */
for (const v of benchSet()) {
  const t = performance.now();
  const path = await ensureVideo(v, join(cacheRoot(), 'bench-set'));
  process.stderr.write(`${path} (${((performance.now() - t) / 1000).toFixed(1)} s)\n`);
}
