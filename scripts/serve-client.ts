import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { Job, type ProgressEvent } from '../shared/index.ts';

/**
 * The helper as users start it (`segue serve` in a child process, real HTTP on a loopback port),
 * and a small client for the API tests and the bench: JSON calls, job waits, server-sent events,
 * raw requests.
 */

const ROOT = new URL('..', import.meta.url).pathname;

export interface Served {
  url: string;
  port: number;
  token: string;
  proc: ChildProcess;
  log: () => string;
  call<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: T; headers: Headers }>;
  waitJob(id: string, timeoutMs?: number): Promise<Job>;
  events(id: string): Promise<(ProgressEvent | Job)[]>;
  stop(): Promise<number | null>;
}

/** `env` is added to this process's environment (tests and the bench give their own SEGUE_CACHE_DIR). */
export function startServe(dataDir: string, args: string[] = [], env: Record<string, string> = {}): Promise<Served> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [join(ROOT, 'bin/segue.js'), 'serve', '--port', '0', '--data', dataDir, ...args], {
      env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    proc.on('exit', (code) => reject(new Error(`segue serve exited with ${code} before listening: ${out}${err}`)));
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /listening on (http\S+)/.exec(out)?.[1];
      const token = /token:\s+([0-9a-f]{64})/.exec(out)?.[1];
      if (!url || !token) return;
      proc.removeAllListeners('exit');
      const auth = { Authorization: `Bearer ${token}` };
      const served: Served = {
        url, token, proc, port: Number(new URL(url).port), log: () => out + err,
        async call(method, path, body, headers = {}) {
          const r = await fetch(url + path, { method, headers: { ...auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
          const text = await r.text();
          let json: any = null;
          try {
            json = JSON.parse(text);
          } catch {
            json = text;
          }
          return { status: r.status, json, headers: r.headers };
        },
        async waitJob(id, timeoutMs = 120_000) {
          const until = Date.now() + timeoutMs;
          for (;;) {
            const r = await served.call('GET', `/v1/jobs/${id}`);
            if (r.status !== 200) throw new Error(`GET job ${id}: ${r.status} ${JSON.stringify(r.json)}`);
            const job = Job.parse(r.json);
            if (!['queued', 'running'].includes(job.state)) return job;
            if (Date.now() > until) throw new Error(`job ${id} still ${job.state} after ${timeoutMs} ms`);
            await new Promise((x) => setTimeout(x, 40));
          }
        },
        async events(id) {
          const r = await fetch(`${url}/v1/jobs/${id}/events`, { headers: auth });
          const text = await r.text(); // the stream ends with the job
          return text.split('\n\n').filter((b) => b.includes('data: ')).map((b) => JSON.parse(b.slice(b.indexOf('data: ') + 6)));
        },
        stop() {
          return new Promise((done) => {
            if (proc.exitCode !== null) return done(proc.exitCode);
            proc.once('exit', (code) => done(code));
            proc.kill('SIGTERM');
          });
        },
      };
      resolve(served);
    });
  });
}

/** A request with headers fetch will not send as given (Host). */
export function rawRequest(port: number, o: { method?: string; path: string; headers?: Record<string, string> }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path, headers: o.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
