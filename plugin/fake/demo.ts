import { FakePremiere, FakeItem, FakeSequence, FakeTrack, secondsTick, type FakeOptions } from './premierepro.ts';

/**
 * The demo sequence in the fake Premiere: the demo video cut into its scenes on V1 and its sound on
 * A1 (one clip per scene, each showing its part of the file), a title over part of the second scene on V2 (not a
 * cut). Used by the e2e test and `npm run preview`.
 */
export interface DemoSpec {
  video: string;
  /** Scene lengths in seconds, in the file's order. */
  scenes: number[];
  /** The order the scenes are cut into the sequence (indices into scenes); the file's order if absent. */
  order?: number[];
  fps: number;
  projectPath: string;
}

export function demoPremiere(spec: DemoSpec, o: FakeOptions): FakePremiere {
  const total = spec.scenes.reduce((a, b) => a + b, 0);
  const seq = new FakeSequence('Segue demo', secondsTick(total), spec.fps);
  const v1 = new FakeTrack('Video 1');
  const v2 = new FakeTrack('Video 2');
  const a1 = new FakeTrack('Audio 1');
  seq.video.push(v1, v2);
  seq.audio.push(a1);
  const footage = new FakeItem(spec.video.split('/').pop()!, spec.video, secondsTick(total));
  const title = new FakeItem('Title', null, secondsTick(4), 'title');
  const fake = new FakePremiere(seq, spec.projectPath, o);
  fake.root.children.push(footage, title);
  // Scenes are laid in another order than the file has them, as an editor cuts: each clip shows
  // its own part of the file, so every boundary is a real cut (same-file continuous clips would be
  // a through-edit, which is not one).
  const starts: number[] = [];
  spec.scenes.reduce((a, len) => (starts.push(a), a + len), 0);
  let t = 0;
  for (const k of spec.order ?? spec.scenes.map((_, i) => i)) {
    const len = spec.scenes[k]!;
    v1.clips.push({ item: footage, start: secondsTick(t), end: secondsTick(t + len), inPoint: secondsTick(starts[k]!), disabled: false });
    a1.clips.push({ item: footage, start: secondsTick(t), end: secondsTick(t + len), inPoint: secondsTick(starts[k]!), disabled: false });
    t += len;
  }
  const second = v1.clips[1]!.start;
  v2.clips.push({ item: title, start: second + secondsTick(1), end: second + secondsTick(3), inPoint: 0n, disabled: false });
  return fake;
}
