import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffprobePath, makeTestVideo, run, type TestScene } from '../helper/adapters/ffmpeg.ts';
import { decodeWav } from '../helper/core/wav.ts';

/** Shared by the end-to-end tests: fixtures made with ffmpeg, and the real CLI run as users run it. */

export const ROOT = new URL('..', import.meta.url).pathname;
export const TMP = mkdtempSync(join(tmpdir(), 'segue-test-'));
// Each test file's folder goes when its process ends (a full run writes several GB: the load test
// alone 1.6 GB); SEGUE_KEEP_TEST_TMP=1 keeps them to look at.
if (!process.env.SEGUE_KEEP_TEST_TMP) process.on('exit', () => rmSync(TMP, { recursive: true, force: true }));
/** One cache per test run, so runs never see each other's results. */
export const CACHE = join(TMP, 'cache');

const made = new Map<string, Promise<string>>();

/** Three scenes (dark still, colourful moving, bright warm still), hard cuts at 10 s and 20 s. */
export const THREE_SCENES: TestScene[] = [
  { seconds: 10, source: 'color=c=0x101830' },
  { seconds: 10, source: 'testsrc2' },
  { seconds: 10, source: 'color=c=0xf0b050' },
];

export function fixture(name: string, scenes: TestScene[], o: { width?: number; height?: number; fps?: number; audio?: 'none' | 'tone' } = {}): Promise<string> {
  // TMP is new for each run, so a fixture is made once per run and shared by the test files' calls.
  if (!made.has(name)) {
    const path = join(TMP, `${name}.mp4`);
    made.set(name, makeTestVideo(scenes, path, { width: o.width ?? 320, height: o.height ?? 180, fps: o.fps ?? 30, audio: o.audio ?? 'none' }).then(() => path));
  }
  return made.get(name)!;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs bin/segue.js in a child process with the test cache. */
export function segue(args: string[], o: { onStdout?: (chunk: string, kill: (sig: NodeJS.Signals) => void) => void; env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin/segue.js'), ...args], { env: { ...process.env, SEGUE_CACHE_DIR: CACHE, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'], ...(o.cwd ? { cwd: o.cwd } : {}) });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      o.onStdout?.(d.toString(), (sig) => p.kill(sig));
    });
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function readWav(path: string) {
  return decodeWav(readFileSync(path));
}

export function rmsDb(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return 10 * Math.log10(s / Math.max(1, to - from) + 1e-20);
}

export async function streamDurations(path: string): Promise<{ video: number; audio: number }> {
  const r = await run(ffprobePath(), ['-v', 'error', '-show_entries', 'stream=codec_type,duration', '-of', 'json', path]);
  const s = JSON.parse(r.stdout.toString()).streams as { codec_type: string; duration: string }[];
  return { video: Number(s.find((x) => x.codec_type === 'video')?.duration), audio: Number(s.find((x) => x.codec_type === 'audio')?.duration) };
}

export function tmpDir(name: string): string {
  return mkdtempSync(join(TMP, `${name}-`));
}
