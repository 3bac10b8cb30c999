import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProgressEvent } from '../../shared/index.ts';

/**
 * Runs the real `segue` CLI as a user would (a child process, --json events) and measures it:
 * wall time, time per stage from the events' arrival, and peak resident memory from
 * /proc/<pid>/status (VmHWM includes the render worker threads, which share the process).
 */

export interface CliRun {
  code: number | null;
  wallSec: number;
  peakRssMb: number | null;
  stages: Record<string, number>;
  events: ProgressEvent[];
  stderr: string;
}

const ROOT = new URL('../..', import.meta.url).pathname;

export function readHwmKb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export function runSegue(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    const started = performance.now();
    const p = spawn(process.execPath, [join(ROOT, 'bin/segue.js'), ...args, '--json'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let peak: number | null = null;
    const poll = setInterval(() => {
      const kb = readHwmKb(p.pid!);
      if (kb !== null) peak = Math.max(peak ?? 0, kb);
    }, 100);
    const events: ProgressEvent[] = [];
    const stageStart = new Map<string, number>();
    const stages: Record<string, number> = {};
    let buf = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!line.trim()) continue;
        const e = ProgressEvent.parse(JSON.parse(line));
        events.push(e);
        if (e.type === 'stage') {
          const now = performance.now();
          if (!stageStart.has(e.stage)) stageStart.set(e.stage, now);
          if (e.status === 'done') stages[e.stage] = (now - stageStart.get(e.stage)!) / 1000;
        }
      }
    });
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, wallSec: (performance.now() - started) / 1000, peakRssMb: peak === null ? null : Math.round(peak / 1024), stages, events, stderr });
    });
  });
}
