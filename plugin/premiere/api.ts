import type {
  Action,
  AudioClipTrackItem,
  AudioTrack,
  ClipProjectItem,
  CompoundAction,
  Constants,
  FolderItem,
  FrameRate,
  Marker,
  Project,
  ProjectItem,
  Sequence,
  SequenceEditor,
  SequenceSettings,
  TickTime,
  VideoClipTrackItem,
  VideoTrack,
} from '@adobe/premierepro';

/**
 * The part of Premiere's UXP API the panel uses, and nothing more. Every member is picked from
 * `@adobe/premierepro`'s own types, so a signature that drifts in a new release fails type checking
 * in two places: where the real `require("premierepro")` module is assigned to `Ppro` (below), and
 * where the fake (plugin/fake/premierepro.ts) is. Methods returning further objects are re-declared
 * with the narrowed types so the fake need not implement the whole API.
 *
 * TickTime and FrameRate are used whole; their typings declare call and construct signatures that
 * Premiere's objects do not actually have, which only the fake has to work around (one cast).
 */

export type PTickTime = TickTime;
export type PFrameRate = FrameRate;
export type PAction = Action;

export interface PProjectItem extends Pick<ProjectItem, 'getId' | 'name' | 'type'> {}

export interface PFolderItem extends Pick<FolderItem, 'createBinAction' | 'name' | 'type'> {
  getItems(): Promise<PProjectItem[]>;
}

export interface PClipProjectItem
  extends Pick<ClipProjectItem, 'getMediaFilePath' | 'createSetInOutPointsAction' | 'isSequence' | 'isOffline' | 'name' | 'type'> {}

export interface PTrackItem
  extends Pick<VideoClipTrackItem & AudioClipTrackItem, 'getStartTime' | 'getEndTime' | 'getInPoint' | 'getOutPoint' | 'isDisabled' | 'getName' | 'getSpeed'> {
  getProjectItem(): Promise<PProjectItem>;
}

export interface PVideoTrack extends Pick<VideoTrack, 'isMuted' | 'name'> {
  getTrackItems(type: Constants.TrackItemType, includeEmpty: boolean): PTrackItem[];
}
export interface PAudioTrack extends Pick<AudioTrack, 'name'> {
  getTrackItems(type: Constants.TrackItemType, includeEmpty: boolean): PTrackItem[];
}

export interface PSequenceSettings extends Partial<Pick<SequenceSettings, 'getVideoFrameRate'>> {}

export interface PSequence
  extends Pick<Sequence, 'getVideoTrackCount' | 'getAudioTrackCount' | 'getEndTime' | 'getTimebase' | 'getFrameSize' | 'getPlayerPosition' | 'setPlayerPosition' | 'name'> {
  readonly guid: { toString(): string };
  getVideoTrack(i: number): Promise<PVideoTrack>;
  getAudioTrack(i: number): Promise<PAudioTrack>;
  getSettings(): Promise<PSequenceSettings>;
}

export interface PProject extends Pick<Project, 'lockedAccess' | 'name' | 'path'> {
  getActiveSequence(): Promise<PSequence | null>;
  getRootItem(): Promise<PFolderItem>;
  importFiles(paths: string[], suppressUI?: boolean, targetBin?: PProjectItem | null, asNumberedStills?: boolean): Promise<boolean>;
  executeTransaction(callback: (compound: Pick<CompoundAction, 'addAction' | 'empty'>) => void, undoString?: string): boolean;
}

export interface PSequenceEditor extends Pick<SequenceEditor, never> {
  createOverwriteItemAction(item: PProjectItem, time: PTickTime, videoTrackIndex: number, audioTrackIndex: number): PAction;
  createInsertProjectItemAction(item: PProjectItem, time: PTickTime, videoTrackIndex: number, audioTrackIndex: number, limitShift: boolean): PAction;
  createRemoveItemsAction(selection: PTrackItemSelection, ripple: boolean, mediaType: Constants.MediaType, shiftOverLapping?: boolean): PAction;
}

export interface PTrackItemSelection {
  addItem(item: PTrackItem, skipDuplicateCheck?: boolean): boolean;
}

export interface PMarker extends Pick<Marker, 'getName' | 'getComments' | 'getStart' | 'getType'> {}
export interface PMarkers {
  getMarkers(filters?: string[]): PMarker[];
  createAddMarkerAction(name: string, markerType?: string, startTime?: PTickTime, duration?: PTickTime, comments?: string): PAction;
  createRemoveMarkerAction(marker: PMarker): PAction;
}

/** `require("premierepro")`, narrowed to what the panel uses. */
export interface Ppro {
  Project: { getActiveProject(): Promise<PProject | null> };
  TickTime: Pick<import('@adobe/premierepro').TickTimeStatic, 'createWithTicks' | 'createWithSeconds' | 'TIME_ZERO' | 'TIME_ONE_SECOND'>;
  FrameRate: Pick<import('@adobe/premierepro').FrameRateStatic, 'createWithValue'>;
  ClipProjectItem: { cast(item: PProjectItem): PClipProjectItem | null };
  FolderItem: { cast(item: PProjectItem): PFolderItem | null };
  ProjectItem: Pick<import('@adobe/premierepro').ProjectItemStatic, 'TYPE_BIN' | 'TYPE_CLIP'> & { cast(item: PFolderItem | PClipProjectItem): PProjectItem };
  SequenceEditor: { getEditor(sequence: PSequence): PSequenceEditor };
  TrackItemSelection: { createEmptySelection(callback: (selection: PTrackItemSelection) => void): boolean };
  Markers: { getMarkers(owner: PSequence | PClipProjectItem): Promise<PMarkers> };
  Marker: Pick<import('@adobe/premierepro').MarkerStatic, 'MARKER_TYPE_COMMENT'>;
  Exporter: { exportSequenceFrame(sequence: PSequence, time: PTickTime, filename: string, filepath: string, width: number, height: number): Promise<boolean> };
  Constants: { TrackItemType: Pick<typeof Constants.TrackItemType, 'CLIP'>; MediaType: Pick<typeof Constants.MediaType, 'AUDIO' | 'VIDEO' | 'ANY'> };
}

/** The runtime module, checked against the narrowed type: this line is where a drift shows up. */
export function loadPremiere(req: (name: string) => unknown): Ppro {
  const real = req('premierepro') as import('@adobe/premierepro').premierepro;
  const narrowed: Ppro = real;
  return narrowed;
}
