import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Plan, SAMPLE_RATE } from '../shared/index.ts';
import { startPreview, type Preview } from '../scripts/preview.ts';
import { CACHE, tmpDir } from './helpers.ts';
import { writeTinyMusicgen } from '../scripts/tiny-musicgen.ts';
import '../plugin/fake/window.ts';

/**
 * The built panel in headless Chromium, on the fake Premiere holding the demo sequence, against
 * the real helper on a loopback port: pair, score, swap a transition, regenerate a scene through
 * the row's context menu, undo; after each step the fake timeline is checked against the helper's
 * plan to the tick. Screenshots go to test-artifacts/panel/.
 */

const CHROMIUM = process.env.SEGUE_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = new URL('../test-artifacts/panel/', import.meta.url).pathname;
const TICKS_PER_SAMPLE = 254_016_000_000n / BigInt(SAMPLE_RATE);

interface Clip { track: number; name: string; path: string | null; start: string; end: string; inPoint: string }
interface Timeline { audio: Clip[]; markers: { name: string; comments: string; start: string }[]; undo: string[]; video: number }

const timeline = (page: Page): Promise<Timeline> =>
  page.evaluate(() => {
    const f = window.segueFake.premiere;
    return {
      audio: f.sequence.audio.flatMap((t, track) => t.clips.map((c) => ({ track, name: c.item.name, path: c.item.path, start: String(c.start), end: String(c.end), inPoint: String(c.inPoint) }))),
      markers: f.sequence.markers.map((m) => ({ name: m.name, comments: m.comments, start: String(m.start) })),
      undo: f.undoStack.map((u) => u.label),
      video: f.sequence.video.reduce((n, t) => n + t.clips.length, 0),
    };
  });

/** Every cue of the plan is one clip on Segue's tracks (A2 and up) at its sample-exact place, and nothing else is there. */
function assertMatches(plan: Plan, t: Timeline): void {
  const segue = t.audio.filter((c) => c.track >= 1);
  assert.equal(segue.length, plan.cues.length, `one clip per cue: ${segue.map((c) => c.name).join(', ')}`);
  for (const cue of plan.cues) {
    const name = `${cue.id}-take${cue.take}-${cue.hash.slice(0, 8)}.wav`;
    const clip = segue.find((c) => c.name === name);
    assert.ok(clip, `${name} is on the timeline`);
    assert.equal(clip.start, String(BigInt(cue.timelineIn) * TICKS_PER_SAMPLE), `${cue.id} starts at sample ${cue.timelineIn}`);
    assert.equal(clip.end, String(BigInt(cue.timelineOut) * TICKS_PER_SAMPLE), `${cue.id} ends at sample ${cue.timelineOut}`);
    assert.equal(clip.inPoint, String(BigInt(cue.handles.head) * TICKS_PER_SAMPLE), `${cue.id} starts its file after the head handle`);
  }
  const byTrack = new Map<number, Clip[]>();
  for (const c of segue) byTrack.set(c.track, [...(byTrack.get(c.track) ?? []), c]);
  for (const clips of byTrack.values()) {
    const s = [...clips].sort((a, b) => (BigInt(a.start) < BigInt(b.start) ? -1 : 1));
    for (let i = 1; i < s.length; i++) assert.ok(BigInt(s[i - 1]!.end) <= BigInt(s[i]!.start), `${s[i - 1]!.name} and ${s[i]!.name} share a track without overlapping`);
  }
  assert.equal(t.markers.length, plan.transitions.length, 'one marker per cut');
  for (const tr of plan.transitions) {
    const m = t.markers.find((x) => x.start === String(BigInt(tr.atSample) * TICKS_PER_SAMPLE));
    assert.ok(m && m.name.startsWith('Segue: ') && m.comments.includes(tr.reason), `a marker at cut ${tr.cut + 1} with its reason`);
  }
}

const key = (c: Clip) => `${c.track}|${c.name}|${c.start}|${c.end}|${c.inPoint}`;

describe('the Premiere panel end to end (headless Chromium, fake Premiere, real helper)', { timeout: 600_000 }, () => {
  let preview: Preview;
  let browser: Browser;
  let page: Page;
  let projectId: string;
  const plan = async () => Plan.parse((await preview.helper.call('GET', `/v1/projects/${projectId}/plan`)).json);
  const idle = () => page.waitForFunction(() => !document.querySelector('.progress'), null, { timeout: 240_000 });
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, name), fullPage: true });

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), or set SEGUE_CHROMIUM`);
    mkdirSync(SHOTS, { recursive: true });
    preview = await startPreview(tmpDir('panel'), { env: { SEGUE_CACHE_DIR: CACHE } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 420, height: 900 } });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(preview.url);
  });
  after(async () => {
    await browser?.close();
    await preview?.stop();
  });

  it('refuses a wrong token with a readable message, then pairs', async () => {
    await page.waitForSelector('.helper-token');
    await page.fill('.helper-url', preview.helper.url);
    await page.fill('.helper-token', 'f'.repeat(64));
    await page.click('.pair');
    await page.waitForSelector('.message.error');
    assert.match(await page.textContent('.message.error') ?? '', /refused the token/);
    await shot('01-pairing-error.png');
    await page.fill('.helper-token', preview.helper.token);
    await page.click('.pair');
    await page.waitForSelector('.status.ok');
    assert.match(await page.textContent('.sequence') ?? '', /Segue demo/);
    // The title on V2 is not a cut: five cuts, as the demo was edited.
    assert.match(await page.textContent('.cuts summary') ?? '', /Cuts: 5 /);
  });

  it('scores the sequence: one clip per cue at sample-exact times on new tracks, markers at every cut, one undo step', async () => {
    await page.click('.score');
    await page.waitForSelector('.scene', { timeout: 240_000 });
    await idle();
    const err = await page.$('.message.error');
    assert.equal(err, null, (await err?.textContent()) ?? '');
    projectId = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('segue.project:')).map((k) => localStorage.getItem(k)!)[0]!);
    const p = await plan();
    const t = await timeline(page);
    assertMatches(p, t);
    assert.equal(await page.locator('.scene').count(), p.scenes.length);
    assert.equal(await page.locator('.transition').count(), p.transitions.length);
    assert.deepEqual(t.audio.filter((c) => c.track === 0).map((c) => c.name), Array(6).fill('segue-demo.mp4'), 'the editor\'s own A1 is untouched');
    assert.deepEqual(t.undo.filter((u) => u.startsWith('Segue: score')), ['Segue: score sequence']);
    await shot('02-scored.png');
  });

  it('swaps one transition: only the cues it changed are replaced, in one undo step', async () => {
    const before = await plan();
    const t0 = await timeline(page);
    const cut = before.transitions[0]!;
    const style = cut.style === 'fade' ? 'silent-gap' : 'fade';
    await page.selectOption('.transition[data-cut="1"] select', style);
    await page.waitForSelector('.transition[data-cut="1"] .badge.chosen', { timeout: 240_000 });
    await idle();
    const after = await plan();
    assert.equal(after.transitions[0]!.style, style);
    const t1 = await timeline(page);
    assertMatches(after, t1);
    const changed = new Set(after.cues.filter((c) => !before.cues.some((b) => b.id === c.id && b.hash === c.hash && b.take === c.take)).map((c) => c.id));
    assert.ok(changed.size >= 1 && changed.size < after.cues.length, `a swap changes some cues, not all (${[...changed].join(', ')})`);
    const kept = t0.audio.filter((c) => c.track >= 1 && ![...changed].some((id) => c.name.startsWith(`${id}-`)));
    for (const c of kept) assert.ok(t1.audio.some((x) => key(x) === key(c)), `${c.name} was left where it was`);
    assert.deepEqual(t1.undo.slice(t0.undo.length), [`Segue: ${style} at cut 1`]);
    await shot('03-swapped.png');
  });

  it('regenerates a scene from its context menu, and Undo puts the timeline back', async () => {
    const before = await plan();
    const t0 = await timeline(page);
    await page.click('.scene[data-scene="3"]', { button: 'right' });
    await page.waitForSelector('.menu');
    await shot('04-context-menu.png');
    await page.click('.menu-item:text-is("Regenerate")');
    await page.waitForFunction(() => document.querySelector('.scene[data-scene="3"] .take.current')?.textContent === '2', null, { timeout: 240_000 });
    await idle();
    const after = await plan();
    const t1 = await timeline(page);
    assertMatches(after, t1);
    assert.equal(after.cues.find((c) => c.id === 'scene-3')!.take, 2);
    const others = t0.audio.filter((c) => c.track >= 1 && !c.name.startsWith('scene-3-'));
    const movedOthers = others.filter((c) => !t1.audio.some((x) => key(x) === key(c)));
    const changedIds = after.cues.filter((c) => !before.cues.some((b) => b.id === c.id && b.hash === c.hash)).map((c) => c.id);
    assert.ok(movedOthers.every((c) => changedIds.some((id) => c.name.startsWith(`${id}-`))), `only changed cues moved: ${movedOthers.map((c) => c.name).join(', ')}`);
    assert.deepEqual(t1.undo.slice(t0.undo.length), ['Segue: regenerate scene 3']);
    await shot('05-regenerated.png');
    assert.equal(await page.evaluate(() => window.segueFake.premiere.undo()), 'Segue: regenerate scene 3');
    const t2 = await timeline(page);
    assert.deepEqual(t2.audio.map(key).sort(), t0.audio.map(key).sort(), 'undo restores the clips exactly');
  });

  it('asks before replacing a clip the editor trimmed, keeps it on "Keep mine", replaces it from the flyout\'s Place again', async () => {
    // The editor trims the tail of scene 2's clip on the timeline.
    const trimmed = await page.evaluate(() => {
      const c = window.segueFake.premiere.sequence.audio.flatMap((t) => t.clips).find((x) => x.item.name.startsWith('scene-2-'))!;
      c.end -= 254_016_000_000n;
      return { name: c.item.name, end: String(c.end) };
    });
    // A new take of scene 2 would replace it: the panel asks first.
    await page.click('.scene[data-scene="2"] .more');
    await page.click('.menu-item:text-is("Regenerate")');
    await page.waitForSelector('.dialog', { timeout: 240_000 });
    assert.match(await page.textContent('.dialog .question') ?? '', /scene-2 was trimmed/);
    await shot('06-ask-before-replacing.png');
    await page.click('.dialog .no');
    await idle();
    const t1 = await timeline(page);
    assert.ok(t1.audio.some((c) => c.name === trimmed.name && c.end === trimmed.end), 'the editor\'s trimmed clip stayed');
    assert.match(await page.textContent('.message.notice') ?? '', /kept your edits of scene-2/);
    // Place again (flyout menu) asks again; "Replace" lays the plan exactly.
    await page.click('#flyout');
    await page.click('.flyout-item[data-id="place"]');
    await page.waitForSelector('.dialog');
    await page.click('.dialog .yes');
    await idle();
    assertMatches(await plan(), await timeline(page));
  });

  it('follows a ripple trim: only the changed scene is scored afresh, later clips move with their music, one undo step', async () => {
    const before = await plan();
    const t0 = await timeline(page);
    const TWO_SECONDS = 2n * 254_016_000_000n;
    // The editor ripple-trims 2 s off the end of the second shot on V1 and A1 (Segue's tracks are not sync-locked here).
    await page.evaluate((two) => {
      const seq = window.segueFake.premiere.sequence;
      const shots = [...seq.video[0]!.clips].sort((a, b) => (a.start < b.start ? -1 : 1));
      const cut = shots[1]!.end;
      for (const t of [seq.video[0]!, seq.audio[0]!]) {
        for (const c of t.clips) {
          if (c.end === cut) c.end -= BigInt(two);
          else if (c.start >= cut) {
            c.start -= BigInt(two);
            c.end -= BigInt(two);
          }
        }
      }
      seq.end -= BigInt(two);
    }, String(TWO_SECONDS));
    await page.click('#flyout');
    await page.click('.flyout-item[data-id="reread"]');
    await page.waitForSelector('.recut');
    assert.match(await page.textContent('.message.notice') ?? '', /Follow the new cut/);
    await shot('08-recut-pending.png');
    await page.click('.recut');
    await page.waitForSelector('.recut', { state: 'detached', timeout: 240_000 });
    await idle();
    const err = await page.$('.message.error');
    assert.equal(err, null, (await err?.textContent()) ?? '');
    const after = await plan();
    const t1 = await timeline(page);
    assertMatches(after, t1);
    const shift = -2 * SAMPLE_RATE;
    assert.deepEqual(after.scenes.map((s) => s.scene.startSample), before.scenes.map((s, k) => s.scene.startSample + (k >= 2 ? shift : 0)));
    assert.match(await page.textContent('.message.notice') ?? '', /Scene\(s\) 2 new or changed/);
    // The last scenes sit beside the same neighbours: same takes, moved by exactly the trim.
    for (const id of ['scene-5', 'scene-6']) {
      const was = before.cues.find((c) => c.id === id)!;
      const now = after.cues.find((c) => c.id === id)!;
      assert.equal(now.file, was.file, `${id} kept its take`);
      assert.equal(now.timelineIn, was.timelineIn + shift, `${id} moved with its picture`);
    }
    // Cues before the trim that did not change stay exactly where they were.
    const same = after.cues.filter((c) => before.cues.some((b) => b.id === c.id && b.file === c.file && b.timelineIn === c.timelineIn && b.timelineOut === c.timelineOut));
    assert.ok(same.length >= 1, 'scene 1 at least is untouched');
    for (const c of same) assert.ok(t1.audio.filter((x) => x.name.startsWith(`${c.id}-`)).every((x) => t0.audio.some((y) => key(y) === key(x))), `${c.id}'s clip was left alone`);
    assert.deepEqual(t1.undo.slice(t0.undo.length), ['Segue: follow the new cut']);
    await shot('09-recut-followed.png');
  });

  it('scores with the neural engine chosen in Settings (the tiny MusicGen): asks for the folder first, then every cue is generated and placed', async () => {
    const model = join(tmpDir('panel-musicgen'), 'tiny');
    writeTinyMusicgen(model);
    const openSettings = async () => {
      await page.evaluate(() => window.segueFake.menu('settings'));
      await page.waitForSelector('.engine');
    };
    await openSettings();
    await page.selectOption('.engine', 'musicgen');
    await page.fill('.musicgen-model', '');
    await page.click('.pair');
    await page.waitForSelector('.status.ok');
    await idle();
    const t0 = await timeline(page);
    await page.click('.score');
    await page.waitForSelector('.message.error');
    assert.match(await page.textContent('.message.error') ?? '', /MusicGen engine needs its model folder: open Settings/);
    assert.deepEqual(await timeline(page), t0, 'nothing changed');
    await openSettings();
    assert.equal(await page.inputValue('.engine'), 'musicgen', 'the choice is kept');
    await page.fill('.musicgen-model', model);
    await shot('07-settings-neural.png');
    await page.click('.pair');
    await page.waitForSelector('.status.ok');
    await idle();
    await page.click('.score');
    await page.waitForSelector('.message.error, .scene', { timeout: 240_000 });
    await idle();
    const err = await page.$('.message.error');
    assert.equal(err, null, (await err?.textContent()) ?? '');
    projectId = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('segue.project:')).map((k) => localStorage.getItem(k)!)[0]!);
    const p = await plan();
    assert.equal(p.settings.engine, 'musicgen');
    assert.equal(p.settings.model, model);
    assert.ok(p.cues.every((c) => c.engine === 'musicgen' && c.midiFile === null));
    assertMatches(p, await timeline(page));
    assert.equal(await page.evaluate(() => localStorage.getItem('segue.engine')), 'musicgen', 'remembered for the next session');
    await shot('07-scored-neural.png');
  });

  it('says so, readably, when the helper is gone, and changes nothing', async () => {
    const t0 = await timeline(page);
    await preview.helper.stop();
    await page.click('.score');
    await page.waitForSelector('.message.error');
    assert.match(await page.textContent('.message.error') ?? '', /No Segue helper answers at http:\/\/127\.0\.0\.1:\d+ .*segue serve/);
    await shot('08-helper-gone.png');
    assert.deepEqual(await timeline(page), t0);
  });
});
