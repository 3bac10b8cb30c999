import type { TimelineClip } from '../core/cuts.ts';
import { clock, type Clock } from '../core/time.ts';
import type { Ppro, PProject, PSequence, PTrackItem } from './api.ts';
import { PremiereError } from './transaction.ts';

/** The active sequence as the panel needs it: exact times (ticks), its clips and its tracks. */
export interface SequenceRead {
  project: PProject;
  sequence: PSequence;
  clock: Clock;
  name: string;
  guid: string;
  frameRate: number;
  end: bigint;
  clips: TimelineClip[];
  audioTracks: number;
}

export async function activeSequence(ppro: Ppro): Promise<{ project: PProject; sequence: PSequence }> {
  const project = await ppro.Project.getActiveProject();
  if (!project) throw new PremiereError('No project is open in Premiere Pro: open one and select a sequence');
  const sequence = await project.getActiveSequence();
  if (!sequence) throw new PremiereError('No sequence is active: open the sequence to score in the Timeline panel');
  return { project, sequence };
}

export async function readSequence(ppro: Ppro): Promise<SequenceRead> {
  const { project, sequence } = await activeSequence(ppro);
  const c = clock(ppro.TickTime.TIME_ONE_SECOND.ticks);
  const end = BigInt((await sequence.getEndTime()).ticks);
  const clips: TimelineClip[] = [];
  const videoTracks = await sequence.getVideoTrackCount();
  for (let t = 0; t < videoTracks; t++) {
    const track = await sequence.getVideoTrack(t);
    // A hidden (eye off) track shows nothing; its clips make no cuts.
    if (await track.isMuted()) continue;
    for (const item of track.getTrackItems(ppro.Constants.TrackItemType.CLIP, false)) clips.push(await readClip(ppro, item, t));
  }
  return {
    project, sequence, clock: c, name: sequence.name, guid: sequence.guid.toString(),
    frameRate: await frameRate(sequence, c), end, clips, audioTracks: await sequence.getAudioTrackCount(),
  };
}

/** A track item's timeline and source times, in ticks. */
export async function itemTimes(item: PTrackItem): Promise<{ start: bigint; end: bigint; inPoint: bigint; outPoint: bigint }> {
  const [start, end, inPoint, outPoint] = await Promise.all([item.getStartTime(), item.getEndTime(), item.getInPoint(), item.getOutPoint()]);
  return { start: BigInt(start.ticks), end: BigInt(end.ticks), inPoint: BigInt(inPoint.ticks), outPoint: BigInt(outPoint.ticks) };
}

async function readClip(ppro: Ppro, item: PTrackItem, track: number): Promise<TimelineClip> {
  const [times, disabled, name, path] = await Promise.all([itemTimes(item), item.isDisabled(), item.getName(), mediaPath(ppro, item)]);
  return { track, ...times, disabled, name, path };
}

/** The clip's media file, or null for titles, graphics, nested sequences and offline media. */
export async function mediaPath(ppro: Ppro, item: PTrackItem): Promise<string | null> {
  const clip = ppro.ClipProjectItem.cast(await item.getProjectItem());
  if (!clip || (await clip.isSequence()) || (await clip.isOffline())) return null;
  const path = await clip.getMediaFilePath();
  return path ? path : null;
}

/** Frames per second: SequenceSettings.getVideoFrameRate (26.2+), else the timebase (ticks per frame). */
async function frameRate(sequence: PSequence, c: Clock): Promise<number> {
  const settings = await sequence.getSettings();
  const fps = settings.getVideoFrameRate?.().value;
  if (fps && fps > 0) return fps;
  const perFrame = Number(await sequence.getTimebase());
  if (perFrame > 0) return Number(c.ticksPerSecond) / perFrame;
  throw new PremiereError(`the sequence "${sequence.name}" reports no frame rate`);
}
