import type { ArcPoint, SceneAnalysis, TransitionStyle } from '../../shared/index.ts';

/**
 * Rules-mode director: picks the transition at one cut from how much the picture and its mood
 * change, and where the cut sits in the arc. Decision table (first match wins):
 *
 * | condition                                                         | style      |
 * |-------------------------------------------------------------------|------------|
 * | arousal jumps by > 0.7, or B is the arc's peak and arousal rises  | abrupt-cut |
 * | A builds or peaks and B drops arousal by > 0.5                    | silent-gap |
 * | dialogue on both sides (speech > 0.3) and no sharp energy change   | fade       |
 * | valence and arousal both change by < 0.35                         | fade       |
 * | anything else (a change of mood or scenery that should flow)      | bridge     |
 *
 * A bridge needs room (core/bridge.ts); where the scenes are too short for one, the plan falls
 * back to a long fade and says so in the reason.
 */

export interface DirectorInput {
  a: SceneAnalysis;
  b: SceneAnalysis;
  arcA: ArcPoint;
  arcB: ArcPoint;
}

export interface Decision {
  style: TransitionStyle;
  reason: string;
  /** Fade length in beats of the outgoing scene. */
  fadeBeats: number;
  gapBeats: number;
  /** Bridge length in bars on each side of the cut. */
  bridgeBars: number;
}

export const DEFAULT_LENGTHS = { fadeBeats: 2, gapBeats: 2, bridgeBars: 2 } as const;

export function decideTransition({ a, b, arcA, arcB }: DirectorInput): Decision {
  const dA = b.arousal - a.arousal;
  const dV = b.valence - a.valence;
  if (Math.abs(dA) > 0.7 || (arcB.role === 'peak' && dA > 0.35)) {
    return { style: 'abrupt-cut', reason: `energy ${dA > 0 ? 'jumps' : 'drops'} sharply (arousal ${fmt(a.arousal)} -> ${fmt(b.arousal)}): cut the music with the picture, on the downbeat`, fadeBeats: 0, gapBeats: 0, bridgeBars: 0 };
  }
  if ((arcA.role === 'build' || arcA.role === 'peak') && dA < -0.5) {
    return { style: 'silent-gap', reason: `tension releases after the ${arcA.role} (arousal ${fmt(a.arousal)} -> ${fmt(b.arousal)}): let the music breathe out before the new scene`, fadeBeats: 0, gapBeats: 2, bridgeBars: 0 };
  }
  if ((a.speech ?? 0) > 0.3 && (b.speech ?? 0) > 0.3) {
    return { style: 'fade', reason: `dialogue runs across the cut (${Math.round((a.speech ?? 0) * 100)} % and ${Math.round((b.speech ?? 0) * 100)} % speech): a gentle crossfade keeps the music under the voices`, fadeBeats: 2, gapBeats: 0, bridgeBars: 0 };
  }
  if (Math.abs(dV) < 0.35 && Math.abs(dA) < 0.35) {
    return { style: 'fade', reason: `similar mood on both sides (valence ${fmt(dV, true)}, arousal ${fmt(dA, true)}): a gentle crossfade`, fadeBeats: 2, gapBeats: 0, bridgeBars: 0 };
  }
  return { style: 'bridge', reason: `the mood turns (valence ${fmt(dV, true)}, arousal ${fmt(dA, true)}): a bridge modulates from one scene's music into the next`, fadeBeats: 4, gapBeats: 0, bridgeBars: 2 };
}

const fmt = (x: number, signed = false) => `${signed && x >= 0 ? '+' : ''}${x.toFixed(2)}`;

/**
 * The arc over the whole sequence: tension from each scene's arousal, lightly smoothed so one
 * outlier does not become the climax; the most tense scene is the peak, scenes before it build
 * (the first sets up), scenes after it resolve.
 */
export function planArc(arousal: readonly number[]): ArcPoint[] {
  const t = arousal.map((a) => (a + 1) / 2);
  const sm = t.map((x, i) => 0.7 * x + 0.15 * (t[i - 1] ?? x) + 0.15 * (t[i + 1] ?? x));
  const peak = sm.reduce((best, x, i) => (x > sm[best]! ? i : best), 0);
  return sm.map((x, i) => ({
    tension: Math.round(Math.max(0, Math.min(1, x)) * 1000) / 1000,
    role: i === peak ? 'peak' : i < peak ? (i === 0 ? 'setup' : 'build') : 'resolve',
  }));
}
