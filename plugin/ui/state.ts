import type { Health, Job, Plan, Take } from '../../shared/index.ts';
import { indexOfCut, type CutDiff } from '../core/cuts.ts';
import type { PlacementRecord } from '../core/layout.ts';

/** Everything the panel shows; the view is a function of this. */
export interface PanelState {
  helperUrl: string;
  token: string;
  health: Health | null;
  /** Pairing problem or last error, shown in the message bar. */
  error: string | null;
  notice: string | null;
  busy: string | null;
  job: Job | null;
  sequenceName: string | null;
  /** Cut times read from the sequence (seconds) and the editor's changes before scoring. */
  cuts: number[];
  addedCuts: number[];
  removedCuts: number[];
  duration: number;
  helperProject: string | null;
  plan: Plan | null;
  /** How the sequence's cuts differ from the scored plan's, when they do ("Follow the new cut"). */
  recut: CutDiff | null;
  takes: Take[];
  record: PlacementRecord | null;
  /** data: URLs of one still per scene (from the stills sent to the helper). */
  thumbs: Record<number, string>;
  /** Prompt fields the editor typed, per 0-based scene, before regenerating with them. */
  edits: Record<number, { mood?: string; instruments?: string; genre?: string; bpm?: string }>;
  showSettings: boolean;
  /** The music engine scores are made with ('symbolic', or 'musicgen' on a helper with a MusicGen folder), and that folder on the helper's machine. */
  engine: string;
  musicgenModel: string;
  stillsPerScene: number;
  titlesAreCuts: boolean;
}

export const initialState = (url: string, token: string, engine = 'symbolic', musicgenModel = ''): PanelState => ({
  helperUrl: url, token, health: null, error: null, notice: null, busy: null, job: null, sequenceName: null,
  cuts: [], addedCuts: [], removedCuts: [], duration: 0, helperProject: null, plan: null, recut: null, takes: [], record: null,
  thumbs: {}, edits: {}, showSettings: false, engine, musicgenModel, stillsPerScene: 3, titlesAreCuts: false,
});

/** The cut list to send: what the sequence has, less the cuts removed, plus the cuts added. */
export function effectiveCuts(s: PanelState): number[] {
  return [...s.cuts.filter((t) => indexOfCut(s.removedCuts, t) < 0), ...s.addedCuts].sort((a, b) => a - b);
}
