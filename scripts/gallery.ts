import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { keyName, SAMPLE_RATE, type Key } from '../shared/index.ts';
import { STYLES } from '../helper/core/compose/styles.ts';
import type { CompositionSpec } from '../helper/core/compose/types.ts';
import type { BridgeSpec } from '../helper/core/compose/bridge.ts';
import type { CueJob } from '../helper/core/layout.ts';
import { spectrogramPng } from '../helper/adapters/ffmpeg.ts';
import { RenderPool } from '../helper/pipeline/pool.ts';
import { midiPathOf } from '../helper/pipeline/render-cue.ts';
import { copyFileSync } from 'node:fs';

/**
 * `npm run gallery`: one 16-bar cue per style (energy rising to a peak and settling, then a
 * resolving ending), plus one bridge, rendered with the default SoundFont exactly as `segue score`
 * renders cues, with a spectrogram PNG and the MIDI beside each WAV, and an index to read.
 * Written to gallery-out/ (not committed: listen, look, and judge).
 */

const out = resolve('gallery-out');
mkdirSync(out, { recursive: true });
const soundFont = process.argv[2] ?? 'musescore';
const energyCurve = [0.25, 0.35, 0.5, 0.65, 0.8, 0.9, 0.85, 0.6, 0.45];
const spbOf = (bpm: number) => (60 / bpm) * SAMPLE_RATE;

function sceneJob(styleId: string, key: Key, bpm: number): CueJob {
  const bars = 16;
  const spec: CompositionSpec = { style: styleId, key, bpm, beatsPerBar: 4, bodyBeats: bars * 4, headBeats: 4, tailBeats: 4, energyCurve, motion: 0.5, seed: 1, ending: 'resolve', releaseBeats: 0, intro: true };
  const spb = spbOf(bpm);
  const head = Math.round(4 * spb);
  const body = Math.round(bars * 4 * spb);
  const total = head + body + Math.round(4 * spb);
  return {
    id: styleId, composition: { kind: 'scene', spec },
    render: { originSample: head, samplesPerBeat: spb, beatPositions: null, tailSamplesPerBeat: spb, totalSamples: total },
    master: { targetLufs: -16, ceilingDbtp: -1, bodyStart: head, bodyEnd: head + body, fadeIn: null, fadeOut: null, release: null },
    soundFont, stems: false,
  };
}

function bridgeJob(): CueJob {
  const spec: BridgeSpec = {
    from: { style: 'piano', key: { tonic: 'A', mode: 'minor' }, bpm: 84, beatsPerBar: 4, energy: 0.4, motion: 0.3 },
    to: { style: 'pop-rock', key: { tonic: 'D', mode: 'major' }, bpm: 124, beatsPerBar: 4, energy: 0.8, motion: 0.7 },
    preBeats: 8, postBeats: 8, headBeats: 8, tailBeats: 8, seed: 1,
  };
  const a = spbOf(84);
  const b = spbOf(124);
  const beats = Array.from({ length: 16 }, (_, i) => a + ((b - a) * (i + 0.5)) / 16);
  const positions = [0];
  for (const d of beats) positions.push(positions.at(-1)! + d);
  const head = Math.round(8 * a);
  const body = Math.round(positions.at(-1)!);
  const total = head + body + Math.round(8 * b);
  return {
    id: 'bridge', composition: { kind: 'bridge', spec },
    render: { originSample: head, samplesPerBeat: a, beatPositions: positions, tailSamplesPerBeat: b, totalSamples: total },
    master: { targetLufs: -16, ceilingDbtp: -1, bodyStart: head, bodyEnd: head + body, fadeIn: null, fadeOut: null, release: null },
    soundFont, stems: false,
  };
}

const jobs = STYLES.map((s) => {
  const key: Key = { tonic: s.modes.bright === 'major' || s.modes.bright === 'lydian' || s.modes.bright === 'mixolydian' ? 'C' : 'A', mode: s.modes.bright };
  return { job: sceneJob(s.id, key, Math.round((s.bpm[0] + s.bpm[1]) / 2)), line: `${s.label}: ${keyName(key)}, ${Math.round((s.bpm[0] + s.bpm[1]) / 2)} BPM, ${s.parts.map((p) => p.name).join(', ')}` };
});
jobs.push({ job: bridgeJob(), line: 'bridge: solo piano in A minor at 84 BPM -> pop/rock in D major at 124 BPM, 2 + 2 bars with a tempo ramp' });

const pool = new RenderPool();
const lines = ['# Segue gallery', '', `SoundFont: ${soundFont}. Each cue: one bar of handle, 16 bars, one bar of handle; -16 LUFS.`, ''];
try {
  const results = await Promise.all(jobs.map(async ({ job, line }) => {
    const wav = join(out, `${job.id}.wav`);
    const cache = join(out, '.render', `${job.id}.wav`);
    mkdirSync(join(out, '.render'), { recursive: true });
    const r = await pool.render(job, cache);
    copyFileSync(cache, wav);
    copyFileSync(midiPathOf(cache), join(out, `${job.id}.mid`));
    await spectrogramPng(wav, join(out, `${job.id}.png`));
    process.stderr.write(`${job.id}: ${r.integratedLufs} LUFS, true peak ${r.truePeakDbtp} dBTP\n`);
    return `- [${job.id}.wav](${job.id}.wav) ([MIDI](${job.id}.mid), ![spectrogram](${job.id}.png)): ${line}; ${r.integratedLufs} LUFS, ${r.truePeakDbtp} dBTP`;
  }));
  lines.push(...results);
} finally {
  await pool.close();
}
writeFileSync(join(out, 'index.md'), lines.join('\n') + '\n');
process.stderr.write(`gallery in ${out}/index.md\n`);
