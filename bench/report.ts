import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchReport } from './run.ts';
import { REFERENCE, type MusicStats } from './measure/music.ts';
import { CLEAR_PULSE, keyAgrees } from './measure/audio.ts';
import type { VideoResult } from './video.ts';

/** report.md, SVG charts and bench/RESULTS.md (summary + one history row per run) from report.json. */

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const share = (xs: readonly boolean[]) => (xs.length ? xs.filter(Boolean).length / xs.length : NaN);
const f = (x: number | null | undefined, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)} %` : 'n/a');

interface Target {
  measure: string;
  target: string;
  value: string;
  met: boolean | null;
}

export function summarise(r: BenchReport) {
  const v = r.videos;
  const cuts = v.flatMap((x) => x.cuts);
  const cues = v.flatMap((x) => x.cues);
  const music = v.flatMap((x) => x.music);
  const byRes = (h: number) => v.filter((x) => x.height === h);
  const frameRtf = (xs: VideoResult[]) => mean(xs.map((x) => x.run.framesRealTimeFactor));
  const musicMean = Object.fromEntries(Object.keys(REFERENCE.real).map((k) => [k, mean(music.map((m) => m[k as keyof MusicStats]))])) as unknown as MusicStats;
  const styles = [...new Set(cuts.map((c) => c.style))];
  const across = cuts.filter((c) => c.style !== 'silent-gap');
  const bridges = cuts.filter((c) => c.style === 'bridge');
  return {
    videos: v.length,
    videoSec: v.reduce((a, x) => a + x.durationSec, 0),
    wallSec: v.reduce((a, x) => a + x.run.wallSec, 0),
    realTimeFactor: v.reduce((a, x) => a + x.durationSec, 0) / v.reduce((a, x) => a + x.run.wallSec, 0),
    framesRtf720: frameRtf(byRes(720)),
    framesRtf1080: frameRtf(byRes(1080)),
    /** Frame analysis time over ffmpeg's decode-only time on the same file, mean per resolution. */
    framesVsDecode720: mean(byRes(720).map((x) => (x.run.stages.scenes ?? NaN) / (x.decodeOnlySec ?? NaN))),
    framesVsDecode1080: mean(byRes(1080).map((x) => (x.run.stages.scenes ?? NaN) / (x.decodeOnlySec ?? NaN))),
    peakRssMb: Math.max(...v.map((x) => x.run.peakRssMb ?? 0)),
    f1With: mean(v.map((x) => x.detection.withMinScene.f1)),
    f1Without: mean(v.map((x) => x.detection.withoutMinScene.f1)),
    precisionWithout: mean(v.map((x) => x.detection.withoutMinScene.precision)),
    recallWithout: mean(v.map((x) => x.detection.withoutMinScene.recall)),
    cutsOnBeat: share(cuts.map((c) => c.segue.beatErrorSec <= 0.05)),
    /** Cuts into music with a beat to hear (pulse clarity >= CLEAR_PULSE): how many, and the share of them on a beat. */
    cuts: cuts.length,
    pulsedCuts: cuts.filter((c) => (c.segue.pulseClarity ?? 1) >= CLEAR_PULSE).length,
    cutsOnBeatPulsed: share(cuts.filter((c) => (c.segue.pulseClarity ?? 1) >= CLEAR_PULSE).map((c) => c.segue.beatErrorSec <= 0.05)),
    cutsOnBeatBaseline: share(cuts.map((c) => c.baseline.beatErrorSec <= 0.05)),
    medianBeatErrorMs: 1000 * [...cuts.map((c) => c.segue.beatErrorSec)].sort((a, b) => a - b)[cuts.length >> 1]!,
    tempoWithin2: share(cues.map((c) => Math.abs(c.tempoRatio - 1) <= 0.02)),
    tempoWithin2Octave: share(cues.map((c) => [0.5, 1, 2, 2 / 3, 1.5].some((m) => Math.abs(c.tempoRatio / m - 1) <= 0.02))),
    keySameOrRelative: share(cues.map((c) => keyAgrees(c.keyVerdict))),
    keyPlain: share(cues.filter((c) => c.keyVerdictPlain).map((c) => keyAgrees(c.keyVerdictPlain!))),
    keyNotes: share(cues.filter((c) => c.keyVerdictNotes).map((c) => keyAgrees(c.keyVerdictNotes!))),
    cueLoudnessOk: share(cues.map((c) => Math.abs(c.I + 16) <= 0.5)),
    cueLoudnessWithFadesOk: share(cues.map((c) => Math.abs(c.IWithFades + 16) <= 0.5)),
    cueTruePeakOk: share(cues.map((c) => c.TP <= -1)),
    mixI: mean(v.map((x) => x.mix.I)),
    mixTP: Math.max(...v.map((x) => x.mix.TP)),
    mixLRA: mean(v.map((x) => x.mix.LRA)),
    jumpSegue: mean(cuts.map((c) => Math.abs(c.segue.loudnessJumpLu))),
    jumpBaseline: mean(cuts.map((c) => Math.abs(c.baseline.loudnessJumpLu))),
    /** The same over the cuts the music plays across: a silent gap's jump out of silence is what it is for. */
    jumpAcrossSegue: mean(across.map((c) => Math.abs(c.segue.loudnessJumpLu))),
    jumpAcrossBaseline: mean(across.map((c) => Math.abs(c.baseline.loudnessJumpLu))),
    /** The same over 3 s either side (EBU short-term), all cuts the music plays across and the bridges alone. */
    jump3sAcross: [mean(across.map((c) => Math.abs(c.segue.loudnessJump3sLu ?? NaN))), mean(across.map((c) => Math.abs(c.baseline.loudnessJump3sLu ?? NaN)))],
    jump3sBridges: [mean(bridges.map((c) => Math.abs(c.segue.loudnessJump3sLu ?? NaN))), mean(bridges.map((c) => Math.abs(c.baseline.loudnessJump3sLu ?? NaN)))],
    fluxSegue: mean(cuts.map((c) => c.segue.fluxSpike)),
    fluxBaseline: mean(cuts.map((c) => c.baseline.fluxSpike)),
    perStyle: Object.fromEntries(styles.map((s) => {
      const cs = cuts.filter((c) => c.style === s);
      return [s, { n: cs.length, jump: mean(cs.map((c) => Math.abs(c.segue.loudnessJumpLu))), jumpBaseline: mean(cs.map((c) => Math.abs(c.baseline.loudnessJumpLu))), flux: mean(cs.map((c) => c.segue.fluxSpike)), fluxBaseline: mean(cs.map((c) => c.baseline.fluxSpike)), onBeat: share(cs.map((c) => c.segue.beatErrorSec <= 0.05)) }];
    })),
    music: musicMean,
    composeMsMax: Math.max(...v.flatMap((x) => x.composeMs)),
  };
}

function targets(r: BenchReport, s: ReturnType<typeof summarise>): Target[] {
  const t: Target[] = [];
  const add = (measure: string, target: string, value: string, met: boolean | null) => t.push({ measure, target, value, met });
  add('whole set wall time (scoring + baseline + measures)', '< 15 min', `${f(r.totalSec / 60, 1)} min`, r.totalSec < 900);
  add('frame analysis speed, 1080p', '>= 10x real time', `${f(s.framesRtf1080, 1)}x`, s.framesRtf1080 >= 10);
  add('frame analysis speed, 720p', 'reported', `${f(s.framesRtf720, 1)}x`, null);
  add('frame analysis time / ffmpeg decode-only time (same file), 1080p', '<= 1.15x', `${f(s.framesVsDecode1080)}x`, s.framesVsDecode1080 <= 1.15);
  add('frame analysis time / ffmpeg decode-only time (same file), 720p', '<= 1.15x', `${f(s.framesVsDecode720)}x`, s.framesVsDecode720 <= 1.15);
  add('peak memory of a full score', '< 1024 MB', `${s.peakRssMb} MB`, s.peakRssMb < 1024);
  const am = r.analysisMemory;
  add('analysis peak memory, a video looped to 4x its length vs 1x', '<= 1.1x (independent of length)', am ? `${f(am.ratio)}x (${am.peakMb[1]} vs ${am.peakMb[0]} MB for ${am.seconds[1]} vs ${am.seconds[0]} s)` : 'n/a (smoke run)', am ? am.ratio <= 1.1 : null);
  const lm = r.longMemory;
  add(`peak memory of a whole score, ${lm ? lm.minutes.at(-1) : 120}-minute video (and its ratio to ${lm ? lm.minutes[0] : 4} minutes)`, '< 1024 MB, independent of length', lm ? `${lm.peakMb.at(-1)} MB (${f(lm.ratio)}x of ${lm.peakMb[0]} MB; ${lm.workers} workers; ${f(lm.wallSec.at(-1)!, 0)} s)` : 'n/a (smoke run)', lm ? (lm.peakMb.at(-1) ?? Infinity) < 1024 : null);
  const nn = r.neural;
  const nnTiny = !nn.model || nn.model === 'tiny';
  add(`neural engine: whole path around the model per cue (${nnTiny ? 'tiny MusicGen' : nn.model}, ${nn.provider ?? 'cpu'})`, 'reported', `${f(nn.overheadPerCueSec)} s per cue, x${f(nn.overheadRtf, 1)} real time (model ${f(nn.modelSec)} s for ${nn.cues} cues; ${nn.stretched} stretched)`, null);
  if (!nnTiny) add(`neural engine: model real-time factor (${nn.provider})`, '>= 2x on one consumer GPU (musicgen-small)', `x${f(nn.modelRtf, 2)}`, nn.modelRtf >= 2);
  add('cut detection F1 (no minimum scene length)', 'reported', f(s.f1Without), null);
  add('cuts within 50 ms of an estimated beat', '>= 95 %', pct(s.cutsOnBeat), s.cutsOnBeat >= 0.95);
  add(`the same, of the cuts into music with a clear pulse (clarity >= ${CLEAR_PULSE})`, 'reported', `${pct(s.cutsOnBeatPulsed)} (${s.pulsedCuts} of ${s.cuts} cuts)`, null);
  add('cue tempo within 2 % of the plan (estimated from audio)', 'all', `${pct(s.tempoWithin2)} (${pct(s.tempoWithin2Octave)} allowing 1/2, 2/3, 3/2, 2x)`, s.tempoWithin2 >= 1);
  add('cue key = plan key, its relative, or (modes) the major/minor key with its notes; heard (profiles with harmonics)', 'all', pct(s.keySameOrRelative), s.keySameOrRelative >= 1);
  add('the same with the plain profiles (the estimator before 2026-12-02)', 'reported', pct(s.keyPlain), null);
  add('the same on the written notes (the composition\'s pitch-class durations)', 'reported', pct(s.keyNotes), null);
  add('cue integrated loudness within 0.5 LU of -16 (between the cue\'s fades)', 'all', pct(s.cueLoudnessOk), s.cueLoudnessOk >= 1);
  add('the same over the whole body, fades included (the figure before 2026-12-02)', 'reported', pct(s.cueLoudnessWithFadesOk), null);
  add('cue true peak <= -1 dBTP', 'all', pct(s.cueTruePeakOk), s.cueTruePeakOk >= 1);
  add('loudness jump across the cuts the music plays across (silent gaps aside), Segue vs baseline', 'Segue lower', `${f(s.jumpAcrossSegue)} vs ${f(s.jumpAcrossBaseline)} LU`, s.jumpAcrossSegue < s.jumpAcrossBaseline);
  add('the same over 3 s either side (EBU short-term window), Segue vs baseline; bridges alone', 'reported', `${f(s.jump3sAcross[0])} vs ${f(s.jump3sAcross[1])} LU; bridges ${f(s.jump3sBridges[0])} vs ${f(s.jump3sBridges[1])} LU`, null);
  add('loudness jump across all cuts, silent gaps included, Segue vs baseline', 'reported', `${f(s.jumpSegue)} vs ${f(s.jumpBaseline)} LU`, null);
  add('spectral-flux spike at cuts, Segue vs baseline', 'Segue lower', `${f(s.fluxSegue)} vs ${f(s.fluxBaseline)}`, s.fluxSegue < s.fluxBaseline);
  add('composition time per scene (max)', '< 50 ms', `${f(s.composeMsMax, 1)} ms`, s.composeMsMax < 50);
  const hp = r.helper;
  // The median of several runs, each run's figure beside it.
  const runsOf = (k: 'scoreSec' | 'regenerateSec' | 'swapSec' | 'remasterSwapSec') => (hp.runs && hp.runs.length > 1 ? [`median of ${hp.runs.length}: ${hp.runs.map((x) => f(x[k])).join(', ')}`] : []);
  const notes = (...xs: string[]) => (xs.length ? ` (${xs.join('; ')})` : '');
  add('helper: score the demo sequence from the panel\'s inputs (stills + cuts, request to files ready)', '<= 10 s', `${f(hp.scoreSec)} s${notes(...runsOf('scoreSec'), `analysis ${f(hp.analyseSec)} s, ${hp.cues} cues`)}`, hp.scoreSec <= 10);
  add('helper: regenerate one scene', '<= 1.5 s', `${f(hp.regenerateSec)} s${notes(...runsOf('regenerateSec'))}`, hp.regenerateSec <= 1.5);
  add('helper: swap one transition', '<= 1 s', `${f(hp.swapSec)} s${notes(...runsOf('swapSec'), `${hp.swapFrom ?? 'suggested'} to ${hp.swapTo}`)}`, hp.swapSec <= 1);
  if (hp.remasterSwapSec !== undefined) add('helper: then to an abrupt cut or a fade (mastering only)', 'reported', `${f(hp.remasterSwapSec)} s${notes(...runsOf('remasterSwapSec'), `to ${hp.remasterSwapTo}`)}`, null);
  add('helper: resident memory idle / peak', 'peak < 1024 MB', `${hp.idleRssMb ?? '?'} / ${hp.peakRssMb ?? '?'} MB`, hp.peakRssMb === null ? null : hp.peakRssMb < 1024);
  add('CLI: regenerate one scene (new process, mix and mux)', 'reported', `${f(r.iteration.regenerateSec)} s`, null);
  add('CLI: swap one transition (new process, mix and mux)', 'reported', r.iteration.swapSec === null ? 'n/a' : `${f(r.iteration.swapSec)} s`, null);
  const ref = r.reference;
  if (ref) {
    const matched = ref.videos.reduce((a, x) => a + x.matchedWithinOneFrame, 0);
    const total = ref.videos.reduce((a, x) => a + Math.max(x.cutsOurs.length, x.cutsRef.length), 0);
    const sec = (k: 'wallSecOurs' | 'wallSecRef') => ref.videos.reduce((a, x) => a + x[k], 0);
    add('detected cuts within one frame of PySceneDetect\'s pipeline on OpenCV (threshold 27, 15 frames)', 'all', `${matched} of ${total}; frame score differs by ${f(mean(ref.videos.map((x) => x.scoreMeanAbsDiff)), 3)} on average`, matched === total);
    add('frame analysis time vs that OpenCV pipeline (same files)', 'reported', `${f(sec('wallSecOurs'), 1)} s vs ${f(sec('wallSecRef'), 1)} s (comparison took ${f(ref.seconds / 60, 1)} min, not in the whole-set time)`, null);
  } else add('detected cuts vs PySceneDetect\'s pipeline on OpenCV', 'all', 'python3-opencv not installed', null);
  const fs = r.fluidsynth;
  add('single-threaded render vs fluidsynth (same MIDI and SoundFont)', '>= 0.5x its speed', fs ? `${f(fs.fluidSec / fs.oursSec)}x (${f(fs.oursSec)} s vs ${f(fs.fluidSec)} s)` : 'fluidsynth not installed', fs ? fs.fluidSec / fs.oursSec >= 0.5 : null);
  add('whole score in parallel vs fluidsynth on one core', 'faster', fs ? `${f(fs.allCuesOursParallelSec)} s vs ${f(fs.allCuesFluidSec)} s` : 'fluidsynth not installed', fs ? fs.allCuesOursParallelSec < fs.allCuesFluidSec : null);
  for (const k of ['scaleConsistency', 'pitchEntropy', 'pitchClassEntropy', 'emptyBeatRate', 'interOnsetInterval'] as const) {
    const ours = s.music[k];
    const real = REFERENCE.real[k];
    const cmt = REFERENCE.cmt[k];
    const within = Math.abs(ours - real) <= 0.1 * Math.abs(real);
    const closer = Math.abs(ours - real) < Math.abs(cmt - real);
    add(`${k} (real ${real}, CMT ${cmt})`, 'within 10 % of real, closer than CMT', f(ours, 3), within && closer);
  }
  for (const k of ['groovingSimilarity', 'structureness'] as const) {
    add(`${k} (real ${REFERENCE.real[k]}, CMT ${REFERENCE.cmt[k]})`, 'closer to real than CMT', f(s.music[k], 3), Math.abs(s.music[k] - REFERENCE.real[k]) < Math.abs(REFERENCE.cmt[k] - REFERENCE.real[k]));
  }
  return t;
}

function barChart(title: string, labels: string[], series: { name: string; colour: string; values: number[] }[], unit: string): string {
  const W = 900, H = 320, left = 60, bottom = 90, top = 40;
  const max = Math.max(1e-9, ...series.flatMap((s) => s.values.filter(Number.isFinite)));
  const groupW = (W - left - 20) / Math.max(1, labels.length);
  const barW = Math.max(2, (groupW * 0.8) / series.length);
  const y = (v: number) => top + (H - top - bottom) * (1 - v / max);
  const bars = labels.flatMap((l, i) => series.map((s, j) => {
    const v = s.values[i] ?? 0;
    const x = left + i * groupW + j * barW + groupW * 0.1;
    return `<rect x="${x.toFixed(1)}" y="${y(Number.isFinite(v) ? v : 0).toFixed(1)}" width="${barW.toFixed(1)}" height="${(H - bottom - y(Number.isFinite(v) ? v : 0)).toFixed(1)}" fill="${s.colour}"><title>${l} ${s.name}: ${f(v)} ${unit}</title></rect>`;
  }));
  const xl = labels.map((l, i) => `<text x="${(left + (i + 0.5) * groupW).toFixed(1)}" y="${H - bottom + 14}" font-size="10" text-anchor="end" transform="rotate(-45 ${(left + (i + 0.5) * groupW).toFixed(1)} ${H - bottom + 14})">${l}</text>`);
  const legend = series.map((s, j) => `<rect x="${left + j * 150}" y="12" width="10" height="10" fill="${s.colour}"/><text x="${left + j * 150 + 14}" y="21" font-size="11">${s.name}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="${H - 8}" font-size="13" text-anchor="middle">${title}</text>
<line x1="${left}" y1="${H - bottom}" x2="${W - 10}" y2="${H - bottom}" stroke="black"/><line x1="${left}" y1="${top}" x2="${left}" y2="${H - bottom}" stroke="black"/>
<text x="${left - 6}" y="${top + 4}" font-size="10" text-anchor="end">${f(max)} ${unit}</text><text x="${left - 6}" y="${H - bottom}" font-size="10" text-anchor="end">0</text>
${legend.join('\n')}
${bars.join('\n')}
${xl.join('\n')}
</svg>
`;
}

export function writeReport(r: BenchReport, outDir: string, resultsPath: string | null): string {
  const s = summarise(r);
  const t = targets(r, s);
  const cutLabels = r.videos.flatMap((v) => v.cuts.map((c) => `${v.name} #${c.cut} ${c.style}`));
  const cuts = r.videos.flatMap((v) => v.cuts);
  const stageNames = ['scenes', 'audio', 'mix', 'outputs'];
  const colours = ['#4c78a8', '#f58518', '#54a24b', '#b279a2', '#e45756'];
  writeFileSync(join(outDir, 'stages.svg'), barChart('seconds per stage, per video', r.videos.map((v) => v.name), stageNames.map((n, i) => ({ name: n, colour: colours[i]!, values: r.videos.map((v) => v.run.stages[n] ?? 0) })), 's'));
  writeFileSync(join(outDir, 'beat-error.svg'), barChart('distance from each cut to the nearest estimated beat', cutLabels, [
    { name: 'Segue', colour: colours[0]!, values: cuts.map((c) => 1000 * c.segue.beatErrorSec) },
    { name: 'baseline (abrupt, alone)', colour: colours[1]!, values: cuts.map((c) => 1000 * c.baseline.beatErrorSec) },
  ], 'ms'));
  writeFileSync(join(outDir, 'loudness-jump.svg'), barChart('loudness change across each cut (|LU|, 1 s either side)', cutLabels, [
    { name: 'Segue', colour: colours[0]!, values: cuts.map((c) => Math.abs(c.segue.loudnessJumpLu)) },
    { name: 'baseline', colour: colours[1]!, values: cuts.map((c) => Math.abs(c.baseline.loudnessJumpLu)) },
  ], 'LU'));

  const targetTable = ['| measure | target | this run | met |', '| --- | --- | --- | --- |', ...t.map((x) => `| ${x.measure} | ${x.target} | ${x.value} | ${x.met === null ? '-' : x.met ? 'yes' : '**no**'} |`)];
  const styleTable = ['| transition | cuts | loudness jump (Segue / baseline, LU) | flux spike (Segue / baseline) | on a beat |', '| --- | --- | --- | --- | --- |',
    ...Object.entries(s.perStyle).map(([k, x]) => `| ${k} | ${x.n} | ${f(x.jump)} / ${f(x.jumpBaseline)} | ${f(x.flux)} / ${f(x.fluxBaseline)} | ${pct(x.onBeat)} |`)];
  const musicTable = ['| statistic | Segue | real (SymMV / LPD) | CMT |', '| --- | --- | --- | --- |',
    ...(Object.keys(REFERENCE.real) as (keyof MusicStats)[]).map((k) => `| ${k} | ${f(s.music[k], 3)} | ${REFERENCE.real[k]} | ${REFERENCE.cmt[k]} |`)];
  // Per style: the five SymMV statistics, each marked * where it is more than 10 % from real music.
  const five = ['scaleConsistency', 'pitchEntropy', 'pitchClassEntropy', 'emptyBeatRate', 'interOnsetInterval'] as const;
  const allMusic = r.videos.flatMap((v) => v.music);
  const styles = [...new Set(allMusic.map((m) => m.style ?? '?'))].sort();
  const cell = (k: (typeof five)[number], x: number) => `${f(x, 3)}${Math.abs(x / REFERENCE.real[k] - 1) <= 0.1 ? '' : ' *'}`;
  // Beside them, the empty-beat rate with the designed endings aside (bench/video.ts): the writing's own.
  const written = (ms: typeof allMusic) => f(mean(ms.map((m) => m.emptyBeatRateWritten ?? NaN)), 3);
  const musicByStyle = [`| style | cues | ${five.join(' | ')} | emptyBeatRate, endings aside |`, `| --- | --- | ${five.map(() => '---').join(' | ')} | --- |`,
    ...styles.map((st) => {
      const ms = allMusic.filter((m) => (m.style ?? '?') === st);
      return `| ${st} | ${ms.length} | ${five.map((k) => cell(k, mean(ms.map((m) => m[k])))).join(' | ')} | ${written(ms)} |`;
    }), `| all | ${allMusic.length} | ${five.map((k) => cell(k, mean(allMusic.map((m) => m[k])))).join(' | ')} | ${written(allMusic)} |`];
  const machine = `${r.machine.cpus} x ${r.machine.cpuModel}, ${r.machine.memGb} GiB, Node ${r.machine.node}, ${r.machine.ffmpeg}`;
  const head = [
    `Segue ${r.segue}, seed ${r.seed}, ${r.startedAt}${r.smoke ? ' (smoke run)' : ''}. Machine: ${machine}.`,
    `${s.videos} video(s), ${f(s.videoSec / 60, 1)} min of video, scored in ${f(s.wallSec / 60, 1)} min (x${f(s.realTimeFactor)} real time); whole bench ${f(r.totalSec / 60, 1)} min, plus ${f(r.generationSec / 60, 1)} min making videos not yet cached.`,
  ];
  const perVideo = ['| video | size | s | scenes | wall s | frames x RT | peak MB | F1 (min 8 s / none) | cuts on beat |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.videos.map((v) => `| ${v.name} | ${v.width}x${v.height}@${v.fps} | ${f(v.durationSec, 0)} | ${v.cues.length} | ${f(v.run.wallSec, 1)} | ${f(v.run.framesRealTimeFactor, 1)} | ${v.run.peakRssMb ?? 'n/a'} | ${f(v.detection.withMinScene.f1)} / ${f(v.detection.withoutMinScene.f1)} | ${pct(share(v.cuts.map((c) => c.segue.beatErrorSec <= 0.05)))} |`)];
  const perCue = ['| video | cue | style | plan key | key verdict | plan BPM | estimated BPM | I LUFS | LRA | TP dBTP |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.videos.flatMap((v) => v.cues.map((c) => `| ${v.name} | ${c.id} | ${c.style} | ${c.plannedKey} | ${c.keyVerdict} | ${f(c.plannedBpm, 1)} | ${f(c.estimatedBpm, 1)} | ${f(c.I, 1)} | ${f(c.LRA, 1)} | ${f(c.TP, 1)} |`))];
  const md = [
    '# Segue bench report', '', ...head, '', '## Targets', '', ...targetTable, '', '## Transitions by style', '', ...styleTable, '',
    '## Note statistics (scene cues, pitched notes of the body)', '', ...musicTable, '', 'By style (* more than 10 % from real music):', '', ...musicByStyle, '',
    'Real and CMT values: SC, PE, PCE, EBR, IOI from V-MusProd\'s SymMV table; grooving and structureness from the CMT paper (LPD). Our structureness is an approximation (bench/measure/music.ts).', '',
    `Iteration on ${r.videos[0]?.name}: regenerate ${f(r.iteration.regenerateSec)} s, swap to ${r.iteration.swapTo} ${f(r.iteration.swapSec)} s, against ${f(r.iteration.fullScoreSec)} s for the full score.`, '',
    '## Per video', '', ...perVideo, '', '## Per cue', '', ...perCue, '',
    '![stages](stages.svg) ![beat error](beat-error.svg) ![loudness jump](loudness-jump.svg)', '',
  ].join('\n');
  writeFileSync(join(outDir, 'report.md'), md);

  if (resultsPath) {
    const old = existsSync(resultsPath) ? readFileSync(resultsPath, 'utf8') : '';
    const rows = old.includes('<!-- history -->') ? old.slice(old.indexOf('<!-- history -->') + '<!-- history -->'.length).trim().split('\n').filter((l) => l.startsWith('| 20')) : [];
    rows.push(`| ${r.startedAt.slice(0, 16)} | ${r.segue} | ${s.videos} | ${f(r.totalSec / 60, 1)} | ${f(s.realTimeFactor)} | ${f(s.framesRtf1080, 1)} | ${s.peakRssMb} | ${f(s.f1Without)} | ${pct(s.cutsOnBeat)} | ${pct(s.keySameOrRelative)} | ${f(s.jumpSegue)} / ${f(s.jumpBaseline)} | ${f(r.iteration.regenerateSec)} |`);
    writeFileSync(resultsPath, [
      '# Bench results', '', 'Written by `npm run bench` (bench/README.md); the latest run\'s summary, then one row per run.', '',
      ...head, '', ...targetTable, '', ...styleTable, '', ...musicTable, '', ...musicByStyle, '', '## History', '',
      '| run | segue | videos | bench min | x real time | 1080p frames x RT | peak MB | cut F1 | cuts on beat | key ok | jump Segue / baseline LU | regenerate s |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |', '<!-- history -->', ...rows, '',
    ].join('\n'));
  }
  return [...head, ...t.map((x) => `${x.met === null ? ' ' : x.met ? '+' : '-'} ${x.measure}: ${x.value} (target ${x.target})`)].join('\n');
}
