import express from 'express';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { stillImage } from '../helper/adapters/ffmpeg.ts';
import { DEMO_SCENES } from './demo-video.ts';
import { ensureDemoVideo } from './demo-sequence.ts';
import { startServe, type Served } from './serve-client.ts';

/**
 * `npm run preview`: the built panel page in a browser with the fake Premiere holding the demo
 * sequence, talking to a real helper (`segue serve`, started here with --allow-origin for this
 * page). Stills come from the demo video through ffmpeg, as Premiere would render them. The e2e
 * test starts the same thing.
 */

const ROOT = new URL('..', import.meta.url).pathname;

export interface Preview {
  url: string;
  helper: Served;
  stop(): Promise<void>;
}

export async function startPreview(dir: string, o: { port?: number; env?: Record<string, string> } = {}): Promise<Preview> {
  mkdirSync(dir, { recursive: true });
  const video = join(dir, 'segue-demo.mp4');
  await ensureDemoVideo(video);
  const app = express();
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(o.port ?? 0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as { port: number }).port;
  const origin = `http://127.0.0.1:${port}`;
  const helper = await startServe(join(dir, 'helper'), ['--allow-origin', origin], o.env ?? {});
  app.get('/preview-config.json', (_req, res) => {
    res.json({
      video, scenes: DEMO_SCENES.map((s) => s.seconds), order: [0, 2, 1, 3, 5, 4], fps: 30,
      projectPath: join(dir, 'Premiere', 'Segue demo.prproj'), helperUrl: helper.url,
    });
  });
  app.get('/frame', (req, res, next) => {
    const t = Number(req.query.t);
    const w = Math.min(1920, Math.max(16, Number(req.query.w) || 320));
    stillImage(video, Number.isFinite(t) ? t : 0, w, 'png').then((png) => res.type('png').send(png), next);
  });
  app.get('/', (_req, res) => res.redirect('/preview/preview.html'));
  app.use(express.static(join(ROOT, 'plugin/dist')));
  return {
    url: `${origin}/preview/preview.html`,
    helper,
    async stop() {
      await helper.stop();
      await new Promise((r) => server.close(r));
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 7718);
  const p = await startPreview(join(ROOT, '.scratch/preview'), { port });
  console.log(`Segue panel preview (fake Premiere, real helper): ${p.url}`);
  console.log(`Pair with helper ${p.helper.url} and token ${p.helper.token}`);
  console.log('Ctrl-C stops both.');
  const stop = () => void p.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
