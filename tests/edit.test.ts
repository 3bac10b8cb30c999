import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { Plan, ProgressEvent, SAMPLE_RATE, type Cue } from '../shared/index.ts';
import { fixture, readWav, rmsDb, segue, THREE_SCENES, tmpDir } from './helpers.ts';

/**
 * The iteration commands on a real scored folder, run as the CLI, one edit after another: every
 * transition style as the listener hears it in the mix, then regeneration, takes and bad edits.
 */

const ms = (x: number) => Math.round((x / 1000) * SAMPLE_RATE);

describe('segue transition / regenerate / takes', () => {
  let out: string;
  const planOf = () => Plan.parse(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')));
  const cueOf = (p: Plan, id: string) => p.cues.find((c) => c.id === id)!;
  const bytes = (c: Cue) => readFileSync(join(out, c.file));
  const mix = () => readWav(join(out, 'soundtrack.wav')).channels[0]!;
  const cut1 = 10 * SAMPLE_RATE;

  async function edit(args: string[]): Promise<{ before: Plan; after: Plan; changed: string[] }> {
    const before = planOf();
    const r = await segue([...args, out, '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const result = r.stdout.trim().split('\n').map((l) => ProgressEvent.parse(JSON.parse(l))).find((e) => e.type === 'result');
    assert.ok(result && result.type === 'result');
    return { before, after: planOf(), changed: result.changed ?? [] };
  }

  /** Cues that do not touch cut 1 keep their file name and bytes. */
  function assertUntouched(before: Plan, after: Plan, ids: string[]): void {
    for (const id of ids) {
      const a = cueOf(before, id);
      const b = cueOf(after, id);
      assert.equal(b.file, a.file, `${id} keeps its take`);
      assert.ok(bytes(b).equals(readFileSync(join(out, a.file))), `${id} is byte-identical`);
    }
  }

  before(async () => {
    const video = await fixture('three', THREE_SCENES, { audio: 'tone' });
    out = tmpDir('edit');
    const r = await segue(['score', video, '--out', out, '--cuts', '10,20', '--soundfont', 'timgm6mb', '--seed', '3', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // Start from a known state at cut 2, so that every check below is about cut 1.
    const t = await segue(['transition', out, '--cut', '2', '--style', 'abrupt-cut']);
    assert.equal(t.code, 0, t.stderr);
  });

  it('silent gap: the outgoing cue releases into silence before the cut; nothing at cut 2 changes', async () => {
    const { before, after, changed } = await edit(['transition', '--cut', '1', '--style', 'silent-gap', '--beats', '3']);
    const t = after.transitions[0]!;
    assert.equal(t.style, 'silent-gap');
    assert.equal(t.decidedBy, 'user');
    const a = cueOf(after, 'scene-1');
    const gap = Math.round(3 * a.grid.samplesPerBeat);
    const releaseAt = cut1 - gap;
    // The notes stop three beats before the cut, ring out for half of that, then silence.
    assert.equal(a.musicEndsAt, cut1 - Math.round(gap / 2));
    const m = mix();
    assert.ok(rmsDb(m, a.musicEndsAt, cut1) < -120, `digital silence in the gap: ${rmsDb(m, a.musicEndsAt, cut1)} dB`);
    assert.ok(rmsDb(m, releaseAt - SAMPLE_RATE, releaseAt) > -45, 'music before the release');
    // Notes sounding in the release: the decay is shaped, not cut off, and no note starts in it.
    assert.ok(rmsDb(m, releaseAt, releaseAt + ms(100)) > rmsDb(m, a.musicEndsAt - ms(100), a.musicEndsAt) + 10, 'the release decays');
    assert.ok(rmsDb(m, cut1, cut1 + SAMPLE_RATE) > -45, 'music from the cut');
    assert.ok(changed.every((id) => ['scene-1', 'scene-2', 'bridge-1'].includes(id)), `changed ${changed}`);
    assertUntouched(before, after, ['scene-3']);
  });

  it('fade: both files carry the fade, equal-power when asked, overlapping around the cut', async () => {
    const { before, after } = await edit(['transition', '--cut', '1', '--style', 'fade', '--beats', '4', '--shape', 'equal-power']);
    const t = after.transitions[0]!;
    assert.equal(t.fade?.shape, 'equal-power');
    const a = cueOf(after, 'scene-1');
    const b = cueOf(after, 'scene-2');
    assert.deepEqual(a.fadeOut, t.fade);
    assert.deepEqual(b.fadeIn, t.fade);
    assert.ok(Math.abs(t.fade!.samples - 4 * (60 / after.scenes[0]!.prompt.bpm) * SAMPLE_RATE) <= 2);
    assert.equal(a.timelineOut, cut1 + t.fade!.samples / 2);
    assert.equal(b.timelineIn, cut1 - t.fade!.samples / 2);
    // In the outgoing file: music before the fade, falling through it, silence after its end.
    const x = readWav(join(out, a.file)).channels[0]!;
    const end = a.fileSamples - a.handles.tail;
    const n = t.fade!.samples;
    const q = (i: number) => rmsDb(x, end - n + (i * n) / 4, end - n + ((i + 1) * n) / 4);
    assert.ok(q(0) > q(3) + 6, `falls: ${q(0).toFixed(1)} -> ${q(3).toFixed(1)} dB`);
    assert.ok(rmsDb(x, end, x.length) < -100, 'silent after the fade');
    assert.ok(rmsDb(mix(), cut1 - ms(100), cut1 + ms(100)) > -45, 'no hole at the cut');
    assertUntouched(before, after, ['scene-3']);
  });

  it('bridge: a separate cue spans the cut; both scenes are trimmed to meet it and the music never drops out', async () => {
    const { before, after, changed } = await edit(['transition', '--cut', '1', '--style', 'bridge', '--bars', '1']);
    const t = after.transitions[0]!;
    assert.ok(t.bridge);
    assert.ok(changed.includes('bridge-1'));
    const br = cueOf(after, 'bridge-1');
    const half = t.bridge.joinSamples / 2;
    assert.equal(cueOf(after, 'scene-1').timelineOut, t.bridge.startSample + half);
    assert.equal(cueOf(after, 'scene-2').timelineIn, t.bridge.endSample - half);
    assert.equal(br.timelineIn, t.bridge.startSample - half);
    assert.equal(br.timelineOut, t.bridge.endSample + half);
    assert.ok(t.bridge.startSample < cut1 && t.bridge.endSample > cut1);
    assert.deepEqual(br.arrival?.key, after.scenes[1]!.prompt.key);
    const m = mix();
    for (let s = t.bridge.startSample - SAMPLE_RATE / 2; s < t.bridge.endSample + SAMPLE_RATE / 2; s += ms(100)) {
      assert.ok(rmsDb(m, s, s + ms(100)) > -50, `music at ${(s / SAMPLE_RATE).toFixed(2)} s`);
    }
    assertUntouched(before, after, ['scene-3']);
  });

  it('abrupt cut: A ends and B starts exactly at the cut, on B\'s downbeat, and the bridge leaves the timeline', async () => {
    const { after } = await edit(['transition', '--cut', '1', '--style', 'abrupt-cut']);
    assert.equal(after.cues.some((c) => c.id === 'bridge-1'), false);
    const a = cueOf(after, 'scene-1');
    const b = cueOf(after, 'scene-2');
    assert.equal(a.timelineOut, cut1);
    assert.equal(b.timelineIn, cut1);
    // The incoming cue strikes its first downbeat at the cut: a clear onset in its file there.
    const x = readWav(join(out, b.file)).channels[0]!;
    const h = b.handles.head;
    assert.ok(rmsDb(x, h, h + ms(30)) > rmsDb(x, h - ms(30), h) + 3, 'onset on the downbeat at the cut');
    // The bridge's earlier take is kept on disk, though it is no longer on the timeline.
    assert.ok(after.takes.some((k) => k.cue === 'bridge-1' && existsSync(join(out, k.file))));
  });

  it('regenerate: a new take of scene 2 only; scenes 1 and 3 stay byte-identical; every take stays on disk', async () => {
    const { before, after, changed } = await edit(['regenerate', '--scene', '2', '--seed', '99']);
    assert.deepEqual(changed, ['scene-2']);
    const b = cueOf(after, 'scene-2');
    assert.equal(b.seed, 99);
    assert.equal(b.take, cueOf(before, 'scene-2').take + 1);
    assert.ok(!bytes(b).equals(readFileSync(join(out, cueOf(before, 'scene-2').file))), 'new music');
    assertUntouched(before, after, ['scene-1', 'scene-3']);
    for (const t of after.takes) assert.ok(existsSync(join(out, t.file)), `${t.file} kept`);
    assert.equal(after.takes.filter((t) => t.cue === 'scene-2').length, b.take);
  });

  it('takes: lists every take and makes an earlier one current again without rendering', async () => {
    const list = await segue(['takes', out]);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /scene-2 +\*\d+ +99 +regenerate/);
    const previous = planOf().takes.filter((t) => t.cue === 'scene-2').at(-2)!;
    const { after, changed } = await edit(['takes', '--scene', '2', '--use', String(previous.take)]);
    assert.deepEqual(changed, ['scene-2']);
    assert.equal(cueOf(after, 'scene-2').file, previous.file);
    assert.equal(after.takes.length, planOf().takes.length);
  });

  it('an edited prompt changes the scene\'s music and says so in the plan', async () => {
    const file = join(out, 'prompt.json');
    writeFileSync(file, JSON.stringify({ style: 'jazz', key: { tonic: 'F', mode: 'major' }, bpm: 120 }));
    const { after } = await edit(['regenerate', '--scene', '3', '--prompt', file]);
    const p = after.scenes[2]!.prompt;
    assert.equal(p.source, 'user');
    assert.equal(p.style, 'jazz');
    assert.match(p.caption, /Key: F major, BPM: 120/);
    assert.deepEqual(cueOf(after, 'scene-3').key, { tonic: 'F', mode: 'major' });
  });

  for (const [name, args, message] of [
    ['a scene that does not exist', ['regenerate', '--scene', '9'], /there is no scene 9: this plan has scenes 1 to 3/],
    ['a cut that does not exist', ['transition', '--cut', '3', '--style', 'fade'], /there is no cut 3: this plan has cuts 1 to 2/],
    ['a style that does not exist', ['transition', '--cut', '1', '--style', 'wipe'], /--style "wipe" is not one of: abrupt-cut, silent-gap, fade, bridge/],
    ['a bridge longer than the scenes allow', ['transition', '--cut', '1', '--style', 'bridge', '--bars', '4'], /cut 1: a 8-bar bridge needs .* the plan is unchanged/],
    ['a gap longer than the scene', ['transition', '--cut', '2', '--style', 'silent-gap', '--beats', '40'], /cut 2: a 40-beat gap .* longer than half of scene 2's music/],
    ['both --style and --accept', ['transition', '--cut', '1', '--style', 'fade', '--accept'], /give either --style NAME or --accept/],
    ['a folder without a plan', ['takes', '--scene', '1', '--use', '1'], /has no plan.json/],
  ] as const) {
    it(`refuses ${name} with a clear message and leaves the plan as it was`, async () => {
      const before = readFileSync(join(out, 'plan.json'));
      const target = name === 'a folder without a plan' ? tmpDir('empty') : out;
      const r = await segue([...args, target]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.ok(readFileSync(join(out, 'plan.json')).equals(before));
    });
  }

  it('refuses a prompt with an impossible field, naming it', async () => {
    const file = join(out, 'bad-prompt.json');
    for (const [body, message] of [
      [{ bpm: 500 }, /prompt: bpm: bpm must be at most 300/],
      [{ style: 'polka' }, /style/],
      [{ tempo: 100 }, /prompt: .*tempo/],
    ] as const) {
      writeFileSync(file, JSON.stringify(body));
      const before = readFileSync(join(out, 'plan.json'));
      const r = await segue(['regenerate', out, '--scene', '1', '--prompt', file]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.ok(readFileSync(join(out, 'plan.json')).equals(before));
    }
  });

  it('two edits at once on one folder: the second waits for the first, and neither is lost', async () => {
    const before = planOf();
    const [a, b] = await Promise.all([
      segue(['regenerate', out, '--scene', '1', '--seed', '501', '--json']),
      segue(['regenerate', out, '--scene', '3', '--seed', '502', '--json']),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const after = planOf();
    assert.equal(cueOf(after, 'scene-1').seed, 501, 'the first edit is in plan.json');
    assert.equal(cueOf(after, 'scene-3').seed, 502, 'the second edit is in plan.json');
    assert.equal(cueOf(after, 'scene-1').take, cueOf(before, 'scene-1').take + 1);
    assert.equal(cueOf(after, 'scene-3').take, cueOf(before, 'scene-3').take + 1);
    assert.match(a.stdout + b.stdout, /waiting: another segue process is editing/, 'the one that waited said so');
    assert.ok(!existsSync(join(out, '.segue.lock')), 'the lock is gone afterwards');
  });
});
