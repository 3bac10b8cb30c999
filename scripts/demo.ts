import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeTestVideo } from '../helper/adapters/ffmpeg.ts';
import { main } from '../helper/cli/main.ts';
import { DEMO_SCENES } from './demo-video.ts';

/** `npm run demo`: makes the sample video (once), scores it with the embedded engine, says where it went. */
const dir = resolve('demo-out');
const video = join(dir, 'segue-demo.mp4');
mkdirSync(dir, { recursive: true });
if (!existsSync(video)) {
  process.stderr.write(`making the demo video (${DEMO_SCENES.length} scenes, 90 s) at ${video}\n`);
  await makeTestVideo(DEMO_SCENES, video, { width: 640, height: 360, fps: 30, audio: 'tone' });
}
const code = await main(['score', video, '--out', join(dir, 'scored'), ...process.argv.slice(2)]);
if (code === 0) process.stderr.write(`\nOpen ${join(dir, 'scored', 'segue-demo.scored.mp4')} to watch and listen.\n`);
process.exitCode = code;
