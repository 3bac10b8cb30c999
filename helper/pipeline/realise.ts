import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Plan, PLAN_VERSION, SAMPLE_RATE,
  type Cue, type PlannedScene, type PlanSettings, type SourceMedia, type Take, type Transition, type ProgressEvent, type Stage,
} from '../../shared/index.ts';
import { layoutCues, type CueLayout } from '../core/layout.ts';
import type { Anchor } from '../core/prompt.ts';
import { mux } from '../adapters/ffmpeg.ts';
import { resolveSoundFont } from '../adapters/synth.ts';
import { InterruptedError } from '../errors.ts';
import { cacheRoot, contentHash, hashJson, readCacheJson, sweepStaleTemps } from './cache.ts';
import { loudnessOf, takeProblem, verifiedEntry, type CueRecord } from './cue-files.ts';
import { codesPathOf, neuralEngine, readNeuralCodes } from './render-neural.ts';
import { writeMixdown } from './mixdown.ts';
import { ensureCache } from './output.ts';
import { RenderPool } from './pool.ts';
import { renderStorePath } from './render-store.ts';
import { composeJob, midiPathOf, stemGroupsOf, stemPathOf, type StemGroup } from './render-cue.ts';
import { VERSION } from '../version.ts';

/**
 * From a plan's decisions (scenes, prompts, transitions, seeds) to files: lays out every cue,
 * renders only those whose content hash is new, keeps every earlier take, mixes, muxes and writes
 * plan.json, all into a staging folder. `segue score` and the edit commands share it, which is
 * what makes an edit touch only the files it must: an unchanged cue has an unchanged hash.
 */

/** Bump when analysis changes its output (frames, speech), so stale cache entries are never reused. */
export const CACHE_VERSION = 6;
/**
 * Part of every cue's content hash: bump when composing, rendering or mastering changes a cue's
 * audio for the same recipe, so an update never serves an older take from the cache as if it were
 * the recipe's (a damaged take is made again byte for byte from its recipe). 7: eight-bar melody
 * periods, the figure plan, on-beat accents, tunes in calm scenes, the melody resting under voices,
 * and neural audio fitted by the multi-feature estimator onto grids that follow the music; 8:
 * breaths between calm phrases, wider voicings, moving bass lines, the pedal-and-line ostinato,
 * and level rides at cuts (these also change the jobs they apply to); 9: a split bridge's rides
 * measured after its halves' gains, and rides held through a crossfade; 10: folk's picking quickens
 * into its cadences as the other figures do, and lo-fi's descending loop lands on I; 11: lines take a
 * chord's altered degree, major keys use secondary dominants, cinematic and piano minor keys a major V.
 */
export const CUE_VERSION = 11;

export interface RealiseInput {
  outDir: string;
  staging: string;
  /** The scored video, or null for a sequence described by the panel (no video to mux). */
  source: SourceMedia | null;
  durationSamples: number;
  settings: PlanSettings;
  anchor: Anchor;
  scenes: PlannedScene[];
  transitions: Transition[];
  /** Current seed of each scene's cue. */
  seeds: number[];
  /** Per cut, its bridge's seed where it is not the plan seed's default (a re-cut keeps a moved bridge's). */
  bridgeSeeds?: (number | undefined)[];
  /** The plan being edited; null for a fresh score. */
  previous: Plan | null;
  /** Why new takes are made (recorded in the take history). */
  reason: Take['reason'];
  keepOriginalAudio: boolean;
  /** Write soundtrack.wav (the CLI always does; the panel does not need it). */
  mix: boolean;
  /** null: no muxed video (the bench's baseline, the panel, or no mix). */
  videoName: string | null;
  /** A warm pool to render with (the helper's); without one, a pool is started for this call. */
  pool?: RenderPool;
}

export interface Realised {
  plan: Plan;
  /** Files written to the staging folder, relative to it; plan.json last. */
  files: string[];
  rendered: string[];
}

type Emit = (e: ProgressEvent) => void;

export async function realise(r: RealiseInput, emit: Emit, signal: AbortSignal): Promise<Realised> {
  const stage = (s: Stage, status: 'start' | 'progress' | 'done', fraction: number, message: string) => emit({ type: 'stage', stage: s, status, fraction, message });
  const check = () => {
    if (signal.aborted) throw new InterruptedError();
  };
  const layouts = layoutCues(r.scenes, r.transitions, r.settings, r.seeds, r.bridgeSeeds);
  const sfPath = resolveSoundFont(r.settings.soundFont);
  const sfId = existsSync(sfPath) ? await contentHash(sfPath) : sfPath;
  const warn = (message: string) => emit({ type: 'warning', message });
  const neural = r.settings.engine === 'musicgen' ? await neuralEngine(r.settings.model, warn) : null;
  // The cue's number is not part of its content: a scene renumbered by a re-cut keeps its audio.
  const hashOf = (l: CueLayout): string => {
    const { id: _id, ...job } = l.job;
    // A neural bridge continues its outgoing scene's music, so it changes when that scene does.
    const from = job.neural?.kind === 'bridge' ? layouts.find((x) => x.id === `scene-${l.cut! + 1}`) : undefined;
    return hashJson({ v: CUE_VERSION, engine: VERSION, job: { ...job, soundFont: sfId }, ...(neural ? { neural: neural.key } : {}), ...(from ? { from: hashOf(from) } : {}) });
  };
  // The synth's output depends on the notes, the grid and the SoundFont, not on the mastering: an
  // edit that changes only a cue's fades and rides (a swapped transition) finds it in the store.
  const renderPathOf = ({ job }: CueLayout): string =>
    renderStorePath(hashJson({ v: CUE_VERSION, engine: VERSION, composition: job.composition, render: job.render, stems: job.stems, soundFont: sfId }));
  const previousTakes = r.previous?.takes ?? [];
  const now = new Date().toISOString();
  const newTakes: Take[] = [];
  const toRender: { layout: CueLayout; hash: string; file: string; take: number; restore: boolean }[] = [];
  const written: string[] = [];
  const cachePathOf = (hash: string) => join(cacheRoot(), 'cues', `${hash}.wav`);
  const cues: (Cue | null)[] = layouts.map((layout) => {
    const hash = hashOf(layout);
    const { job: _job, ...rest } = layout;
    // Same content as a take on disk (the current one, or one being made current again): reuse it.
    const same = previousTakes.find((t) => t.cue === layout.id && t.hash === hash && existsSync(join(r.outDir, t.file)));
    if (same) {
      // A mix reads every byte anyway, so then the take's content is checked too, against what the cache recorded of it.
      const sha = r.mix ? readCacheJson<CueRecord>(`${cachePathOf(hash)}.json`, () => true)?.files?.['']?.sha256 : undefined;
      const problem = takeProblem(join(r.outDir, same.file), layout.fileSamples, sha);
      if (!problem) return { ...rest, ...heardGrid(layout, join(r.outDir, same.file)), take: same.take, ...companions(same.file, layout.job), loudness: same.loudness, hash };
      warn(`${same.file} ${problem}; making take ${same.take} of ${layout.id} again from its recipe`);
      toRender.push({ layout, hash, file: same.file, take: same.take, restore: true });
      return null;
    }
    // Never reuse a take number, nor a file name left by a scene a re-cut removed.
    let take = Math.max(0, ...previousTakes.filter((t) => t.cue === layout.id).map((t) => t.take)) + 1;
    while (existsSync(join(r.outDir, `cues/${layout.id}-take-${take}.wav`))) take++;
    toRender.push({ layout, hash, file: `cues/${layout.id}-take-${take}.wav`, take, restore: false });
    return null;
  });

  if (toRender.length) {
    ensureCache('cues');
    sweepStaleTemps(join(cacheRoot(), 'cues')); // renders a killed run left half-written
  }
  stage('audio', 'start', 0, toRender.length ? `rendering ${toRender.length} of ${layouts.length} cue(s)` : 'every cue is unchanged');
  const symbolic = toRender.filter((t) => !t.layout.job.neural);
  const ownPool = symbolic.length && !r.pool ? new RenderPool(Math.min(symbolic.length, RenderPool.defaultSize())) : null;
  const pool = r.pool ?? ownPool;
  const stopPool = () => void ownPool?.close();
  signal.addEventListener('abort', stopPool, { once: true });
  try {
    let done = 0;
    const renderOne = async (t: (typeof toRender)[number]) => {
      const cachePath = cachePathOf(t.hash);
      // A whole cache entry is used as it is, by either engine: only a miss renders.
      const cached = verifiedEntry(cachePath, warn);
      const hit = cached !== null;
      const loudness = cached ? loudnessOf(cached) : t.layout.job.neural ? await renderNeural(t) : await pool!.render(t.layout.job, cachePath, signal, renderPathOf(t.layout));
      const { job, ...rest } = t.layout;
      const names = companions(t.file, job);
      copyFileSync(cachePath, join(r.staging, t.file));
      if (names.midiFile) copyFileSync(midiPathOf(cachePath), join(r.staging, names.midiFile));
      if (job.neural) copyFileSync(codesPathOf(cachePath), join(r.staging, codesPathOf(t.file)));
      for (const [group, file] of Object.entries(names.stems ?? {})) copyFileSync(stemPathOf(cachePath, group as StemGroup), join(r.staging, file));
      written.push(...(names.midiFile ? [names.midiFile] : []), ...(job.neural ? [codesPathOf(t.file)] : []), ...Object.values(names.stems ?? {}));
      const i = layouts.indexOf(t.layout);
      cues[i] = { ...rest, ...heardGrid(t.layout, cachePath), take: t.take, ...names, loudness, hash: t.hash };
      const sceneIndex = t.layout.scene;
      if (!t.restore) newTakes.push({ cue: t.layout.id, take: t.take, file: t.file, seed: t.layout.seed, prompt: sceneIndex === null ? null : r.scenes[sceneIndex]!.prompt, hash: t.hash, loudness, reason: r.reason, createdAt: now });
      done++;
      stage('audio', 'progress', done / toRender.length, `${t.layout.id} take ${t.take}${hit ? ' (cached)' : ''}`);
    };
    // A neural bridge continues from its outgoing scene's codes: scenes before bridges, one at a time.
    const renderNeural = (t: (typeof toRender)[number]) => {
      const job = t.layout.job;
      const outgoing = job.neural?.kind === 'bridge' ? layouts.find((l) => l.id === `scene-${t.layout.cut! + 1}`) : undefined;
      const codes = outgoing ? neuralCodesOf(outgoing) : null;
      const at = outgoing ? t.layout.timelineIn - t.layout.handles.head - outgoing.timelineIn + outgoing.handles.head : 0;
      if (outgoing && !codes) warn(`${t.layout.id}: the codes of ${outgoing.id} are gone (cache cleared?), so the bridge starts afresh instead of continuing it`);
      return neural!.render(job, cachePathOf(t.hash), t.layout.seed, codes ? { codes, at } : undefined, signal);
    };
    const neuralCodesOf = (l: CueLayout) => {
      const cue = cues[layouts.indexOf(l)];
      return readNeuralCodes(cachePathOf(hashOf(l))) ?? (cue ? readNeuralCodes(join(r.outDir, cue.file)) : null);
    };
    await Promise.all(symbolic.map(renderOne));
    for (const kind of ['scene', 'bridge']) for (const t of toRender.filter((x) => x.layout.job.neural?.kind === kind)) await renderOne(t);
  } finally {
    signal.removeEventListener('abort', stopPool);
    await ownPool?.close();
  }
  check();
  const current = cues as Cue[];
  stage('audio', 'done', 1, `${toRender.length} rendered, ${layouts.length - toRender.length} unchanged, at ${r.settings.loudnessLufs} LUFS`);

  let mixName: string | null = null;
  if (r.mix) {
    stage('mix', 'start', 0, 'mixing the soundtrack');
    const fileOf = (c: Cue) => (toRender.some((t) => t.file === c.file) ? join(r.staging, c.file) : join(r.outDir, c.file));
    mixName = 'soundtrack.wav';
    await writeMixdown(current.map((cue) => ({ cue, path: fileOf(cue) })), r.durationSamples, r.settings.truePeakDbtp - 0.2, join(r.staging, mixName), signal, (f) => stage('mix', 'progress', f, 'mixing the soundtrack'));
    stage('mix', 'done', 1, mixName);
    check();
  }
  const videoName = r.source && mixName ? r.videoName : null;
  if (r.source && mixName && videoName) {
    stage('outputs', 'start', 0, 'muxing the video');
    await mux({ video: r.source.path, audio: join(r.staging, mixName), out: join(r.staging, videoName), keepOriginalAudio: r.keepOriginalAudio, hasOriginalAudio: r.source.hasAudio, originalGainDb: -3 }, signal);
  }
  const takes = [...previousTakes, ...newTakes.sort((a, b) => a.cue.localeCompare(b.cue))];
  const plan = Plan.parse({
    schema: 'segue.plan', version: PLAN_VERSION, generator: { name: 'segue', version: VERSION }, sampleRate: SAMPLE_RATE,
    source: r.source, durationSamples: r.durationSamples, settings: r.settings, anchor: r.anchor,
    scenes: r.scenes, transitions: r.transitions, cues: current, takes,
    outputs: { mix: mixName, video: videoName, keepOriginalAudio: r.keepOriginalAudio },
  });
  writeFileSync(join(r.staging, 'plan.json'), JSON.stringify(plan, null, 2) + '\n');
  check();
  return { plan, files: [...toRender.map((t) => t.file), ...written, ...(mixName ? [mixName] : []), ...(videoName ? [videoName] : []), 'plan.json'], rendered: toRender.map((t) => t.layout.id) };
}

/** A neural scene cue whose music played too far from the planned tempo was placed on a grid refitted to it (render-neural.ts): the plan says so. */
function heardGrid(layout: CueLayout, wavPath: string): { grid?: CueLayout['grid'] } {
  const grid = layout.job.neural ? readNeuralCodes(wavPath)?.grid : undefined;
  return grid ? { grid } : {};
}

/** A take's MIDI file and stems are named after its WAV: cues/x-take-n.mid, cues/stems/x-take-n.<group>.wav. */
function companions(file: string, job: CueLayout['job']): { file: string; midiFile: string | null; stems: Record<string, string> | null } {
  if (job.neural) return { file, midiFile: null, stems: null }; // a neural cue has no notes and no separate instruments
  const stems = job.stems ? Object.fromEntries(stemGroupsOf(composeJob(job)).map((g) => [g, file.replace(/^cues\//, 'cues/stems/').replace(/\.wav$/, `.${g}.wav`)])) : null;
  return { file, midiFile: file.replace(/\.wav$/, '.mid'), stems };
}
