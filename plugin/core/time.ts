import { SAMPLE_RATE } from '../../shared/units.ts';

/**
 * Exact timeline arithmetic. Premiere counts time in ticks (254,016,000,000 a second in every
 * release so far, but read at run time from TickTime.TIME_ONE_SECOND); its `ticks` are strings
 * because a long timeline overflows a double's exact range. Cue positions are whole samples at
 * 48 kHz, and 48 kHz divides the tick rate, so a sample position is a whole tick count: no
 * rounding anywhere between the helper's plan and the clip Premiere places.
 */
export interface Clock {
  ticksPerSecond: bigint;
}

export function clock(oneSecondTicks: string): Clock {
  const ticksPerSecond = BigInt(oneSecondTicks);
  if (ticksPerSecond <= 0n) throw new Error(`Premiere reported ${oneSecondTicks} ticks per second`);
  return { ticksPerSecond };
}

export function ticksPerSample(c: Clock): bigint {
  if (c.ticksPerSecond % BigInt(SAMPLE_RATE) !== 0n) throw new Error(`a sample is not a whole number of ticks (${c.ticksPerSecond} per second)`);
  return c.ticksPerSecond / BigInt(SAMPLE_RATE);
}

export const samplesToTicks = (c: Clock, samples: number): bigint => BigInt(samples) * ticksPerSample(c);

export function secondsOf(c: Clock, ticks: bigint): number {
  const whole = ticks / c.ticksPerSecond;
  return Number(whole) + Number(ticks - whole * c.ticksPerSecond) / Number(c.ticksPerSecond);
}

/** Ticks of a time in seconds, rounded to the nearest tick. */
export const ticksOf = (c: Clock, seconds: number): bigint => BigInt(Math.round(seconds * 1e6)) * c.ticksPerSecond / 1_000_000n;

/** Timecode-like label for the panel: m:ss.f */
export function clockLabel(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}
