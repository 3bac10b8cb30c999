import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { SAMPLE_RATE, type Cue } from '../../shared/index.ts';
import { LIMITER_CONTEXT_AFTER, LIMITER_CONTEXT_BEFORE, StreamLimiter } from '../core/loudness.ts';
import { addPcm24, encodePcm24, wavHeader24 } from '../core/wav.ts';
import { InterruptedError } from '../errors.ts';

/**
 * The soundtrack, written in blocks: each block reads only the parts of the cue files that sound in
 * it (plus the limiter's context), sums them as the panel's placement plays them (each cue's body at
 * its timeline position, its fades already in the file), limits the true peak and appends 24-bit
 * PCM. Memory is a few blocks whatever the film's length (a two-hour mix held whole was 2.8 GB of
 * floats), and Ctrl-C is noticed between blocks.
 */

/** Ten seconds: big enough that the context read around each block costs nothing, small enough to be a few MB. */
export const MIX_BLOCK = 10 * SAMPLE_RATE;
const BYTES_PER_FRAME = 6; // stereo 24-bit, as every cue file is (checked before a mix: cue-files.ts)
const HEADER = 44;

export interface MixSource {
  cue: Pick<Cue, 'timelineIn' | 'timelineOut' | 'handles'>;
  /** The cue's WAV file. */
  path: string;
}

export async function writeMixdown(sources: readonly MixSource[], totalSamples: number, ceilingDbtp: number, outPath: string, signal: AbortSignal, progress?: (fraction: number) => void): Promise<void> {
  const limiter = new StreamLimiter(ceilingDbtp);
  const out = openSync(outPath, 'w');
  const open = new Map<string, number>();
  try {
    writeSync(out, wavHeader24(totalSamples, 2, SAMPLE_RATE));
    let scratch = Buffer.alloc(0);
    for (let b0 = 0; b0 < totalSamples; b0 += MIX_BLOCK) {
      if (signal.aborted) throw new InterruptedError();
      const length = Math.min(MIX_BLOCK, totalSamples - b0);
      const from = Math.max(0, b0 - LIMITER_CONTEXT_BEFORE);
      const to = Math.min(totalSamples, b0 + length + LIMITER_CONTEXT_AFTER);
      const ext = [new Float32Array(to - from), new Float32Array(to - from)];
      for (const s of sources) {
        const a = Math.max(from, s.cue.timelineIn);
        const b = Math.min(to, s.cue.timelineOut);
        if (b <= a) continue;
        let fd = open.get(s.path);
        if (fd === undefined) open.set(s.path, (fd = openSync(s.path, 'r')));
        const bytes = (b - a) * BYTES_PER_FRAME;
        if (scratch.length < bytes) scratch = Buffer.alloc(bytes);
        // Timeline sample t plays file frame t + head - timelineIn.
        const read = readSync(fd, scratch, 0, bytes, HEADER + (a + s.cue.handles.head - s.cue.timelineIn) * BYTES_PER_FRAME);
        addPcm24(scratch, Math.floor(read / BYTES_PER_FRAME), 2, ext, a - from);
      }
      limiter.process(ext, b0 - from, length);
      const pcm = Buffer.alloc(length * BYTES_PER_FRAME);
      encodePcm24(ext, b0 - from, length, pcm, 0);
      writeSync(out, pcm);
      // Files of cues that have ended are closed as the mix moves on.
      for (const s of sources) {
        if (s.cue.timelineOut <= b0 + length - LIMITER_CONTEXT_BEFORE && open.has(s.path)) {
          closeSync(open.get(s.path)!);
          open.delete(s.path);
        }
      }
      progress?.((b0 + length) / totalSamples);
      await yieldToEvents(); // lets a Ctrl-C, a job cancel and the folder lock's refresh through
    }
  } finally {
    for (const fd of open.values()) closeSync(fd);
    closeSync(out);
  }
}
