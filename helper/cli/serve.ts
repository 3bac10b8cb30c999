import { parseArgs } from 'node:util';
import { ensureCache, ensureWritable } from '../pipeline/output.ts';
import { resolve } from 'node:path';
import { EXIT, UsageError } from '../errors.ts';
import { DEFAULT_PORT, defaultDataDir, startHelper, type HelperOptions } from '../api/server.ts';
import { isLoopback, loadOrCreateCert, loadOrCreateToken } from '../api/security.ts';
import { RenderPool } from '../pipeline/pool.ts';

/** `segue serve`: starts the helper, prints how to pair, and stops cleanly on Ctrl-C or SIGTERM. */

export const SERVE_HELP = `segue serve [options]     the local helper the Premiere panel talks to (HTTP API /v1)

  --port N             port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host ADDR          address to listen on (default 127.0.0.1); anything but loopback needs
                       --allow-remote and --https, because the helper then faces a network
  --https              serve TLS with a certificate made on first start (for hosts that refuse
                       plain http to localhost, e.g. Premiere on macOS); see --print-cert
  --data DIR           projects, jobs, token and certificate (default: ${defaultDataDir()})
  --allow-origin URL   also accept requests whose Origin header is URL (repeatable)
  --vision DIR         a CLIP/SigLIP ONNX folder: tags scenes from the panel's stills
  --queue-limit N      jobs waiting or running at most; more are answered 429 (default 32)
  --show-token         print the pairing token and exit
  --print-cert         print the TLS certificate, its fingerprint and how to trust it, and exit
  --quiet              no per-request log lines
`;

export async function serve(argv: string[]): Promise<number> {
  let v: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values: v } = parseArgs({
      args: argv, strict: true, allowPositionals: false,
      options: {
        port: { type: 'string' }, host: { type: 'string' }, https: { type: 'boolean' }, 'allow-remote': { type: 'boolean' }, data: { type: 'string' },
        'allow-origin': { type: 'string', multiple: true }, vision: { type: 'string' }, 'queue-limit': { type: 'string' },
        'show-token': { type: 'boolean' }, 'print-cert': { type: 'boolean' }, quiet: { type: 'boolean' },
      },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]}; see segue serve --help`);
  }
  const port = Number(v.port ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port "${v.port}" must be a whole number from 0 to 65535`);
  const host = (v.host as string | undefined) ?? '127.0.0.1';
  if (!isLoopback(host) && !(v['allow-remote'] && v.https)) {
    throw new UsageError(`--host ${host} is not a loopback address; the helper serves only this machine unless you give both --allow-remote and --https`);
  }
  const queueLimit = Number(v['queue-limit'] ?? 32);
  if (!Number.isInteger(queueLimit) || queueLimit < 1 || queueLimit > 10000) throw new UsageError(`--queue-limit "${v['queue-limit']}" must be a whole number from 1 to 10000`);
  const dataDir = resolve((v.data as string | undefined) ?? defaultDataDir());
  ensureWritable(dataDir, 'the helper\'s data folder', 'choose another with --data');
  ensureCache();
  if (v['show-token']) {
    process.stdout.write(`${loadOrCreateToken(dataDir)}\n`);
    return EXIT.ok;
  }
  if (v['print-cert']) {
    const c = await loadOrCreateCert(dataDir);
    process.stdout.write(`${c.cert}\nSHA-1 fingerprint: ${c.fingerprint}\nFile: ${c.certPath}\n
Trust it once so Premiere (and curl) accept https://127.0.0.1:${port}:
  macOS:   sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain "${c.certPath}"
  Windows: certutil -addstore -user Root "${c.certPath}"
  Linux:   sudo cp "${c.certPath}" /usr/local/share/ca-certificates/segue-helper.crt && sudo update-ca-certificates
  curl:    curl --cacert "${c.certPath}" https://127.0.0.1:${port}/v1/health
`);
    return EXIT.ok;
  }
  const quiet = Boolean(v.quiet);
  const o: HelperOptions = {
    dataDir, host, port, https: Boolean(v.https), allowOrigins: (v['allow-origin'] as string[] | undefined) ?? [], vision: (v.vision as string | undefined) ?? null,
    queueLimit, concurrency: 2, workers: RenderPool.defaultSize(), log: quiet ? null : (l) => process.stderr.write(l + '\n'),
  };
  const helper = await startHelper(o);
  process.stdout.write(`Segue helper listening on ${helper.url}
  data:   ${dataDir}${helper.staleStagingRemoved ? ` (removed ${helper.staleStagingRemoved} staging folder(s) left by a crash)` : ''}
  token:  ${helper.token}
Pair the panel: open Segue in Premiere Pro, Settings > Helper, enter ${helper.url} and the token.
Try it:  curl -H "Authorization: Bearer ${helper.token}" ${helper.url}/v1/projects
${helper.certPath ? `TLS certificate: ${helper.certPath} (segue serve --print-cert says how to trust it)\n` : ''}Stop with Ctrl-C.
`);
  await new Promise<void>((done) => {
    const stop = (sig: string) => {
      process.stderr.write(`\n${sig}: finishing running jobs (up to 10 s), then stopping\n`);
      void helper.close(10_000).then(done);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return EXIT.ok;
}
