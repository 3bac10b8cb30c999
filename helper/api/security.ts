import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import { generate } from 'selfsigned';
import { writeAtomic } from '../pipeline/cache.ts';
import { AuthError, ForbiddenError } from '../errors.ts';

/**
 * The helper runs beside a web browser on an editor's machine, so it trusts nothing by default:
 * - a pairing token (256 bits, made on first start, kept owner-only in the data folder) is required
 *   as `Authorization: Bearer <token>` on every request except /v1/health and /v1/openapi.json;
 * - the Host header must name the address the helper listens on (a DNS-rebinding page reaches
 *   127.0.0.1 under its own host name, and is refused here);
 * - a request carrying a browser Origin is refused unless that origin is the helper's own or one
 *   the user allowed (--allow-origin); only those allowed origins get CORS headers, so browsers keep
 *   every other page out.
 */

export function loadOrCreateToken(dataDir: string): string {
  const path = join(dataDir, 'token');
  if (existsSync(path)) {
    const t = readFileSync(path, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(t)) {
      chmodSync(path, 0o600);
      return t;
    }
  }
  const token = randomBytes(32).toString('hex');
  writeAtomic(path, token + '\n');
  chmodSync(path, 0o600);
  return token;
}

/** The self-signed certificate for --https, made on first start and reused (so it is trusted once). */
export async function loadOrCreateCert(dataDir: string): Promise<{ key: string; cert: string; certPath: string; fingerprint: string }> {
  const keyPath = join(dataDir, 'tls', 'key.pem');
  const certPath = join(dataDir, 'tls', 'cert.pem');
  const fpPath = join(dataDir, 'tls', 'fingerprint');
  if (!existsSync(keyPath) || !existsSync(certPath) || !existsSync(fpPath)) {
    const now = new Date();
    const pems = await generate([{ name: 'commonName', value: 'Segue helper (localhost)' }], {
      keySize: 2048, algorithm: 'sha256', notBeforeDate: now, notAfterDate: new Date(now.getTime() + 825 * 86400e3),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
      ],
    });
    writeAtomic(keyPath, pems.private);
    chmodSync(keyPath, 0o600);
    writeAtomic(certPath, pems.cert);
    writeAtomic(fpPath, pems.fingerprint + '\n');
  }
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath, fingerprint: readFileSync(fpPath, 'utf8').trim() };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

export interface GuardOptions {
  token: string;
  /** host:port forms the Host header may take. */
  hosts: Set<string>;
  /** Origins allowed besides the helper's own. */
  origins: Set<string>;
  /** Paths answered without a token. */
  open: Set<string>;
}

export function hostsFor(host: string, port: number): Set<string> {
  const names = isLoopback(host) ? ['127.0.0.1', 'localhost', '[::1]'] : [host.includes(':') ? `[${host}]` : host];
  return new Set(names.map((h) => `${h}:${port}`.toLowerCase()));
}

export function guard(o: GuardOptions) {
  const expected = Buffer.from(o.token);
  return (req: Request, res: Response, next: NextFunction) => {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!o.hosts.has(host)) {
      return next(new ForbiddenError(`Host "${req.headers.host ?? ''}" is not this helper's address (${[...o.hosts].join(', ')}); connect to the address it printed`));
    }
    const origin = req.headers.origin;
    if (origin !== undefined) {
      const own = [...o.hosts].some((h) => origin === `http://${h}` || origin === `https://${h}`);
      if (!own && !o.origins.has(origin)) {
        return next(new ForbiddenError(`requests from the web page origin ${origin} are refused; if this is the Segue panel, start the helper with --allow-origin ${origin}`));
      }
      // Only an origin the user named gets CORS headers (a browser page such as `npm run preview`);
      // the token is still required, and no other page can read an answer.
      if (!own) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Vary', 'Origin');
        if (req.method === 'OPTIONS') {
          res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE');
          res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
          res.setHeader('Access-Control-Max-Age', '600');
          return res.status(204).end();
        }
      }
    }
    if (o.open.has(req.path)) return next();
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer ([^\s]+)$/i.exec(auth);
    if (!m) return next(new AuthError('this request needs the pairing token: send "Authorization: Bearer <token>" (the helper prints the token when it starts, and keeps it in its data folder)'));
    const given = Buffer.from(m[1]!);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return next(new AuthError('the pairing token is wrong; copy it again from the helper (segue serve prints it, and --show-token shows it again)'));
    }
    return next();
  };
}
