/**
 * Units used across every boundary. Times on the wire are seconds (numbers); audio positions are
 * integer sample indices at SAMPLE_RATE, so that cue placement is exact to the sample. The aliases
 * carry no runtime cost; they make signatures say which unit they mean.
 */

/** A time in seconds (may be fractional). */
export type Seconds = number;
/** An integer count or index of audio samples at SAMPLE_RATE. */
export type Samples = number;
/** A time in musical beats (quarter notes), fractional allowed. */
export type Beats = number;
/** Loudness in LUFS (ITU-R BS.1770). */
export type Lufs = number;
/** A level in decibels relative to full scale (true peak: dBTP). */
export type Decibels = number;

/** Every file Segue writes and every timeline position it reports uses this rate. */
export const SAMPLE_RATE = 48_000;

/** Nearest sample to a time. Cut times from a 24/25/30 fps timeline land exactly on samples. */
export function toSamples(t: Seconds): Samples {
  return Math.round(t * SAMPLE_RATE);
}

export function toSeconds(n: Samples): Seconds {
  return n / SAMPLE_RATE;
}

export function dbToGain(db: Decibels): number {
  return Math.pow(10, db / 20);
}

export function gainToDb(g: number): Decibels {
  return 20 * Math.log10(Math.max(g, 1e-12));
}
