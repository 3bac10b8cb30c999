import type { TestScene } from '../helper/adapters/ffmpeg.ts';

/**
 * The demo sequence: six scenes, about 90 s, that differ in colour, brightness and motion, with hard
 * cuts at known times (15, 31, 44, 58, 74 s).
 */
export const DEMO_SCENES: TestScene[] = [
  { seconds: 15, source: 'color=c=0x0a1a40' }, // dark, cool, still: night
  { seconds: 16, source: 'mandelbrot' }, // colourful, slow zoom: wonder
  { seconds: 13, source: 'life=mold=10:ratio=0.5:life_color=#ff6a00:death_color=#200800' }, // fast, warm, busy
  { seconds: 14, source: 'color=c=0xf0c060' }, // bright, warm, still: morning
  { seconds: 16, source: 'testsrc2' }, // saturated, moving, busy
  { seconds: 16, source: 'color=c=0x303038' }, // grey, dark, still: the end
];
export const DEMO_CUTS = [15, 31, 44, 58, 74];
