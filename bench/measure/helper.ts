import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoSequence, ensureDemoVideo } from '../../scripts/demo-sequence.ts';
import { startServe } from '../../scripts/serve-client.ts';
import { readHwmKb } from './process.ts';

/**
 * The helper as the panel uses it, through its HTTP API with a real client, on the demo's 90 s
 * six-scene sequence described by stills and cut times: wall time from each request to its job
 * being done (the changed files are then on disk), and the helper process's resident memory idle
 * (after start) and at its peak. A cold cache, so every cue is really rendered. measureHelperRuns
 * repeats the whole thing and reports the median of each time: single runs on two cores vary by
 * a fifth either way.
 */

export interface HelperFigures {
  scoreSec: number;
  analyseSec: number;
  regenerateSec: number;
  swapSec: number;
  swapFrom: string;
  swapTo: string;
  /** Then the same cut between a crossfade and an abrupt cut: only the two scenes' mastering changes (render-store.ts). */
  remasterSwapSec: number;
  remasterSwapTo: string;
  idleRssMb: number | null;
  peakRssMb: number | null;
  cues: number;
  /** Each run's times, when there were several (the figures above are their medians). */
  runs?: { scoreSec: number; regenerateSec: number; swapSec: number; remasterSwapSec: number }[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The cold cache of run `i` (from 1) of measureHelperRuns, so the caller can clear them. */
export const helperRunCache = (cacheDir: string, i: number) => `${cacheDir}-${i}`;

/** `count` fresh helpers (own data folder and cold cache each), one after another: the median times, the largest peak memory. */
export async function measureHelperRuns(work: string, cacheDir: string, count: number): Promise<HelperFigures> {
  const all: HelperFigures[] = [];
  for (let i = 1; i <= count; i++) all.push(await measureHelper(join(work, `helper-run-${i}`), helperRunCache(cacheDir, i)));
  const mid = (k: 'scoreSec' | 'analyseSec' | 'regenerateSec' | 'swapSec' | 'remasterSwapSec') => median(all.map((x) => x[k]));
  const rss = (k: 'idleRssMb' | 'peakRssMb') => (all.every((x) => x[k] !== null) ? all.map((x) => x[k]!) : null);
  return {
    ...all[0]!,
    scoreSec: mid('scoreSec'), analyseSec: mid('analyseSec'), regenerateSec: mid('regenerateSec'), swapSec: mid('swapSec'), remasterSwapSec: mid('remasterSwapSec'),
    idleRssMb: rss('idleRssMb') && median(rss('idleRssMb')!), peakRssMb: rss('peakRssMb') && Math.max(...rss('peakRssMb')!),
    runs: all.map((x) => ({ scoreSec: x.scoreSec, regenerateSec: x.regenerateSec, swapSec: x.swapSec, remasterSwapSec: x.remasterSwapSec })),
  };
}

function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

export async function measureHelper(work: string, cacheDir: string): Promise<HelperFigures> {
  mkdirSync(work, { recursive: true });
  const video = join(work, 'segue-demo.mp4');
  await ensureDemoVideo(video);
  const seq = await demoSequence(video);
  const h = await startServe(join(work, 'helper-data'), ['--quiet'], { SEGUE_CACHE_DIR: cacheDir });
  try {
    await new Promise((x) => setTimeout(x, 1500)); // workers up and decoding the default SoundFont: the idle figure
    const idleRssMb = rssMb(h.proc.pid!);
    const timed = async (method: string, path: string, body: unknown) => {
      const t = performance.now();
      const r = await h.call(method, path, body);
      if (r.status !== 202) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
      const job = await h.waitJob(r.json.job.id, 300_000);
      if (job.state !== 'done') throw new Error(`${method} ${path}: ${job.state} ${JSON.stringify(job.error)}`);
      return { sec: (performance.now() - t) / 1000, project: r.json.project as string, changed: job.result!.changed };
    };
    const created = await timed('POST', '/v1/projects', seq);
    const scored = await timed('POST', `/v1/projects/${created.project}/score`, {});
    const regen = await timed('POST', `/v1/projects/${created.project}/scenes/3/regenerate`, {});
    const plan = (await h.call('GET', `/v1/projects/${created.project}/plan`)).json as { transitions: { style: string }[] };
    const swapFrom = plan.transitions[1]!.style;
    const swapTo = swapFrom === 'fade' ? 'abrupt-cut' : 'fade';
    const swap = await timed('POST', `/v1/projects/${created.project}/cuts/2/transition`, { style: swapTo });
    const remasterSwapTo = swapTo === 'fade' ? 'abrupt-cut' : 'fade';
    const remaster = await timed('POST', `/v1/projects/${created.project}/cuts/2/transition`, { style: remasterSwapTo });
    const hwm = readHwmKb(h.proc.pid!);
    return {
      analyseSec: created.sec, scoreSec: created.sec + scored.sec, regenerateSec: regen.sec, swapSec: swap.sec, swapFrom, swapTo,
      remasterSwapSec: remaster.sec, remasterSwapTo,
      idleRssMb, peakRssMb: hwm === null ? null : Math.round(hwm / 1024), cues: scored.changed.length,
    };
  } finally {
    await h.stop();
  }
}
