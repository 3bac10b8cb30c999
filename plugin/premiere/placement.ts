import type { Plan } from '../../shared/index.ts';
import { editorChanges, describeChanges, lanesUsed, markers, MARKER_PREFIX, placements, samePath, type ObservedClip, type Placement, type PlacementRecord } from '../core/layout.ts';
import type { Ppro, PTrackItem } from './api.ts';
import type { Host } from './host.ts';
import { cueBin, importInto, mediaFolder, saveMedia } from './media.ts';
import { itemTimes, mediaPath, type SequenceRead } from './sequence.ts';
import { transact } from './transaction.ts';

/**
 * Lays a plan's cues on Segue's audio tracks. One call is one undo entry (`undo`): the clips of the
 * cues asked for are removed and placed again, and the cut markers are rewritten. Clips of other
 * cues are not touched. Anything the editor changed on Segue's tracks since the last placement is
 * found first and the editor is asked before it is replaced.
 */

export interface PlaceRequest {
  ppro: Ppro;
  host: Host;
  read: SequenceRead;
  plan: Plan;
  helperProject: string;
  /** Bytes of a file of the helper project (plan-relative path). */
  fetchFile(path: string): Promise<Uint8Array>;
  /** Cue ids to (re)place; null places every cue. */
  only: ReadonlySet<string> | null;
  record: PlacementRecord | null;
  /** Yes/no question to the editor; false keeps what they have. */
  confirm(question: string): Promise<boolean>;
  undo: string;
}

export interface PlaceResult {
  record: PlacementRecord;
  placed: string[];
  removed: string[];
  /** Cues left as the editor had changed them (they said no). */
  kept: string[];
}

interface Seen extends ObservedClip {
  item: PTrackItem;
}

export async function placePlan(r: PlaceRequest): Promise<PlaceResult> {
  const { ppro, read, plan, record } = r;
  const c = read.clock;
  const firstTrack = record?.firstTrack ?? read.audioTracks;
  const fixed = new Set(r.only ? (record?.clips ?? []).map((p) => p.cue).filter((id) => !r.only!.has(id)) : []);
  const all = placements(plan, c, new Map(record?.clips.map((p) => [p.cue, p.lane]) ?? []), fixed);
  const lanes = Math.max(lanesUsed(all), record?.lanes ?? 0);
  const seen = await observe(ppro, read, firstTrack, lanes);

  let target = all.filter((p) => !r.only || r.only.has(p.cue));
  const gone = (record?.clips ?? []).filter((p) => !all.some((x) => x.cue === p.cue));
  const kept: string[] = [];
  if (record) {
    const touched = new Set([...target.map((p) => p.cue), ...gone.map((p) => p.cue)]);
    const changed = editorChanges(record, seen).filter((x) => touched.has(x.cue) && x.what !== 'deleted');
    if (changed.length && !(await r.confirm(`You changed Segue's clips since they were placed: ${describeChanges(changed)}. Replace them with the new music? (No keeps your versions.)`))) {
      kept.push(...changed.map((x) => x.cue));
      target = target.filter((p) => !kept.includes(p.cue));
    }
  }
  // Segue's own media (any take, also one an Edit > Undo brought back) is never "the editor's clip".
  const folder = mediaFolder(read.project, read.name);
  const inFolder = (path: string) => samePath(path.slice(0, folder.length + 1), `${folder}/`);
  const mine = (s: Seen) => inFolder(s.path) || (record?.clips.some((p) => samePath(p.path, s.path)) ?? false);
  const foreign = seen.filter((s) => !mine(s) && target.some((p) => s.track === firstTrack + p.lane && s.start < p.end && p.start < s.end));
  if (foreign.length && !(await r.confirm(`${foreign.length} clip(s) you placed on Segue's audio tracks (A${firstTrack + 1}…) are in the way. Overwrite them?`))) {
    throw new Error('Nothing was placed: move your clips off Segue\'s tracks, or choose other tracks in Settings');
  }

  if (!target.length && !gone.length) {
    // Nothing to do: no empty undo entry, no marker churn.
    return { record: record ?? { version: 1, helperProject: r.helperProject, sequence: read.guid, firstTrack, lanes, clips: [] }, placed: [], removed: [], kept };
  }
  // Files first (downloads and import cannot be part of an undoable transaction).
  const local = new Map<string, string>();
  for (const p of target) {
    local.set(p.cue, await saveMedia(r.host, folder, `${p.cue}-take${p.take}-${p.hash.slice(0, 8)}.wav`, () => r.fetchFile(p.file)));
  }
  const bin = await cueBin(ppro, read.project, read.name);
  const items = await importInto(ppro, read.project, bin, [...local.values()]);
  const editor = ppro.SequenceEditor.getEditor(read.sequence);
  const markerSet = await ppro.Markers.getMarkers(read.sequence);
  const oldMarkers = markerSet.getMarkers().filter((m) => m.getName().startsWith(`${MARKER_PREFIX}:`));
  const removeCues = new Set([...target.map((p) => p.cue), ...gone.map((p) => p.cue)]);
  const outgoing = seen.filter((s) => record?.clips.some((p) => removeCues.has(p.cue) && samePath(p.path, s.path)) || foreign.includes(s));
  const T = (ticks: bigint) => ppro.TickTime.createWithTicks(ticks.toString());

  let tracks = read.audioTracks;
  transact(read.project, r.undo, (add) => {
    if (outgoing.length) {
      let selection: Parameters<typeof editor.createRemoveItemsAction>[0] | null = null;
      ppro.TrackItemSelection.createEmptySelection((s) => {
        for (const o of outgoing) s.addItem(o.item, true);
        selection = s;
      });
      // The typings give a callback; if Premiere ever calls it later, fail loudly rather than leave old clips.
      if (!selection) throw new Error('Premiere did not hand back a track item selection, so the old clips could not be removed');
      add(editor.createRemoveItemsAction(selection, false, ppro.Constants.MediaType.AUDIO));
    }
    for (const p of [...target].sort((a, b) => (a.start < b.start ? -1 : 1))) {
      const { item, clip } = items.get(local.get(p.cue)!)!;
      add(clip.createSetInOutPointsAction(T(p.inPoint), T(p.outPoint)));
      const track = firstTrack + p.lane;
      // An audio track index past the last one makes a new track (there is no add-track API).
      if (track >= tracks) {
        add(editor.createInsertProjectItemAction(item, T(p.start), 0, track, true));
        tracks = track + 1;
      } else add(editor.createOverwriteItemAction(item, T(p.start), 0, track));
    }
    for (const m of oldMarkers) add(markerSet.createRemoveMarkerAction(m));
    for (const m of markers(plan, c)) add(markerSet.createAddMarkerAction(m.name, ppro.Marker.MARKER_TYPE_COMMENT, T(m.at), ppro.TickTime.TIME_ZERO, m.comments));
  });

  const keptClips = (record?.clips ?? []).filter((p) => !removeCues.has(p.cue) || kept.includes(p.cue));
  const placedClips = target.map((p) => clipRecord(p, local.get(p.cue)!));
  return {
    record: { version: 1, helperProject: r.helperProject, sequence: read.guid, firstTrack, lanes, clips: [...keptClips, ...placedClips].sort((a, b) => a.cue.localeCompare(b.cue)) },
    placed: target.map((p) => p.cue),
    removed: gone.map((p) => p.cue),
    kept,
  };
}

const clipRecord = (p: Placement, path: string) => ({
  cue: p.cue, take: p.take, path, lane: p.lane, start: String(p.start), end: String(p.end), inPoint: String(p.inPoint), outPoint: String(p.outPoint),
});

/** Every clip now on Segue's tracks. */
async function observe(ppro: Ppro, read: SequenceRead, firstTrack: number, lanes: number): Promise<Seen[]> {
  const seen: Seen[] = [];
  for (let t = firstTrack; t < Math.min(read.audioTracks, firstTrack + lanes); t++) {
    const track = await read.sequence.getAudioTrack(t);
    for (const item of track.getTrackItems(ppro.Constants.TrackItemType.CLIP, false)) {
      seen.push({ item, track: t, path: (await mediaPath(ppro, item)) ?? '', ...(await itemTimes(item)) });
    }
  }
  return seen;
}
