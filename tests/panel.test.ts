import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffCuts, visibleCuts, type TimelineClip } from '../plugin/core/cuts.ts';
import { editorChanges, placements, type PlacementRecord } from '../plugin/core/layout.ts';
import { clock, secondsOf, samplesToTicks } from '../plugin/core/time.ts';
import { FakeItem, FakePremiere, FakeSequence, FakeTrack, TICKS_PER_SECOND } from '../plugin/fake/premierepro.ts';
import { MemoryFs } from '../plugin/fake/uxp.ts';
import { transact, PremiereError } from '../plugin/premiere/transaction.ts';
import { manifestProblems } from '../scripts/uxp-manifest.ts';
import { readFileSync } from 'node:fs';
import type { Plan } from '../shared/index.ts';

/** The panel's pure logic and the fake Premiere's rules, without a browser. */

const S = TICKS_PER_SECOND;
const sec = (s: number) => BigInt(Math.round(s * 1000)) * (S / 1000n);
const clip = (track: number, a: number, b: number, path: string | null, o: Partial<TimelineClip> = {}): TimelineClip => ({
  track, start: sec(a), end: sec(b), inPoint: sec(o.inPoint !== undefined ? Number(o.inPoint) : a + 100), outPoint: 0n, disabled: false, path, name: path ?? 'title', ...o,
});
const seconds = (ts: bigint[]) => ts.map((t) => Number(t) / Number(S));

describe('cut reading (where the visible picture changes)', () => {
  it('a title over a shot is not a cut unless asked; a shot on V2 is', () => {
    const clips = [clip(0, 0, 10, '/a.mov'), clip(0, 10, 20, '/b.mov'), clip(1, 3, 6, null)];
    assert.deepEqual(seconds(visibleCuts(clips, sec(20))), [10]);
    assert.deepEqual(seconds(visibleCuts(clips, sec(20), { titlesAreCuts: true })), [3, 6, 10]);
    const inset = [...clips, clip(1, 12, 15, '/c.mov')];
    assert.deepEqual(seconds(visibleCuts(inset, sec(20))), [10, 12, 15]);
  });

  it('disabled clips, hidden pictures under a covering shot, gaps and through-edits', () => {
    const covered = [clip(0, 0, 20, '/a.mov'), clip(0, 5, 7, '/x.mov', { track: 0 }), clip(1, 0, 20, '/top.mov')];
    assert.deepEqual(visibleCuts(covered, sec(20)), [], 'V1 edits under a full-length V2 shot are not seen');
    assert.deepEqual(seconds(visibleCuts([clip(0, 0, 10, '/a.mov'), clip(1, 4, 6, '/b.mov', { disabled: true })], sec(10))), []);
    assert.deepEqual(seconds(visibleCuts([clip(0, 0, 10, '/a.mov'), clip(0, 12, 20, '/b.mov')], sec(20))), [10, 12], 'black between two shots is a picture too');
    const razor = [clip(0, 0, 10, '/a.mov', { inPoint: sec(100) }), clip(0, 10, 20, '/a.mov', { inPoint: sec(110) })];
    assert.deepEqual(visibleCuts(razor, sec(20)), [], 'a razor cut through continuous media is not a cut');
    const jump = [clip(0, 0, 10, '/a.mov', { inPoint: sec(100) }), clip(0, 10, 20, '/a.mov', { inPoint: sec(300) })];
    assert.deepEqual(seconds(visibleCuts(jump, sec(20))), [10], 'the same file from elsewhere is a cut');
  });

  it('keeps frame-exact times at 23.976 and 29.97 fps (ticks, not rounded seconds)', () => {
    const c = clock(String(S));
    for (const [num, den] of [[24000, 1001], [30000, 1001]] as const) {
      const perFrame = (S * BigInt(den)) / BigInt(num);
      assert.equal((S * BigInt(den)) % BigInt(num), 0n, `${num}/${den}: a frame is a whole number of ticks`);
      const frames = [0, 2397, 17982, 215784]; // up to two hours of 29.97
      const clips = frames.map((f, i) => clip(0, 0, 0, `/shot${i}.mov`, { start: BigInt(f) * perFrame, end: BigInt(frames[i + 1] ?? f + 10) * perFrame }));
      const cuts = visibleCuts(clips, BigInt(frames.at(-1)! + 10) * perFrame);
      assert.deepEqual(cuts, frames.slice(1).map((f) => BigInt(f) * perFrame));
      for (const [i, t] of cuts.entries()) {
        assert.ok(Math.abs(secondsOf(c, t) - (frames[i + 1]! * den) / num) < 1e-9, 'seconds are exact to the nanosecond');
      }
    }
  });

  it('diffs a re-read cut list against the scored one, within half a frame', () => {
    const d = diffCuts([10, 20, 30], [10.004, 25, 30], 40, 40);
    assert.deepEqual(d.added, [25]);
    assert.deepEqual(d.removed, [20]);
    assert.deepEqual(d.changedScenes, [1, 2], 'scenes 2 and 3 (0-based 1, 2) changed bounds; 1 and 4 did not');
    assert.deepEqual(diffCuts([10], [10], 40, 38).changedScenes, [1], 'a trimmed end changes the last scene');
  });
});

describe('placement layout', () => {
  const c = clock(String(S));
  const cue = (id: string, a: number, b: number) => ({ id, kind: id.startsWith('bridge') ? 'bridge' : 'scene', take: 1, file: `cues/${id}.wav`, hash: 'ab'.repeat(32), timelineIn: a, timelineOut: b, handles: { head: 100, tail: 100 } });
  const plan = (cues: ReturnType<typeof cue>[]) => ({ cues }) as unknown as Plan;

  it('overlapping cues go on separate lanes; cues that touch share one', () => {
    const p = placements(plan([cue('scene-1', 0, 1000), cue('scene-2', 900, 2000), cue('scene-3', 2000, 3000)]), c);
    assert.deepEqual(p.map((x) => [x.cue, x.lane]), [['scene-1', 0], ['scene-2', 1], ['scene-3', 0]]);
    assert.equal(p[0]!.inPoint, samplesToTicks(c, 100));
    assert.equal(p[0]!.outPoint, samplesToTicks(c, 1100), 'the body is the source in/out; the handles stay trimmable');
  });

  it('cues not being replaced keep their lanes; a replaced cue that no longer fits moves', () => {
    const before = new Map([['scene-1', 0], ['scene-2', 0]]);
    const p = placements(plan([cue('scene-1', 0, 1200), cue('scene-2', 1000, 2000)]), c, before, new Set(['scene-2']));
    assert.deepEqual(p.map((x) => [x.cue, x.lane]), [['scene-1', 1], ['scene-2', 0]]);
  });

  it('finds what the editor deleted, moved or trimmed', () => {
    const rec: PlacementRecord = {
      version: 1, helperProject: 'p', sequence: 's', firstTrack: 1, lanes: 1,
      clips: ['a', 'b', 'c', 'd'].map((k, i) => ({ cue: `scene-${i + 1}`, take: 1, path: `/m/${k}.wav`, lane: 0, start: String(i * 100), end: String(i * 100 + 100), inPoint: '10', outPoint: '110' })),
    };
    const seen = [
      { track: 1, path: '/m/a.wav', start: 0n, end: 100n, inPoint: 10n, outPoint: 110n },
      { track: 1, path: '/m/b.wav', start: 150n, end: 250n, inPoint: 10n, outPoint: 110n },
      { track: 1, path: '/M/C.wav', start: 200n, end: 260n, inPoint: 10n, outPoint: 70n },
    ];
    assert.deepEqual(editorChanges(rec, seen), [
      { cue: 'scene-2', what: 'moved' }, { cue: 'scene-3', what: 'trimmed' }, { cue: 'scene-4', what: 'deleted' },
    ]);
  });
});

describe('the fake Premiere keeps Premiere\'s rules (so the panel is held to them)', () => {
  const make = () => {
    const seq = new FakeSequence('S', sec(60), 25);
    seq.audio.push(new FakeTrack('A1'));
    const fake = new FakePremiere(seq, '/p/x.prproj', { fs: new MemoryFs(), frame: async () => new Uint8Array() });
    const item = new FakeItem('m.wav', '/m.wav', sec(10));
    fake.root.children.push(item);
    return { fake, seq, item, ppro: fake.api() };
  };

  it('refuses Actions made outside lockedAccess', async () => {
    const { ppro, item } = make();
    const editor = ppro.SequenceEditor.getEditor((await (await ppro.Project.getActiveProject())!.getActiveSequence())!);
    assert.throws(() => editor.createOverwriteItemAction(item, ppro.TickTime.createWithSeconds(1), 0, 0), /inside project.lockedAccess/);
  });

  it('a transaction is all or nothing, and one undo step', async () => {
    const { ppro, item, seq, fake } = make();
    const project = (await ppro.Project.getActiveProject())!;
    const editor = ppro.SequenceEditor.getEditor(seq);
    transact(project, 'Segue: two clips', (add) => {
      add(editor.createOverwriteItemAction(item, ppro.TickTime.createWithSeconds(0), 0, 0));
      add(editor.createInsertProjectItemAction(item, ppro.TickTime.createWithSeconds(20), 0, 1, true));
    });
    assert.equal(seq.audio.length, 2, 'an insert one past the last track makes a track');
    assert.deepEqual(fake.undoStack.map((u) => u.label), ['Segue: two clips']);
    assert.throws(
      () => transact(project, 'Segue: broken', (add) => {
        add(editor.createOverwriteItemAction(item, ppro.TickTime.createWithSeconds(30), 0, 0));
        add(editor.createOverwriteItemAction(item, ppro.TickTime.createWithSeconds(40), 0, 7));
      }),
      (e: unknown) => e instanceof PremiereError && /Segue: broken: overwrite: there is no audio track 7/.test(e.message),
    );
    assert.equal(seq.audio[0]!.clips.length, 1, 'the first overwrite of the failed transaction was rolled back');
    assert.equal(fake.undo(), 'Segue: two clips');
    assert.equal(seq.audio.length, 1);
    assert.equal(seq.audio[0]!.clips.length, 0);
  });

  it('rejects an asynchronous transaction callback', async () => {
    const { ppro, seq } = make();
    const project = (await ppro.Project.getActiveProject())!;
    assert.throws(() => transact(project, 'Segue: async', (async () => undefined) as unknown as () => void), PremiereError);
    assert.equal(seq.audio[0]!.clips.length, 0);
  });
});

describe('the packaged manifest', () => {
  it('meets the UXP manifest v5 rules, and the rules catch the known traps', () => {
    const m = JSON.parse(readFileSync(new URL('../plugin/manifest.json', import.meta.url), 'utf8'));
    assert.deepEqual(manifestProblems(m, ['index.html', 'index.js']), []);
    assert.match(manifestProblems({ ...m, host: [m.host] }, ['index.html']).join(), /host/);
    assert.match(manifestProblems({ ...m, requiredPermissions: { network: { domains: ['all'] } } }, ['index.html']).join(), /bare string/);
    assert.match(manifestProblems({ ...m, requiredPermissions: { network: { domains: ['127.0.0.1:7717'] } } }, ['index.html']).join(), /scheme/);
    assert.match(manifestProblems(m, ['index.js']).join(), /main: index.html is not in the package/);
  });
});
