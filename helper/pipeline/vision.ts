import type { ProgressEvent, Scene, SourceMedia } from '../../shared/index.ts';
import { sceneEmbedding, tagPrompts, zeroShotTags, type SceneTag } from '../core/vision.ts';
import { grabFrame, type FrameFit } from '../adapters/ffmpeg.ts';
import { openVisionModel, type VisionModel } from '../adapters/onnx.ts';
import { InterruptedError } from '../errors.ts';

/**
 * `--vision DIR`: zero-shot tags per scene from a CLIP or SigLIP model. Three frames per scene (at
 * a fifth, a half and four fifths of it) are embedded and averaged, then compared with the tag
 * prompts. Optional by design: whatever fails (no folder, a file that is not a model, a model that
 * errors) leaves every scene untagged and says so in one warning; the analysis goes on without it.
 */

export const FRAME_POSITIONS = [0.2, 0.5, 0.8] as const;

type Emit = (e: ProgressEvent) => void;

/** A scene's pictures for the model: RGB24 frames of size x size, fitted as it wants. */
export type SceneFrames = (scene: Scene, size: number, fit: FrameFit) => Promise<Uint8Array[]>;

/** Three frames of each scene of a video file. */
export function videoFrames(src: SourceMedia, signal: AbortSignal): SceneFrames {
  return async (s, size, fit) => {
    const frames: Uint8Array[] = [];
    for (const at of FRAME_POSITIONS) {
      const f = await grabFrame(src.path, s.start + at * (s.end - s.start), size, fit, signal);
      if (f) frames.push(f);
    }
    return frames;
  };
}

export async function sceneTags(framesOf: SceneFrames, scenes: readonly Scene[], dir: string, emit: Emit, signal: AbortSignal): Promise<SceneTag[][] | null> {
  let model: VisionModel | null = null;
  try {
    model = await openVisionModel(dir);
    const texts = await model.embedTexts(tagPrompts());
    const out: SceneTag[][] = [];
    for (const [k, s] of scenes.entries()) {
      emit({ type: 'stage', stage: 'analysis', status: 'progress', fraction: k / scenes.length, message: `vision: scene ${k + 1}` });
      const frames = await framesOf(s, model.size, model.fit);
      out.push(frames.length ? zeroShotTags(sceneEmbedding(await model.embedImages(frames)), texts) : []);
    }
    return out;
  } catch (e) {
    if (signal.aborted || e instanceof InterruptedError) throw new InterruptedError();
    emit({ type: 'warning', message: `vision model not used (${(e as Error).message}); scenes are described from their pixels alone` });
    return null;
  } finally {
    await model?.close();
  }
}
