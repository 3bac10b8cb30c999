import { SAMPLE_RATE } from '../../shared/index.ts';
import type { Composition } from './compose/types.ts';
import { beatToSample, type RenderMap } from './layout.ts';

/**
 * A cue's notes as a Standard MIDI File (format 1), so a musician can take the cue over in any
 * DAW. Tick 0 is the start of the WAV file (the head handle included), so the MIDI lines up with
 * the audio when both are placed at the same point. The tempo map reproduces the render's beat
 * map: one tempo for a scene cue, one tempo per beat across a bridge's ramp. Pure.
 */

export const PPQ = 960;

function vlq(n: number): number[] {
  const out = [n & 0x7f];
  while ((n >>= 7) > 0) out.unshift((n & 0x7f) | 0x80);
  return out;
}

const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0) & 0x7f);

interface Ev {
  tick: number;
  /** Sort key at equal ticks: meta and setup first, then note-offs, then note-ons. */
  order: number;
  bytes: number[];
}

function track(events: Ev[]): number[] {
  events.sort((a, b) => a.tick - b.tick || a.order - b.order);
  const body: number[] = [];
  let last = 0;
  for (const e of events) {
    body.push(...vlq(e.tick - last), ...e.bytes);
    last = e.tick;
  }
  body.push(0, 0xff, 0x2f, 0); // end of track
  return [...ascii('MTrk'), ...u32(body.length), ...body];
}

const tempoEvent = (tick: number, samplesPerBeat: number): Ev => {
  const us = Math.max(1, Math.min(0xffffff, Math.round((samplesPerBeat / SAMPLE_RATE) * 1e6)));
  return { tick, order: 0, bytes: [0xff, 0x51, 3, (us >> 16) & 255, (us >> 8) & 255, us & 255] };
};

export function compositionToMidi(comp: Composition, map: RenderMap, title: string): Uint8Array {
  const head = comp.headBeats;
  const tickOf = (beat: number) => Math.max(0, Math.round((beat + head) * PPQ));
  // Conductor: the file's first beat sits at file sample originSample - head * samplesPerBeat = 0.
  const conductor: Ev[] = [
    { tick: 0, order: 0, bytes: [0xff, 0x03, ...vlq(title.length), ...ascii(title)] },
    { tick: 0, order: 0, bytes: [0xff, 0x58, 4, 4, 2, 24, 8] },
    tempoEvent(0, map.samplesPerBeat),
  ];
  if (map.beatPositions) {
    const n = map.beatPositions.length - 1;
    for (let b = 0; b < n; b++) conductor.push(tempoEvent(tickOf(b), beatToSample(map, b + 1) - beatToSample(map, b)));
    conductor.push(tempoEvent(tickOf(n), map.tailSamplesPerBeat));
  }
  const tracks = [track(conductor)];
  for (const c of comp.channels) {
    const ch = c.ch & 15;
    const evs: Ev[] = [
      { tick: 0, order: 0, bytes: [0xff, 0x03, ...vlq(c.name.length), ...ascii(c.name)] },
      ...(c.drums ? [] : [{ tick: 0, order: 1, bytes: [0xc0 | ch, c.program & 0x7f] }]),
      ...[[7, c.volume], [10, c.pan], [91, c.reverb], [93, c.chorus]].map(([cc, v]) => ({ tick: 0, order: 1, bytes: [0xb0 | ch, cc!, Math.max(0, Math.min(127, v!))] })),
    ];
    for (const n of comp.notes) {
      if (n.ch !== c.ch) continue;
      const on = tickOf(n.beat);
      const off = Math.max(on + 1, tickOf(n.beat + n.dur));
      evs.push({ tick: on, order: 3, bytes: [0x90 | ch, n.key & 0x7f, Math.max(1, Math.min(127, n.vel))] });
      evs.push({ tick: off, order: 2, bytes: [0x80 | ch, n.key & 0x7f, 0] });
    }
    tracks.push(track(evs));
  }
  const header = [...ascii('MThd'), ...u32(6), 0, 1, (tracks.length >> 8) & 255, tracks.length & 255, (PPQ >> 8) & 255, PPQ & 255];
  return Uint8Array.from([...header, ...tracks.flat()]);
}
