import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CreateProject } from '../shared/index.ts';
import { makeTestVideo, stillImage } from '../helper/adapters/ffmpeg.ts';
import { DEMO_CUTS, DEMO_SCENES } from './demo-video.ts';

/**
 * The demo sequence as the Premiere panel sends it to the helper: cut times, a few small stills per
 * scene (as exportSequenceFrame writes them), and optionally the clips' media, here one clip per
 * scene cut from the demo video. Used by the API tests, the bench and `npm run preview`.
 */

export const DEMO_DURATION = DEMO_SCENES.reduce((a, s) => a + s.seconds, 0);

/** Makes the demo video at `path` unless it is there. */
export async function ensureDemoVideo(path: string): Promise<void> {
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  await makeTestVideo(DEMO_SCENES, path, { width: 640, height: 360, fps: 30, audio: 'tone' });
}

export interface SequenceOptions {
  stillsPerScene?: number;
  /** Also send each scene as a clip whose media is the video (for motion and dialogue). */
  clips?: boolean;
  name?: string;
}

export function demoSequence(video: string, o: SequenceOptions = {}): Promise<CreateProject> {
  return sequenceFromVideo(video, DEMO_CUTS, DEMO_DURATION, { name: 'Segue demo', ...o });
}

/** A video with known cuts, described as the panel would describe a sequence cut that way. */
export async function sequenceFromVideo(video: string, cuts: number[], durationSec: number, o: SequenceOptions = {}): Promise<CreateProject> {
  const n = o.stillsPerScene ?? 3;
  const bounds = [0, ...cuts, durationSec];
  const frames: { time: number; image: string }[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    for (let i = 0; i < n; i++) {
      const time = bounds[k]! + ((i + 0.5) / n) * (bounds[k + 1]! - bounds[k]!);
      frames.push({ time, image: (await stillImage(video, time, 320, i % 2 ? 'jpeg' : 'png')).toString('base64') });
    }
  }
  const clips = o.clips
    ? bounds.slice(0, -1).map((start, k) => ({ path: video, sourceIn: start, sourceOut: bounds[k + 1]!, timelineIn: start, timelineOut: bounds[k + 1]!, track: 0 }))
    : [];
  return { name: o.name ?? 'Sequence', frameRate: 30, durationSec, cuts, frames, clips };
}
