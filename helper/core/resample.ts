/**
 * Sample-rate conversion by a rational factor (MusicGen's 32 kHz to the timeline's 48 kHz is 3/2):
 * polyphase windowed-sinc (Kaiser, beta 9, 32 taps a side), cutoff just below the lower Nyquist so
 * nothing folds back. Output length is round(n * to / from), sample 0 on sample 0. Pure.
 */

const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 30; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
  }
  return sum;
}

export function resample(x: Float32Array, from: number, to: number, halfTaps = 32): Float32Array {
  if (from === to) return Float32Array.from(x);
  const g = gcd(from, to);
  const up = to / g;
  const down = from / g;
  const n = Math.round((x.length * to) / from);
  const out = new Float32Array(n);
  // In input samples: the filter's cutoff (a fraction of the input Nyquist) and its reach.
  const cutoff = 0.97 * Math.min(1, to / from);
  const reach = halfTaps / cutoff;
  const beta = 9;
  const i0b = besselI0(beta);
  // One filter per output phase, tabulated (the phase repeats every `up` outputs).
  const phases = Array.from({ length: up }, (_, p) => {
    const frac = ((p * down) % up) / up;
    const taps: number[] = [];
    for (let j = -Math.ceil(reach); j <= Math.ceil(reach); j++) {
      const t = j - frac;
      const w = Math.abs(t) >= reach ? 0 : besselI0(beta * Math.sqrt(1 - (t / reach) ** 2)) / i0b;
      taps.push(w * cutoff * (t === 0 ? 1 : Math.sin(Math.PI * cutoff * t) / (Math.PI * cutoff * t)));
    }
    return Float64Array.from(taps);
  });
  const lo = -Math.ceil(reach);
  for (let i = 0; i < n; i++) {
    const base = Math.floor((i * down) / up);
    const h = phases[i % up]!;
    let acc = 0;
    for (let j = 0; j < h.length; j++) {
      const k = base + lo + j;
      if (k >= 0 && k < x.length) acc += x[k]! * h[j]!;
    }
    out[i] = acc;
  }
  return out;
}
