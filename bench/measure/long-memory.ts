import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ffmpegPath, makeTestVideo } from '../../helper/adapters/ffmpeg.ts';
import { runSegue } from './process.ts';

/**
 * Issue 14, item 7: the whole `segue score` (decode, analysis, render, mix, mux) on long videos, peak
 * resident memory of the segue process (VmHWM: the render workers are threads of it; ffmpeg's own
 * processes are not counted). Four one-minute shots at 160x90, 10 fps, looped by stream copy to each
 * length, cut every minute; a reference length and the long one in the same run, so the figure is
 * the ratio as well as the absolute peak. Target: under 1 GB for two hours.
 */

export interface LongMemory {
  minutes: number[];
  peakMb: (number | null)[];
  wallSec: number[];
  /** Peak of the longest over the shortest. */
  ratio: number;
  /** Render workers the run started (one per usable core). */
  workers: number;
}

const SHOT_SEC = 60;
const SOURCES = ['color=c=0x203050', 'testsrc2', 'color=c=0xc08040', 'smptebars'];

async function longVideo(work: string, minutes: number): Promise<string> {
  const unit = join(work, 'long-unit.mp4');
  if (!existsSync(unit)) await makeTestVideo(SOURCES.map((source) => ({ seconds: SHOT_SEC, source })), unit, { width: 160, height: 90, fps: 10, audio: 'none' });
  const out = join(work, `long-${minutes}.mp4`);
  const loops = Math.ceil(minutes / SOURCES.length) - 1;
  execFileSync(ffmpegPath(), ['-v', 'error', '-y', '-stream_loop', String(loops), '-i', unit, '-t', String(minutes * 60), '-c', 'copy', out]);
  return out;
}

export async function measureLongMemory(work: string, minutes: number[], workers: number): Promise<LongMemory> {
  mkdirSync(work, { recursive: true });
  const peakMb: (number | null)[] = [];
  const wallSec: number[] = [];
  for (const m of minutes) {
    const video = await longVideo(work, m);
    const cuts = Array.from({ length: m - 1 }, (_, i) => (i + 1) * SHOT_SEC).join(',');
    const cache = join(work, `long-cache-${m}`);
    const run = await runSegue(['score', video, '--out', join(work, `long-out-${m}`), '--cuts', cuts || '30', '--soundfont', 'timgm6mb'], { SEGUE_CACHE_DIR: cache });
    if (run.code !== 0) throw new Error(`segue score on the ${m}-minute video failed: ${run.stderr.slice(-500)}`);
    peakMb.push(run.peakRssMb);
    wallSec.push(run.wallSec);
    rmSync(cache, { recursive: true, force: true });
    rmSync(join(work, `long-out-${m}`), { recursive: true, force: true });
  }
  return { minutes, peakMb, wallSec, ratio: (peakMb.at(-1) ?? NaN) / (peakMb[0] ?? NaN), workers };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const { RenderPool } = await import('../../helper/pipeline/pool.ts');
  const minutes = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(await measureLongMemory(join(process.cwd(), 'bench', 'out', 'long'), minutes.length ? minutes : [4, 120], RenderPool.defaultSize())));
}
