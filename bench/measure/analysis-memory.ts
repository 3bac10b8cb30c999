import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ffmpegPath, probe } from '../../helper/adapters/ffmpeg.ts';
import { analyseScene } from '../../helper/core/analysis.ts';
import { DEFAULT_WEIGHTS, detectContentCuts } from '../../helper/core/frames.ts';
import { scenesFromCuts } from '../../helper/core/scenes.ts';
import { measureFrames } from '../../helper/pipeline/frames.ts';
import { readHwmKb } from './process.ts';

/**
 * Issue 4: peak memory of the analysis must not grow with the video's length. The same video is
 * looped to 1x and 4x its length (stream copy, no re-encode) and the scene stages (decode,
 * measure, detect, describe) run on each in a fresh process; the ratio of peak resident memory
 * (VmHWM) is the figure. Run as a script, this file is that child process.
 */

export interface AnalysisMemory {
  seconds: [number, number];
  peakMb: [number, number];
  ratio: number;
}

export function measureAnalysisMemory(video: string, work: string): AnalysisMemory {
  const long = join(work, 'memory-4x.mp4');
  execFileSync(ffmpegPath(), ['-v', 'error', '-y', '-stream_loop', '3', '-i', video, '-map', '0:v:0', '-c', 'copy', long]);
  const child = (v: string) => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, v], { encoding: 'utf8' })) as { seconds: number; peakMb: number };
  const a = child(video);
  const b = child(long);
  return { seconds: [a.seconds, b.seconds], peakMb: [a.peakMb, b.peakMb], ratio: b.peakMb / a.peakMb };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const src = await probe(process.argv[2]!);
  const series = await measureFrames(src, { edges: false });
  const cuts = detectContentCuts(series.frames, { threshold: 27, weights: DEFAULT_WEIGHTS, minSceneFrames: 15 });
  const scenes = scenesFromCuts(cuts, { durationSec: src.durationSec, frameRate: src.frameRate, minSceneSec: 8, origin: 'detected' });
  scenes.forEach((s) => analyseScene(s, series));
  console.log(JSON.stringify({ seconds: src.durationSec, peakMb: Math.round((readHwmKb(process.pid) ?? NaN) / 1024) }));
}
