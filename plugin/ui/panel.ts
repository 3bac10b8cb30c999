import type { Accepted, Job, PromptEdit, TransitionStyle } from '../../shared/index.ts';
import { HelperClient, HelperError, DEFAULT_HELPER_URL } from '../client.ts';
import { CUT_TOLERANCE_SEC, diffCuts, indexOfCut, visibleCuts } from '../core/cuts.ts';
import { PlacementRecord } from '../core/layout.ts';
import { secondsOf } from '../core/time.ts';
import type { Ppro } from '../premiere/api.ts';
import { exportStills, stillTimes } from '../premiere/frames.ts';
import { joinPath, type Host } from '../premiere/host.ts';
import { mediaFolder } from '../premiere/media.ts';
import { placePlan } from '../premiere/placement.ts';
import { readSequence, type SequenceRead } from '../premiere/sequence.ts';
import { ask } from './dialogs.ts';
import { effectiveCuts, initialState, type PanelState } from './state.ts';
import { render } from './view.ts';

/**
 * The panel's behaviour: each user action reads Premiere, calls the helper, follows its job and
 * places what changed. Every failure ends as a readable line in the panel (never a silent one), and
 * nothing already placed is lost: placement happens only after the helper's job succeeded.
 */
export class Panel {
  state: PanelState;
  private client: HelperClient;
  private read: SequenceRead | null = null;

  constructor(readonly ppro: Ppro, readonly host: Host, readonly root: HTMLElement, private readonly fetchImpl: typeof fetch = (...a) => fetch(...a)) {
    const stored = (k: string) => host.storage.getItem(`segue.${k}`);
    this.state = initialState(stored('helperUrl') ?? DEFAULT_HELPER_URL, stored('token') ?? '', stored('engine') ?? 'symbolic', stored('musicgenModel') ?? '');
    this.client = new HelperClient({ url: this.state.helperUrl, token: this.state.token }, this.fetchImpl);
  }

  update(patch: Partial<PanelState>): void {
    Object.assign(this.state, patch);
    render(this);
  }

  /** Runs one user action: busy while it runs, its error shown when it fails. */
  async act(label: string, fn: () => Promise<void>): Promise<void> {
    if (this.state.busy) return this.update({ notice: `Wait for "${this.state.busy}" to finish (or cancel it)` });
    this.update({ busy: label, error: null, notice: null });
    try {
      await fn();
    } catch (e) {
      this.update({ error: message(e) });
    } finally {
      this.update({ busy: null, job: null });
    }
  }

  async start(): Promise<void> {
    render(this);
    if (this.state.token) await this.act('Connecting', () => this.connect());
    await this.act('Reading the sequence', () => this.readCuts());
  }

  async pair(url: string, token: string): Promise<void> {
    await this.act('Pairing', async () => {
      this.update({ helperUrl: url.trim(), token: token.trim() });
      await this.connect();
      this.host.storage.setItem('segue.helperUrl', this.state.helperUrl);
      this.host.storage.setItem('segue.token', this.state.token);
      this.host.storage.setItem('segue.engine', this.state.engine);
      this.host.storage.setItem('segue.musicgenModel', this.state.musicgenModel);
      this.update({ notice: `Paired with the Segue helper ${this.state.health?.version} at ${this.state.helperUrl}`, showSettings: false });
      await this.loadProject();
    });
  }

  private async connect(): Promise<void> {
    this.client = new HelperClient({ url: this.state.helperUrl, token: this.state.token }, this.fetchImpl);
    try {
      this.update({ health: await this.client.pair() });
    } catch (e) {
      this.update({ health: null });
      if (e instanceof HelperError && e.status === 401) throw new Error('The helper refused the token: copy it again from the helper\'s window (segue serve --show-token) and pair');
      throw e;
    }
  }

  /** Flyout "Re-read cuts" and the start: the sequence's cuts now, and what changed since scoring. */
  async readCuts(): Promise<void> {
    this.read = await readSequence(this.ppro);
    const r = this.read;
    const cuts = visibleCuts(r.clips, r.end, { titlesAreCuts: this.state.titlesAreCuts }).map((t) => secondsOf(r.clock, t));
    const duration = secondsOf(r.clock, r.end);
    this.update({ sequenceName: r.name, cuts, duration });
    await this.loadProject();
    const plan = this.state.plan;
    const d = plan ? diffCuts(plan.transitions.map((t) => t.at), effectiveCuts(this.state), plan.durationSamples / plan.sampleRate, duration) : null;
    const changed = d && (d.added.length || d.removed.length || d.changedScenes.length) ? d : null;
    this.update({ recut: changed });
    if (changed) {
      this.update({ notice: `The sequence changed since it was scored: ${changed.added.length} new cut(s), ${changed.removed.length} gone, scenes ${changed.changedScenes.map((k) => k + 1).join(', ')} moved or changed. "Follow the new cut" re-scores only the scenes whose picture changed and moves the rest with their music.` });
    }
  }

  /**
   * Stills and visible clip media for the helper: stills only for `scenes` (0-based; all when null),
   * and one thumbnail per scene for the list, reusing the old one where a scene kept its bounds.
   */
  private async describe(scenes: number[] | null, oldBounds: readonly number[] = []) {
    const r = this.read!;
    const cuts = effectiveCuts(this.state);
    const bounds = [0, ...cuts, this.state.duration];
    const n = this.state.stillsPerScene;
    const wanted = scenes ?? bounds.slice(1).map((_, k) => k);
    const times = wanted.flatMap((k) => stillTimes([bounds[k]!, bounds[k + 1]!], n));
    this.update({ busy: 'Exporting stills' });
    const frames = await exportStills(this.ppro, this.host, r.sequence, times, 320, (i) => this.update({ busy: `Exporting stills ${i}/${times.length}` }));
    const thumbs: Record<number, string> = {};
    for (let k = 0; k + 1 < bounds.length; k++) {
      const i = wanted.indexOf(k);
      const f = i >= 0 ? frames[i * n + Math.floor(n / 2)] : undefined;
      const was = oldBounds.findIndex((b, j) => Math.abs(b - bounds[k]!) < CUT_TOLERANCE_SEC && Math.abs((oldBounds[j + 1] ?? -1) - bounds[k + 1]!) < CUT_TOLERANCE_SEC);
      const thumb = f ? `data:image/png;base64,${f.image}` : this.state.thumbs[was];
      if (thumb) thumbs[k] = thumb;
    }
    const sec = (t: bigint) => secondsOf(r.clock, t);
    const clips = r.clips.filter((c) => c.path && !c.disabled).map((c) => ({
      path: c.path!, track: c.track, timelineIn: sec(c.start), timelineOut: sec(c.end), sourceIn: sec(c.inPoint), sourceOut: sec(c.outPoint),
    }));
    return { sequence: { frameRate: r.frameRate, durationSec: this.state.duration, cuts, forcedCuts: this.state.addedCuts, frames, clips }, thumbs };
  }

  /** The helper project and placement record remembered for this sequence. */
  private async loadProject(): Promise<void> {
    const r = this.read;
    if (!r || !this.state.health) return;
    const id = this.host.storage.getItem(`segue.project:${r.guid}`);
    if (!id) return;
    try {
      const detail = await this.client.project(id);
      this.update({ helperProject: id, plan: detail.plan, takes: detail.plan?.takes ?? [], record: await this.loadRecord() });
    } catch (e) {
      if (e instanceof HelperError && e.status === 404) this.update({ helperProject: null, plan: null });
      else throw e;
    }
  }

  private recordPath(): string {
    return joinPath(mediaFolder(this.read!.project, this.read!.name), 'placement.json');
  }

  private async loadRecord(): Promise<PlacementRecord | null> {
    try {
      const raw = await this.host.fs.readFile(this.recordPath());
      const text = typeof raw === 'string' ? raw : new TextDecoderLite().decode(new Uint8Array(raw));
      return PlacementRecord.parse(JSON.parse(text));
    } catch {
      return null;
    }
  }

  private async saveRecord(record: PlacementRecord): Promise<void> {
    const path = this.recordPath();
    await this.host.fs.mkdir(path.replace(/\/[^/]*$/, ''), { recursive: true });
    await this.host.fs.writeFile(path, utf8(JSON.stringify(record, null, 1)));
  }

  private requirePaired(): void {
    if (!this.state.health) throw new Error('Pair with the Segue helper first (flyout menu > Pair with helper)');
  }

  private need(): { client: HelperClient; id: string } {
    this.requirePaired();
    if (!this.state.helperProject || !this.state.plan) throw new Error('Score the sequence first');
    return { client: this.client, id: this.state.helperProject };
  }

  /** Follows a helper job, feeding the progress bar; a failed or cancelled job throws. */
  private async follow(a: Accepted): Promise<Job> {
    const job = await this.client.follow(a.job.id, (j) => this.update({ job: j }));
    if (job.state === 'cancelled') throw new Error('Cancelled: nothing on the timeline was changed');
    if (job.state !== 'done') throw new Error(job.error ? `The helper could not finish: ${job.error.message}` : `The helper's job ended ${job.state}`);
    return job;
  }

  score(): Promise<void> {
    return this.act('Scoring', async () => {
      this.requirePaired();
      await this.readCuts();
      const r = this.read!;
      const { sequence, thumbs } = await this.describe(null);
      this.update({ busy: 'Analysing', thumbs });
      const created = await this.client.createProject({ name: r.name, ...sequence });
      await this.follow(created);
      this.host.storage.setItem(`segue.project:${r.guid}`, created.project);
      this.update({ busy: 'Scoring', helperProject: created.project, recut: null });
      await this.follow(await this.client.score(created.project, this.engineRequest()));
      await this.placeChanges(null, 'Segue: score sequence');
    });
  }

  /** The engine chosen in Settings, as a score request asks for it (the symbolic engine is the helper's default). */
  private engineRequest(): { engine?: string; model?: string } {
    const { engine, musicgenModel } = this.state;
    if (engine === 'symbolic') return {};
    if (engine === 'musicgen' && !musicgenModel.trim()) throw new Error('The MusicGen engine needs its model folder: open Settings and give the folder on the helper\'s machine (see the README\'s "Neural engine")');
    return { engine, ...(engine === 'musicgen' ? { model: musicgenModel.trim() } : {}) };
  }

  /** "Follow the new cut": the helper re-plans only the scenes whose picture changed; the clips that changed or moved are replaced. */
  followCut(): Promise<void> {
    return this.act('Following the new cut', async () => {
      const { client, id } = this.need();
      const old = this.state.plan!;
      await this.readCuts();
      const d = this.state.recut;
      if (!d) return this.update({ notice: 'The sequence still has the cuts it was scored with: nothing to follow' });
      const oldBounds = [0, ...old.transitions.map((t) => t.at), old.durationSamples / old.sampleRate];
      const { sequence, thumbs } = await this.describe(d.changedScenes, oldBounds);
      this.update({ busy: 'Re-planning the changed scenes', thumbs });
      const job = await this.follow(await client.recut(id, sequence));
      this.update({ recut: null });
      const fresh = job.result?.fresh ?? [];
      await this.placeChanges([...(job.result?.changed ?? []), ...(job.result?.removed ?? [])], 'Segue: follow the new cut');
      const placed = this.state.notice ?? '';
      this.update({ notice: `${fresh.length ? `Scene(s) ${fresh.join(', ')} new or changed, scored afresh` : 'No scene changed its picture'}; the others kept their music. ${placed.charAt(0).toUpperCase()}${placed.slice(1)}` });
    });
  }

  /** Fetches the plan and lays the changed cues (all when `only` is null) on the timeline. */
  private async placeChanges(only: string[] | null, undo: string): Promise<void> {
    const id = this.state.helperProject!;
    const plan = await this.client.plan(id);
    this.update({ plan, takes: plan.takes, busy: 'Placing on the timeline' });
    this.read = await readSequence(this.ppro); // track counts may have changed since
    const result = await placePlan({
      ppro: this.ppro, host: this.host, read: this.read, plan, helperProject: id, only: only ? new Set(only) : null,
      record: this.state.record?.helperProject === id || only === null ? this.state.record : null,
      fetchFile: (p) => this.client.file(id, p), confirm: (q) => ask(this.root, q), undo,
    });
    await this.saveRecord(result.record);
    const kept = result.kept.length ? `; kept your edits of ${result.kept.join(', ')}` : '';
    const what = result.placed.length || result.removed.length
      ? `placed ${result.placed.length} clip(s)${result.removed.length ? `, removed ${result.removed.length}` : ''}${kept}. Undo with Edit > Undo.`
      : `the music is the same as before, so nothing on the timeline changed${kept}.`;
    this.update({ record: result.record, notice: `${undo.replace('Segue: ', '')}: ${what}` });
  }

  private async edit(label: string, undo: string, start: (c: HelperClient, id: string) => Promise<Accepted>): Promise<void> {
    await this.act(label, async () => {
      const { client, id } = this.need();
      const job = await this.follow(await start(client, id));
      const changed = [...(job.result?.changed ?? []), ...(job.result?.removed ?? [])];
      await this.placeChanges(changed, undo);
    });
  }

  regenerate(scene: number, withPrompt: boolean): Promise<void> {
    const prompt = withPrompt ? this.promptEdit(scene) : undefined;
    return this.edit(`Regenerating scene ${scene + 1}`, `Segue: regenerate scene ${scene + 1}`, (c, id) => c.regenerate(id, scene + 1, prompt ? { prompt } : {}));
  }

  transition(cut: number, style: TransitionStyle | 'accept'): Promise<void> {
    return this.edit(`Setting cut ${cut + 1}`, `Segue: ${style === 'accept' ? 'accept' : style} at cut ${cut + 1}`, (c, id) => c.transition(id, cut + 1, { style }));
  }

  useTake(cue: string, take: number): Promise<void> {
    return this.edit(`Using take ${take} of ${cue}`, `Segue: ${cue} take ${take}`, (c, id) => c.useTake(id, cue, take));
  }

  placeAgain(): Promise<void> {
    return this.act('Placing again', async () => {
      this.need();
      await this.placeChanges(null, 'Segue: place again');
    });
  }

  async cancel(): Promise<void> {
    const job = this.state.job;
    if (job && (job.state === 'queued' || job.state === 'running')) await this.client.cancel(job.id).catch((e) => this.update({ error: message(e) }));
  }

  async goTo(scene: number): Promise<void> {
    const p = this.state.plan?.scenes[scene];
    if (!p || !this.read) return;
    await this.read.sequence.setPlayerPosition(this.ppro.TickTime.createWithSeconds(p.scene.start));
  }

  private promptEdit(scene: number): PromptEdit {
    const e = this.state.edits[scene] ?? {};
    const list = (s?: string) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : undefined);
    const out: PromptEdit = {};
    if (list(e.mood)?.length) out.mood = list(e.mood);
    if (list(e.genre)?.length) out.genre = list(e.genre);
    if (list(e.instruments)?.length) out.instruments = list(e.instruments);
    if (e.bpm && Number.isFinite(Number(e.bpm))) out.bpm = Number(e.bpm);
    return out;
  }

  addCutAtPlayhead(): Promise<void> {
    return this.act('Adding a cut', async () => {
      const r = this.read ?? (await readSequence(this.ppro));
      const t = secondsOf(r.clock, BigInt((await r.sequence.getPlayerPosition()).ticks));
      if (t <= 0 || t >= this.state.duration) throw new Error('Move the playhead inside the sequence to add a cut there');
      this.update({ addedCuts: [...this.state.addedCuts, t].sort((a, b) => a - b) });
    });
  }

  toggleCut(t: number): void {
    const added = indexOfCut(this.state.addedCuts, t);
    if (added >= 0) return this.update({ addedCuts: this.state.addedCuts.filter((_, i) => i !== added) });
    const removed = indexOfCut(this.state.removedCuts, t);
    this.update({ removedCuts: removed >= 0 ? this.state.removedCuts.filter((_, i) => i !== removed) : [...this.state.removedCuts, t] });
  }

  /** The flyout menu's items (manifest entrypoint menuItems) and what they do. */
  static readonly MENU = [
    { id: 'score', label: 'Score sequence' },
    { id: 'reread', label: 'Re-read cuts' },
    { id: 'place', label: 'Place again' },
    { id: 'settings', label: 'Settings' },
    { id: 'pair', label: 'Pair with helper' },
  ];

  invokeMenu(id: string): void {
    if (id === 'score') void this.score();
    else if (id === 'reread') void this.act('Reading the sequence', () => this.readCuts());
    else if (id === 'place') void this.placeAgain();
    else if (id === 'settings' || id === 'pair') this.update({ showSettings: true });
  }
}

function message(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** UXP documents no TextEncoder/TextDecoder; UTF-8 by hand. */
const utf8 = (s: string): Uint8Array => Uint8Array.from(unescape(encodeURIComponent(s)), (c) => c.charCodeAt(0));

class TextDecoderLite {
  decode(b: Uint8Array): string {
    return decodeURIComponent(Array.from(b, (x) => `%${x.toString(16).padStart(2, '0')}`).join(''));
  }
}
