import type { TickTime } from '@adobe/premierepro';
import type { PAction, Ppro, PProjectItem, PTrackItem, PTrackItemSelection } from '../premiere/api.ts';
import { ticksOf } from '../core/time.ts';
import type { MemoryFs } from './uxp.ts';

/**
 * An in-memory Premiere Pro for tests and `npm run preview`: a project with bins, one sequence
 * with video and audio tracks, clips, markers and an undo stack, answering exactly the calls the
 * panel makes (typed by plugin/premiere/api.ts, itself picked from @adobe/premierepro). It keeps
 * Premiere's documented rules so the panel is held to them: Actions only inside lockedAccess, no
 * async transaction callbacks, exportSequenceFrame doubling the extension, a new audio track only
 * when an insert names the index one past the last track. Every applied action is logged.
 */

export const TICKS_PER_SECOND = 254_016_000_000n;

class Tick {
  constructor(readonly t: bigint) {}
  get seconds() { return Number(this.t) / Number(TICKS_PER_SECOND); }
  get ticks() { return this.t.toString(); }
  get ticksNumber() { return Number(this.t); }
  equals(o: TickTime) { return o.ticks === this.ticks; }
  add(o: TickTime) { return tick(this.t + BigInt(o.ticks)); }
  subtract(o: TickTime) { return tick(this.t - BigInt(o.ticks)); }
  multiply(f: number) { return tick(BigInt(Math.round(Number(this.t) * f))); }
  divide(d: number) { return tick(BigInt(Math.round(Number(this.t) / d))); }
  alignToFrame(fr: { ticksPerFrame: number }) { const f = BigInt(fr.ticksPerFrame); return tick((this.t / f) * f); }
  alignToNearestFrame(fr: { ticksPerFrame: number }) { const f = BigInt(fr.ticksPerFrame); return tick(((this.t + f / 2n) / f) * f); }
}
/** The typings give TickTime call/construct signatures real TickTimes lack; this is the one cast. */
const tick = (t: bigint): TickTime => new Tick(t) as unknown as TickTime;
const tickValue = (t: TickTime) => BigInt(t.ticks);
export const secondsTick = (s: number): bigint => ticksOf({ ticksPerSecond: TICKS_PER_SECOND }, s);

let nextId = 1;
export class FakeItem {
  readonly id = `item-${nextId++}`;
  readonly type: number;
  inPoint = 0n;
  outPoint: bigint;
  constructor(public name: string, readonly path: string | null, readonly duration: bigint, readonly kind: 'clip' | 'title' | 'bin' = 'clip', readonly children: FakeItem[] = []) {
    this.type = kind === 'bin' ? 2 : 1;
    this.outPoint = duration;
  }
  getId() { return this.id; }
  async getMediaFilePath() { return this.path ?? ''; }
  async isSequence() { return false; }
  async isOffline() { return false; }
  async getItems(): Promise<PProjectItem[]> { return [...this.children]; }
}

export interface FakeClip {
  item: FakeItem;
  start: bigint;
  end: bigint;
  inPoint: bigint;
  disabled: boolean;
}

class TrackItemView {
  constructor(readonly clip: FakeClip) {}
  async getStartTime() { return tick(this.clip.start); }
  async getEndTime() { return tick(this.clip.end); }
  async getInPoint() { return tick(this.clip.inPoint); }
  async getOutPoint() { return tick(this.clip.inPoint + this.clip.end - this.clip.start); }
  async isDisabled() { return this.clip.disabled; }
  async getName() { return this.clip.item.name; }
  async getSpeed() { return 1; }
  async getProjectItem(): Promise<PProjectItem> { return this.clip.item; }
}

export class FakeTrack {
  clips: FakeClip[] = [];
  muted = false;
  constructor(readonly name: string) {}
  async isMuted() { return this.muted; }
  getTrackItems(): PTrackItem[] { return [...this.clips].sort((a, b) => (a.start < b.start ? -1 : 1)).map((c) => new TrackItemView(c)); }
}

export interface FakeMarkerData { name: string; comments: string; start: bigint; type: string }
export interface LogEntry { undo: string; action: string; detail: Record<string, string | number | null> }

type Act = PAction & { apply(): void; describe: LogEntry['detail']; kind: string };

export class FakeSequence {
  readonly video: FakeTrack[] = [];
  readonly audio: FakeTrack[] = [];
  markers: FakeMarkerData[] = [];
  playhead = 0n;
  readonly guid = { toString: () => 'seq-guid-1' };
  constructor(readonly name: string, public end: bigint, readonly fps: number, readonly size = { width: 1920, height: 1080 }) {}
  async getVideoTrackCount() { return this.video.length; }
  async getAudioTrackCount() { return this.audio.length; }
  async getVideoTrack(i: number) { return this.track(this.video, i, 'video'); }
  async getAudioTrack(i: number) { return this.track(this.audio, i, 'audio'); }
  private track(list: FakeTrack[], i: number, kind: string) {
    const t = list[i];
    if (!t) throw new Error(`there is no ${kind} track ${i}`);
    return t;
  }
  async getEndTime() { return tick(this.end); }
  async getTimebase() { return String(Math.round(Number(TICKS_PER_SECOND) / this.fps)); }
  async getFrameSize() { return { ...this.size, x: 0, y: 0 } as unknown as Awaited<ReturnType<import('@adobe/premierepro').Sequence['getFrameSize']>>; }
  async getSettings() { return { getVideoFrameRate: () => ({ value: this.fps, ticksPerFrame: Math.round(Number(TICKS_PER_SECOND) / this.fps) }) as unknown as import('@adobe/premierepro').FrameRate }; }
  async getPlayerPosition() { return tick(this.playhead); }
  async setPlayerPosition(t?: TickTime) { this.playhead = t ? tickValue(t) : 0n; return true; }
}

export interface FakeOptions {
  /** Bytes of a PNG still of a media file at a source time (what the sequence shows is worked out here). */
  frame(path: string, sourceSeconds: number, width: number, height: number): Promise<Uint8Array>;
  fs: MemoryFs;
}

export class FakePremiere {
  readonly root = new FakeItem('Root', null, 0n, 'bin');
  readonly undoStack: { label: string; restore: () => void }[] = [];
  readonly log: LogEntry[] = [];
  private locked = 0;
  private inTransaction: string | null = null;

  constructor(readonly sequence: FakeSequence, readonly projectPath: string, private readonly o: FakeOptions) {}

  /** Undo the last transaction, as Edit > Undo would. */
  undo(): string | null {
    const last = this.undoStack.pop();
    last?.restore();
    return last?.label ?? null;
  }

  private snapshot(): () => void {
    const s = this.sequence;
    const tracks = [...s.video, ...s.audio].map((t) => [t, t.clips.map((c) => ({ ...c }))] as const);
    const trackLists = [[...s.video], [...s.audio]] as const;
    const markers = s.markers.map((m) => ({ ...m }));
    const bins: [FakeItem, FakeItem[]][] = [];
    const walk = (b: FakeItem) => { bins.push([b, [...b.children]]); b.children.filter((c) => c.kind === 'bin').forEach(walk); };
    walk(this.root);
    const points = allItems(this.root).map((i) => [i, i.inPoint, i.outPoint] as const);
    return () => {
      for (const [t, clips] of tracks) t.clips = clips;
      s.video.splice(0, s.video.length, ...trackLists[0]);
      s.audio.splice(0, s.audio.length, ...trackLists[1]);
      s.markers = markers;
      for (const [b, children] of bins) b.children.splice(0, b.children.length, ...children);
      for (const [i, a, b] of points) { i.inPoint = a; i.outPoint = b; }
    };
  }

  private action(kind: string, describe: LogEntry['detail'], apply: () => void): PAction {
    if (this.locked === 0) throw new Error(`${kind}: Actions must be created inside project.lockedAccess (Premiere 26.3+)`);
    const a: Act = { kind, describe, apply };
    return a;
  }

  private async importFiles(paths: string[], _suppress?: boolean, bin?: PProjectItem | null): Promise<boolean> {
    if (bin === undefined) throw new Error('Illegal Parameter type');
    const target = (bin as FakeItem | null) ?? this.root;
    for (const path of paths) {
      const samples = wavFrames(await this.o.fs.readFile(path));
      const item = new FakeItem(path.split('/').pop()!, path, (BigInt(samples) * TICKS_PER_SECOND) / 48_000n);
      target.children.push(item);
      this.log.push({ undo: '(import)', action: 'import', detail: { path, bin: target.name } });
    }
    return true;
  }

  /** `require("premierepro")` of the fake. */
  api(): Ppro {
    const self = this;
    const seq = this.sequence;
    const project = {
      name: 'Demo', path: this.projectPath,
      getActiveSequence: async () => seq,
      getRootItem: async () => binView(self, self.root),
      importFiles: (p: string[], s?: boolean, b?: PProjectItem | null) => self.importFiles(p, s, b),
      lockedAccess(cb: () => void) {
        self.locked++;
        try { cb(); } finally { self.locked--; }
      },
      executeTransaction(cb: (c: { addAction(a: PAction): boolean; readonly empty: boolean }) => void, undo = 'Edit'): boolean {
        if (self.inTransaction) throw new Error('transactions do not nest');
        const actions: Act[] = [];
        const restore = self.snapshot();
        self.inTransaction = undo;
        try {
          const r: unknown = cb({ addAction: (a) => (actions.push(a as Act), true), get empty() { return actions.length === 0; } });
          if (r instanceof Promise) throw new Error('executeTransaction callbacks must not be async');
          for (const a of actions) {
            a.apply();
            self.log.push({ undo, action: a.kind, detail: a.describe });
          }
        } catch (e) {
          restore();
          throw e;
        } finally {
          self.inTransaction = null;
        }
        if (actions.length) self.undoStack.push({ label: undo, restore });
        return true;
      },
    };
    const editor = {
      createOverwriteItemAction: (item: PProjectItem, time: TickTime, _v: number, a: number) => {
        const it = item as FakeItem;
        return self.action('overwrite', { item: it.name, track: a, start: time.ticks }, () => {
          const track = seq.audio[a];
          if (!track) throw new Error(`overwrite: there is no audio track ${a} (an overwrite does not make tracks)`);
          overwrite(track, { item: it, start: tickValue(time), end: tickValue(time) + it.outPoint - it.inPoint, inPoint: it.inPoint, disabled: false });
        });
      },
      createInsertProjectItemAction: (item: PProjectItem, time: TickTime, _v: number, a: number, limitShift: boolean) => {
        const it = item as FakeItem;
        return self.action('insert', { item: it.name, track: a, start: time.ticks }, () => {
          if (a > seq.audio.length) throw new Error(`insert: audio track ${a} is more than one past the last (${seq.audio.length - 1})`);
          if (a === seq.audio.length) seq.audio.push(new FakeTrack(`Audio ${a + 1}`));
          const len = it.outPoint - it.inPoint;
          const at = tickValue(time);
          const shifted = limitShift ? [seq.audio[a]!] : seq.audio;
          for (const t of shifted) for (const c of t.clips) if (c.start >= at) { c.start += len; c.end += len; }
          overwrite(seq.audio[a]!, { item: it, start: at, end: at + len, inPoint: it.inPoint, disabled: false });
        });
      },
      createRemoveItemsAction: (sel: PTrackItemSelection, _ripple: boolean) => {
        const clips = (sel as FakeSelection).clips;
        return self.action('remove', { count: clips.length }, () => {
          for (const t of [...seq.audio, ...seq.video]) t.clips = t.clips.filter((c) => !clips.includes(c));
        });
      },
    };
    const markers = {
      getMarkers: () => seq.markers.map((m) => ({ getName: () => m.name, getComments: () => m.comments, getStart: () => tick(m.start), getType: () => m.type, data: m })),
      createAddMarkerAction: (name: string, type = 'Comment', start?: TickTime, _d?: TickTime, comments = '') =>
        self.action('marker', { name, start: start?.ticks ?? '0' }, () => void seq.markers.push({ name, comments, start: start ? tickValue(start) : 0n, type })),
      createRemoveMarkerAction: (m: { data?: FakeMarkerData } & object) =>
        self.action('remove-marker', { name: m.data?.name ?? '' }, () => void (seq.markers = seq.markers.filter((x) => x !== m.data))),
    };
    const api: Ppro = {
      Project: { getActiveProject: async () => project },
      TickTime: {
        createWithTicks: (t: string) => tick(BigInt(t)),
        createWithSeconds: (s: number) => tick(secondsTick(s)),
        TIME_ZERO: tick(0n),
        TIME_ONE_SECOND: tick(TICKS_PER_SECOND),
      },
      FrameRate: { createWithValue: (v: number) => ({ value: v, ticksPerFrame: Math.round(Number(TICKS_PER_SECOND) / v) }) as unknown as import('@adobe/premierepro').FrameRate },
      ClipProjectItem: { cast: (i) => ((i as FakeItem).kind === 'clip' ? clipView(self, i as FakeItem) : null) },
      FolderItem: { cast: (i) => ((i as FakeItem).kind === 'bin' ? binView(self, i as FakeItem) : null) },
      ProjectItem: { TYPE_BIN: 2, TYPE_CLIP: 1, cast: (i) => (i as unknown as { raw?: FakeItem }).raw ?? (i as unknown as FakeItem) },
      SequenceEditor: { getEditor: () => editor },
      TrackItemSelection: { createEmptySelection: (cb) => (cb(new FakeSelection()), true) },
      Markers: { getMarkers: async () => markers },
      Marker: { MARKER_TYPE_COMMENT: 'Comment' },
      Exporter: {
        exportSequenceFrame: async (_s, time, filename, dir, w, h) => {
          const at = tickValue(time);
          const top = [...seq.video].reverse().flatMap((t) => t.clips).find((c) => !c.disabled && c.item.path && c.start <= at && at < c.end);
          if (!top) return true; // black: Premiere writes a black frame; the fake writes none, so the panel's check is exercised
          const bytes = await self.o.frame(top.item.path!, Number(top.inPoint + at - top.start) / Number(TICKS_PER_SECOND), w, h);
          // Premiere's quirk, kept: the extension is appended to the name it is given.
          await self.o.fs.writeFile(`${dir.replace(/\/+$/, '')}/${filename}.${filename.split('.').pop()}`, bytes);
          return true;
        },
      },
      Constants: { TrackItemType: { CLIP: 1 }, MediaType: { ANY: 0, VIDEO: 2, AUDIO: 3 } } as unknown as Ppro['Constants'],
    };
    return api;
  }
}

class FakeSelection {
  readonly clips: FakeClip[] = [];
  addItem(item: PTrackItem) {
    this.clips.push((item as TrackItemView).clip);
    return true;
  }
}

function clipView(fake: FakePremiere, item: FakeItem) {
  return Object.assign(Object.create(item) as FakeItem, {
    raw: item,
    createSetInOutPointsAction: (a: TickTime, b: TickTime) =>
      fake['action']('set-in-out', { item: item.name, in: a.ticks, out: b.ticks }, () => { item.inPoint = tickValue(a); item.outPoint = tickValue(b); }),
  });
}

function binView(fake: FakePremiere, bin: FakeItem) {
  return Object.assign(Object.create(bin) as FakeItem, {
    raw: bin,
    createBinAction: (name: string) => fake['action']('bin', { name }, () => void bin.children.push(new FakeItem(name, null, 0n, 'bin'))),
  });
}

function allItems(b: FakeItem): FakeItem[] {
  return b.children.flatMap((c) => (c.kind === 'bin' ? allItems(c) : [c]));
}

/** Overwrite edit: whatever lay under the new clip is trimmed, split or removed. */
function overwrite(track: FakeTrack, clip: FakeClip): void {
  const out: FakeClip[] = [];
  for (const c of track.clips) {
    if (c.end <= clip.start || c.start >= clip.end) { out.push(c); continue; }
    if (c.start < clip.start) out.push({ ...c, end: clip.start });
    if (c.end > clip.end) out.push({ ...c, inPoint: c.inPoint + (clip.end - c.start), start: clip.end });
  }
  out.push(clip);
  track.clips = out;
}

/** Sample frames of a PCM WAV: the fake reads durations the way Premiere's importer would. */
export function wavFrames(bytes: Uint8Array): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (o: number) => String.fromCharCode(...bytes.subarray(o, o + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a WAV file');
  let blockAlign = 0;
  for (let o = 12; o + 8 <= bytes.length; ) {
    const size = v.getUint32(o + 4, true);
    if (tag(o) === 'fmt ') blockAlign = v.getUint16(o + 20, true);
    if (tag(o) === 'data') return Math.floor(size / blockAlign);
    o += 8 + size + (size & 1);
  }
  throw new Error('WAV has no data chunk');
}
