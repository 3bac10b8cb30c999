import type { Plan, PlannedScene, Scene, SceneAnalysis, Take, Transition } from '../../shared/index.ts';
import { planArc } from './director.ts';
import type { Decisions } from './edit.ts';
import { sceneSeed } from './layout.ts';
import { choiceOf, meanMood, ruleTransition, transitionFor } from './plan.ts';
import { distinguishNeighbours, rulesPrompt } from './prompt.ts';

/**
 * Following a re-cut sequence without starting over. The editor trimmed, moved, added or removed
 * shots; the scenes whose picture is still the same (same length, opening on the same frame of the
 * same media) keep everything they had: analysis, prompt, arc role, seed, take history, and the
 * transition to a neighbour they still sit beside. Only new or changed scenes are analysed and
 * prompted, and only cuts with a new neighbour are decided again. Because cue hashes do not
 * depend on timeline position or cue number, a kept scene whose bridges and neighbours' transitions
 * are unchanged reuses its current take byte for byte, wherever it now sits. Pure.
 */

/** What identifies a scene's picture across a re-cut. */
export interface SceneSignature {
  samples: number;
  /** The media and source frame the scene opens on (e.g. "a.mov@1234"), null when the panel sent no media. */
  opening: string | null;
}

/** Two scenes are the same picture when they open on the same frame and their lengths differ by less than `tolerance` samples. */
const same = (a: SceneSignature, b: SceneSignature, tolerance: number) => a.opening === b.opening && Math.abs(a.samples - b.samples) <= tolerance;

/** Above this many cells the middle of the alignment is matched greedily (a whole re-edit of a feature). */
const MAX_ALIGN_CELLS = 4_000_000;

/**
 * For each scene after the re-cut, the scene before it that shows the same picture, or null.
 * Order-preserving (a longest common subsequence), so a shot moved elsewhere counts as changed at
 * one end; the common head and tail are matched first, as a diff does, so the usual local edit costs
 * almost nothing.
 */
export function matchScenes(before: readonly SceneSignature[], after: readonly SceneSignature[], tolerance: number): (number | null)[] {
  const out: (number | null)[] = after.map(() => null);
  let head = 0;
  while (head < before.length && head < after.length && same(before[head]!, after[head]!, tolerance)) out[head] = head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && same(before[before.length - 1 - tail]!, after[after.length - 1 - tail]!, tolerance)) {
    out[after.length - 1 - tail] = before.length - 1 - tail;
    tail++;
  }
  const b = before.slice(head, before.length - tail);
  const a = after.slice(head, after.length - tail);
  if (!a.length || !b.length) return out;
  if (a.length * b.length > MAX_ALIGN_CELLS) {
    let j = 0;
    for (let i = 0; i < a.length && j < b.length; i++) {
      const hit = b.findIndex((x, n) => n >= j && same(x, a[i]!, tolerance));
      if (hit >= 0) {
        out[head + i] = head + hit;
        j = hit + 1;
      }
    }
    return out;
  }
  // lcs[i][j]: longest common run of a[i..] and b[j..].
  const w = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * w + j] = same(a[i]!, b[j]!, tolerance) ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    }
  }
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    if (same(a[i]!, b[j]!, tolerance) && lcs[i * w + j] === lcs[(i + 1) * w + j + 1]! + 1) {
      out[head + i] = head + j;
      i++;
      j++;
    } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) i++;
    else j++;
  }
  return out;
}

/** For each new cut, the old cut with the same signature (the frames it joins), or null; unknown (null) signatures never match. */
export function matchCuts(before: readonly (string | null)[], after: readonly (string | null)[]): (number | null)[] {
  const at = new Map<string, number>();
  before.forEach((s, i) => s !== null && at.set(s, i));
  return after.map((s) => (s === null ? null : (at.get(s) ?? null)));
}

export interface RecutInput {
  plan: Plan;
  /** The scenes of the re-cut sequence. */
  scenes: Scene[];
  /** matchScenes' answer: for each new scene, the old scene it keeps, or null. */
  matches: readonly (number | null)[];
  /** For each new cut, the old cut that joins the same two frames, or null (matchCuts). */
  cutMatches: readonly (number | null)[];
  /** Fresh analyses of the unmatched scenes, by new scene index. */
  analyses: ReadonlyMap<number, SceneAnalysis>;
}

export interface Recut extends Decisions {
  /** The take history under the new cue numbers: kept scenes' and kept bridges' takes; takes of scenes that went are dropped (their files stay). */
  takes: Take[];
  /** New scene indices that were analysed and prompted afresh. */
  fresh: number[];
}

export function recutPlan(r: RecutInput): Recut {
  const { plan } = r;
  const old = (k: number) => r.matches[k] ?? null;
  const analysis = (k: number): SceneAnalysis => {
    const i = old(k);
    const a = i === null ? r.analyses.get(k) : plan.scenes[i]!.analysis;
    if (!a) throw new Error(`scene ${k + 1} is new but has no analysis`);
    return a;
  };
  const analysed = r.scenes.map((scene, k) => ({ scene, analysis: analysis(k) }));
  const mood = meanMood(analysed);
  const arc = planArc(analysed.map((x) => ({ arousal: x.analysis.arousal, seconds: x.scene.end - x.scene.start })));
  // A kept scene keeps its prompt (the editor may have written it) and its role; the anchor stays
  // the editor's. New scenes are told apart from neighbours that look different, as in a score.
  const scenes: PlannedScene[] = distinguishNeighbours(analysed.map(({ scene, analysis: a }, k) => {
    const i = old(k);
    return i === null ? { scene, analysis: a, prompt: rulesPrompt(a, plan.anchor, mood), arc: arc[k]! } : { ...plan.scenes[i]!, scene };
  }), (k) => old(k) === null);

  // A cut keeps its transition (the editor may have chosen it) when it still joins the same two
  // pictures: both scenes kept and still neighbours, or the same last and first frames either side.
  const keptCut = (k: number): number | null => {
    const i = old(k);
    return i !== null && old(k + 1) === i + 1 ? i : (r.cutMatches[k] ?? null);
  };
  const transitions: Transition[] = [];
  const refit: number[] = [];
  for (let k = 0; k + 1 < scenes.length; k++) {
    const i = keptCut(k);
    if (i === null) continue;
    if (old(k) !== i || old(k + 1) !== i + 1) {
      refit.push(k); // a neighbour changed length: the same choice is fitted again below
      continue;
    }
    const t = plan.transitions[i]!;
    const delta = scenes[k]!.scene.endSample - t.atSample;
    const bridge = t.bridge ? { ...t.bridge, startSample: t.bridge.startSample + delta, endSample: t.bridge.endSample + delta } : null;
    transitions[k] = { ...t, cut: k, at: scenes[k]!.scene.end, atSample: t.atSample + delta, bridge };
  }
  // The other cuts, in order, each with room for the kept bridges on either side.
  for (let k = 0; k + 1 < scenes.length; k++) {
    if (transitions[k]) continue;
    const t = refit.includes(k) ? plan.transitions[keptCut(k)!]! : null;
    const again = t && transitionFor(scenes, transitions, k, { style: t.style, ...choiceOf(t, scenes[k]!) }, { fadeShape: t.fade?.shape ?? plan.settings.fadeShape }, t.decidedBy, t.reason);
    transitions[k] = t && again && typeof again !== 'string' ? { ...again, suggested: t.suggested } : ruleTransition(scenes, transitions, k, plan.settings);
  }

  const cueSeed = (id: string) => plan.cues.find((c) => c.id === id)?.seed;
  const renamed = new Map<string, string>();
  scenes.forEach((_, k) => {
    const i = old(k);
    if (i !== null) renamed.set(`scene-${i + 1}`, `scene-${k + 1}`);
    const c = keptCut(k);
    if (c !== null) renamed.set(`bridge-${c + 1}`, `bridge-${k + 1}`);
  });
  return {
    scenes,
    transitions,
    seeds: scenes.map((_, k) => {
      const i = old(k);
      return (i === null ? undefined : cueSeed(`scene-${i + 1}`)) ?? sceneSeed(plan.settings.seed, k);
    }),
    bridgeSeeds: scenes.slice(1).map((_, k) => {
      const i = keptCut(k);
      return i === null ? undefined : cueSeed(`bridge-${i + 1}`);
    }),
    takes: plan.takes.flatMap((t) => (renamed.has(t.cue) ? [{ ...t, cue: renamed.get(t.cue)! }] : [])),
    fresh: scenes.flatMap((_, k) => (old(k) === null ? [k] : [])),
  };
}
