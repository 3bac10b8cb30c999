import type { ArcPoint, SceneAnalysis, TransitionStyle } from '../../shared/index.ts';

/**
 * Rules-mode director: picks the transition at one cut from how much the picture and its mood
 * change, and where the cut sits in the arc. The rules are tried in DIRECTOR_RULES order and the
 * first that applies decides; the order is the precedence a music editor works by:
 *
 * | # | rule                 | when                                                          | style                 | why it ranks here |
 * |---|----------------------|---------------------------------------------------------------|-----------------------|-------------------|
 * | 1 | dialogue-across-cut  | a voice is heard within 2 s either side of the cut            | bridge if the mood turns, else fade; music ducked | the music never changes abruptly under a sentence, whatever the picture does |
 * | 2 | energy-jump          | arousal jumps by > 0.7, or B is the arc's peak and arousal rises > 0.35 | abrupt-cut  | a hard change of energy is felt as a hit: cut the music with the picture |
 * | 3 | release-after-climax | A builds or peaks with tension >= 0.5, and B drops arousal by > 0.5 | silent-gap      | tension that breaks needs a breath of silence; a calm scene that grows calmer has none to break |
 * | 4 | similar-mood         | valence and arousal both change by < 0.35                     | fade                  | nothing to mark: keep the music flowing |
 * | 5 | mood-turns           | anything else                                                 | bridge                | a change of mood or scenery the music should travel with |
 *
 * Rule 1's duck (DIALOGUE_DUCK_DB lower over the change, core/plan.ts) is kept whatever style the
 * editor later picks: it belongs to the voice, not to the transition. A bridge needs room
 * (core/bridge.ts); where the scenes are too short for one, the plan falls back to a long fade.
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
  /** Which DIRECTOR_RULES entry decided. */
  rule: string;
  /** Fade length in beats of the outgoing scene. */
  fadeBeats: number;
  gapBeats: number;
  /** Bridge length in bars on each side of the cut. */
  bridgeBars: number;
}

export const DEFAULT_LENGTHS = { fadeBeats: 2, gapBeats: 2, bridgeBars: 2 } as const;

/**
 * The tension a build or peak must hold for its end to be a release: below it (a calm film's
 * "peak" is often just its least calm scene) silence would be a hole, not a breath; the bench's
 * lvs-09 left a +30 LU jump at such a gap.
 */
export const RELEASE_MIN_TENSION = 0.5;

/** How much the music is lowered under a voice that runs across a cut, while it changes. */
export const DIALOGUE_DUCK_DB = 4;
/** Seconds either side of a cut in which a voice counts as running across it (a pause between sentences). */
export const DIALOGUE_WINDOW_SEC = 2;

/**
 * Share of speech heard within DIALOGUE_WINDOW_SEC of the cut on each side, from the per-second
 * speech curves (the most speech-filled second of each window); null without sound.
 */
export function speechAtCut(a: SceneAnalysis, b: SceneAnalysis): { before: number; after: number } | null {
  if (a.speech === null || b.speech === null) return null;
  const before = Math.max(0, ...a.curve.speech.slice(-DIALOGUE_WINDOW_SEC));
  const after = Math.max(0, ...b.curve.speech.slice(0, DIALOGUE_WINDOW_SEC));
  return { before, after };
}

export function dialogueAcross(a: SceneAnalysis, b: SceneAnalysis): boolean {
  const s = speechAtCut(a, b);
  return !!s && s.before >= 0.5 && s.after >= 0.5;
}

interface Rule {
  id: string;
  applies(x: DirectorInput): boolean;
  decide(x: DirectorInput): Omit<Decision, 'rule'>;
}

const NONE = { fadeBeats: 0, gapBeats: 0, bridgeBars: 0 };
const moodTurns = ({ a, b }: DirectorInput) => Math.abs(b.valence - a.valence) >= 0.35 || Math.abs(b.arousal - a.arousal) >= 0.35;
const change = ({ a, b }: DirectorInput) => `valence ${fmt(b.valence - a.valence, true)}, arousal ${fmt(b.arousal - a.arousal, true)}`;

export const DIRECTOR_RULES: readonly Rule[] = [
  {
    id: 'dialogue-across-cut',
    applies: ({ a, b }) => dialogueAcross(a, b),
    decide: (x) => {
      const s = speechAtCut(x.a, x.b)!;
      const voice = `dialogue runs across the cut (${pct(s.before)} and ${pct(s.after)} speech either side)`;
      return moodTurns(x)
        ? { style: 'bridge', reason: `${voice} while the mood turns (${change(x)}): a bridge changes the music under the voices, thinner and ${DIALOGUE_DUCK_DB} dB down, never abruptly`, fadeBeats: 4, gapBeats: 0, bridgeBars: 2 }
        : { style: 'fade', reason: `${voice}: a gentle crossfade, ${DIALOGUE_DUCK_DB} dB down, keeps the music under the voices`, fadeBeats: 2, gapBeats: 0, bridgeBars: 0 };
    },
  },
  {
    id: 'energy-jump',
    applies: ({ a, b, arcB }) => Math.abs(b.arousal - a.arousal) > 0.7 || (arcB.role === 'peak' && b.arousal - a.arousal > 0.35),
    decide: ({ a, b }) => ({ style: 'abrupt-cut', reason: `energy ${b.arousal > a.arousal ? 'jumps' : 'drops'} sharply (arousal ${fmt(a.arousal)} -> ${fmt(b.arousal)}): cut the music with the picture, on the downbeat`, ...NONE }),
  },
  {
    id: 'release-after-climax',
    applies: ({ a, b, arcA }) => (arcA.role === 'build' || arcA.role === 'peak') && arcA.tension >= RELEASE_MIN_TENSION && b.arousal - a.arousal < -0.5,
    decide: ({ a, b, arcA }) => ({ style: 'silent-gap', reason: `tension releases after the ${arcA.role} (arousal ${fmt(a.arousal)} -> ${fmt(b.arousal)}): let the music breathe out before the new scene`, ...NONE, gapBeats: 2 }),
  },
  {
    id: 'similar-mood',
    applies: (x) => !moodTurns(x),
    decide: (x) => ({ style: 'fade', reason: `similar mood on both sides (${change(x)}): a gentle crossfade`, ...NONE, fadeBeats: 2 }),
  },
  {
    id: 'mood-turns',
    applies: () => true,
    decide: (x) => ({ style: 'bridge', reason: `the mood turns (${change(x)}): a bridge modulates from one scene's music into the next`, fadeBeats: 4, gapBeats: 0, bridgeBars: 2 }),
  },
];

export function decideTransition(x: DirectorInput): Decision {
  const rule = DIRECTOR_RULES.find((r) => r.applies(x))!;
  return { ...rule.decide(x), rule: rule.id };
}

const fmt = (x: number, signed = false) => `${signed && x >= 0 ? '+' : ''}${x.toFixed(2)}`;
const pct = (x: number) => `${Math.round(x * 100)} %`;

/**
 * The story's proportions: the climax falls in the second half, before the very end (the midpoint
 * of the peak scene between 50 % and 90 % of the running time), and only what follows it resolves,
 * so the music spends most of the film setting up and building, as a story does.
 */
export const CLIMAX_WINDOW = [0.5, 0.9] as const;

/**
 * The arc over the whole sequence, following its tension curve (each scene's arousal, lightly
 * smoothed so one outlier does not become the climax) within a story's proportions:
 *
 * - setup: the first scene;
 * - peak: the most tense scene whose middle lies in CLIMAX_WINDOW, never the first or the last
 *   scene when there are three or more (the film needs a way in and a way home); when no scene's
 *   middle lies in the window, the most tense of those nearest to it;
 * - build: every scene between the setup and the peak, including an early high point (a story's
 *   first climax-like moment is a turn, not its climax);
 * - resolve: every scene after the peak.
 *
 * Each point says why it got its role.
 */
export function planArc(scenes: readonly { arousal: number; seconds: number }[]): ArcPoint[] {
  const t = scenes.map((s) => (s.arousal + 1) / 2);
  const sm = t.map((x, i) => clamp01(0.7 * x + 0.15 * (t[i - 1] ?? x) + 0.15 * (t[i + 1] ?? x)));
  const total = scenes.reduce((a, s) => a + s.seconds, 0) || 1;
  let acc = 0;
  const mid = scenes.map((s) => {
    const m = (acc + s.seconds / 2) / total;
    acc += s.seconds;
    return m;
  });
  const n = scenes.length;
  const eligible = [...Array(n).keys()].filter((i) => n < 3 || (i > 0 && i < n - 1));
  const outside = (i: number) => Math.max(0, CLIMAX_WINDOW[0] - mid[i]!, mid[i]! - CLIMAX_WINDOW[1]);
  const nearest = Math.min(...eligible.map(outside));
  const candidates = eligible.filter((i) => outside(i) <= nearest + 1e-9);
  const peak = candidates.reduce((best, i) => (sm[i]! > sm[best]! ? i : best), candidates[0]!);
  const highest = sm.reduce((best, x, i) => (x > sm[best]! ? i : best), 0);
  const at = (i: number) => `${Math.round(mid[i]! * 100)} %`;
  const window = `${CLIMAX_WINDOW[0] * 100}-${CLIMAX_WINDOW[1] * 100} %`;
  return sm.map((x, i) => {
    const tension = Math.round(x * 1000) / 1000;
    const tens = `tension ${tension.toFixed(2)}`;
    if (i === peak) {
      const where = nearest > 0 ? `the scene nearest the story's climax window (${window} of the running time)` : `the story's climax window (${window} of the running time)`;
      const why = candidates.length > 1 ? `the most tense scene (${tens}) in ${where}` : `${tens}; ${where}`;
      return { tension, role: 'peak', reason: `${why}, at ${at(i)}` };
    }
    if (i > peak) return { tension, role: 'resolve', reason: `after the peak (scene ${peak + 1}): the story comes home (${tens})` };
    if (i === 0) return { tension, role: 'setup', reason: `opens the sequence (${tens})` };
    const early = i === highest && sm[i]! > sm[peak]! ? `; the sequence's highest tension, but at ${at(i)} too early for the climax` : '';
    return { tension, role: 'build', reason: `leads to the peak at scene ${peak + 1} (${tens}${early})` };
  });
}

const clamp01 = (x: number) => Math.max(0, Math.min(1, x));
