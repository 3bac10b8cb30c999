import { TRANSITION_STYLES, type PlannedScene, type Transition } from '../../shared/index.ts';
import { indexOfCut } from '../core/cuts.ts';
import { STYLE_LABEL } from '../core/layout.ts';
import { clockLabel } from '../core/time.ts';
import { closeMenu, contextMenu } from './dialogs.ts';
import { button, h } from './dom.ts';
import type { Panel } from './panel.ts';
import { effectiveCuts } from './state.ts';

/** Draws the whole panel from its state (small enough that redrawing all of it is simplest). */
export function render(p: Panel): void {
  const s = p.state;
  const root = p.root;
  const keep = [...root.querySelectorAll('.dialog')];
  closeMenu();
  const parts: (HTMLElement | null)[] = [
    h('div', { class: 'header' },
      h('sp-heading', { size: 'XS' }, 'Segue'),
      h('span', { class: `status ${s.health ? 'ok' : 'off'}`, title: s.health ? `Helper ${s.health.version} at ${s.helperUrl}` : 'Not paired' }, s.health ? 'Helper connected' : 'Not paired'),
      h('sp-detail', { class: 'sequence' }, s.sequenceName ? `Sequence: ${s.sequenceName}` : 'No sequence')),
    s.error ? h('div', { class: 'message error', role: 'alert' }, s.error) : null,
    s.notice ? h('div', { class: 'message notice' }, s.notice) : null,
    s.busy ? progress(p) : null,
    s.showSettings || !s.health ? settings(p) : null,
    h('div', { class: 'row actions' },
      button(s.plan ? 'Score again' : 'Score sequence', () => void p.score(), { variant: 'cta', class: 'score', disabled: !!s.busy || !s.health }),
      s.plan && s.recut ? button('Follow the new cut', () => void p.followCut(), { class: 'recut', disabled: !!s.busy }) : null,
      s.plan ? button('Place again', () => void p.placeAgain(), { class: 'place' }) : null),
    cutList(p),
    s.plan ? sceneList(p) : null,
    s.plan ? transitionList(p) : null,
  ];
  root.replaceChildren(...parts.filter((x): x is HTMLElement => x !== null), ...keep);
}

function progress(p: Panel): HTMLElement {
  const j = p.state.job;
  const pct = Math.round((j?.progress ?? 0) * 100);
  const stage = j ? `${j.kind}: ${j.stage ?? j.state}${j.position ? ` (${j.position} ahead)` : ''}` : '';
  return h('div', { class: 'progress' },
    h('div', { class: 'row' }, h('sp-detail', {}, `${p.state.busy}${stage ? ` · ${stage}` : ''} ${j ? `${pct}%` : ''}`),
      j && (j.state === 'queued' || j.state === 'running') ? button('Cancel', () => void p.cancel(), { class: 'cancel', quiet: true }) : null),
    h('div', { class: 'bar', role: 'progressbar', 'aria-valuenow': pct }, h('div', { class: 'fill', style: `width:${pct}%` })));
}

function settings(p: Panel): HTMLElement {
  const url = h('input', { type: 'text', class: 'helper-url', value: p.state.helperUrl, 'aria-label': 'Helper address' }) as HTMLInputElement;
  const token = h('input', { type: 'password', class: 'helper-token', value: p.state.token, placeholder: 'token printed by segue serve', 'aria-label': 'Pairing token' }) as HTMLInputElement;
  const stills = h('input', { type: 'number', class: 'stills', value: p.state.stillsPerScene, min: 1, max: 8 }) as HTMLInputElement;
  const titles = h('input', { type: 'checkbox', class: 'titles' }) as HTMLInputElement;
  titles.checked = p.state.titlesAreCuts;
  const engines = p.state.health?.engines ?? ['symbolic'];
  const engine = h('select', { class: 'engine', 'aria-label': 'Music engine' },
    ...[...new Set([...engines, p.state.engine])].map((e) => h('option', { value: e, ...(e === p.state.engine ? { selected: true } : {}) }, e === 'symbolic' ? 'Symbolic (SoundFont)' : e === 'musicgen' ? 'MusicGen (neural)' : e))) as HTMLSelectElement;
  const model = h('input', { type: 'text', class: 'musicgen-model', value: p.state.musicgenModel, placeholder: 'folder on the helper\'s machine', 'aria-label': 'MusicGen folder' }) as HTMLInputElement;
  return h('div', { class: 'settings' },
    h('sp-body', {}, 'Start the helper with "segue serve" and paste the token it prints.'),
    h('label', {}, 'Helper', url),
    h('label', {}, 'Token', token),
    h('label', {}, 'Stills per scene', stills),
    h('label', { class: 'check' }, titles, 'Titles and graphics make cuts'),
    h('label', {}, 'Music engine', engine),
    h('label', {}, 'MusicGen folder', model),
    h('div', { class: 'row end' },
      p.state.health ? button('Close', () => p.update({ showSettings: false })) : null,
      button('Pair', () => {
        p.state.stillsPerScene = Math.min(8, Math.max(1, Number(stills.value) || 3));
        p.state.titlesAreCuts = titles.checked;
        p.state.engine = engine.value;
        p.state.musicgenModel = model.value;
        void p.pair(url.value, token.value);
      }, { variant: 'cta', class: 'pair' })));
}

function cutList(p: Panel): HTMLElement | null {
  const s = p.state;
  if (!s.sequenceName) return null;
  const cuts = effectiveCuts(s);
  const shown = [...new Set([...s.cuts, ...s.addedCuts])].sort((a, b) => a - b);
  return h('details', { class: 'cuts', open: !s.plan },
    h('summary', {}, `Cuts: ${cuts.length} (${cuts.length + 1} scenes before merging short ones)`),
    h('div', { class: 'chips' }, ...shown.map((t) => {
      const off = indexOfCut(cuts, t) < 0;
      const added = indexOfCut(s.addedCuts, t) >= 0;
      return h('span', { class: `chip${off ? ' off' : ''}${added ? ' added' : ''}`, title: off ? 'Removed: click to keep' : 'Click to remove this cut', onclick: () => p.toggleCut(t) }, clockLabel(t));
    })),
    button('Add cut at playhead', () => void p.addCutAtPlayhead(), { quiet: true, class: 'add-cut' }));
}

function sceneList(p: Panel): HTMLElement {
  const plan = p.state.plan!;
  return h('section', { class: 'scenes' }, h('sp-heading', { size: 'XXS' }, 'Scenes'), ...plan.scenes.map((s, k) => sceneRow(p, s, k)));
}

function sceneRow(p: Panel, s: PlannedScene, k: number): HTMLElement {
  const plan = p.state.plan!;
  const cue = plan.cues.find((c) => c.id === `scene-${k + 1}`);
  const takes = p.state.takes.filter((t) => t.cue === `scene-${k + 1}`);
  const edits = (p.state.edits[k] ??= {});
  const field = (name: 'mood' | 'genre' | 'instruments' | 'bpm', value: string) =>
    h('label', {}, name, h('input', { type: 'text', class: `edit-${name}`, value: edits[name] ?? value, oninput: (e: Event) => (edits[name] = (e.target as HTMLInputElement).value) }));
  const menu = (x: number, y: number) => contextMenu(p.root, x, y, [
    { label: 'Regenerate', run: () => void p.regenerate(k, false) },
    { label: 'Regenerate with these prompt fields', run: () => void p.regenerate(k, true) },
    ...takes.filter((t) => t.take !== cue?.take).map((t) => ({ label: `Use take ${t.take}`, run: () => void p.useTake(t.cue, t.take) })),
    { label: 'Go to scene in timeline', run: () => void p.goTo(k) },
  ]);
  const row = h('div', {
    class: 'scene', 'data-scene': k + 1,
    oncontextmenu: (e: Event) => { e.preventDefault(); const m = e as MouseEvent; menu(m.clientX, m.clientY); },
  },
  p.state.thumbs[k] ? h('img', { class: 'thumb', src: p.state.thumbs[k], alt: '' }) : h('div', { class: 'thumb empty' }),
  h('div', { class: 'info' },
    h('div', { class: 'row' }, h('strong', {}, `Scene ${k + 1}`), h('sp-detail', {}, `${clockLabel(s.scene.start)}–${clockLabel(s.scene.end)}`),
      h('span', { class: 'more', role: 'button', title: 'Scene actions', onclick: (e: Event) => { const m = e as MouseEvent; menu(m.clientX, m.clientY); } }, '⋯')),
    h('div', { class: 'meta' }, `${s.prompt.style} · ${s.prompt.key.tonic} ${s.prompt.key.mode} · ${s.prompt.bpm} BPM · ${s.arc.role}`),
    h('div', { class: 'meta mood' }, s.prompt.mood.join(', ')),
    h('div', { class: 'takes' }, 'Takes: ', ...takes.map((t) => h('span', {
      class: `take${t.take === cue?.take ? ' current' : ''}`, title: `${t.reason}, seed ${t.seed}`,
      onclick: () => { if (t.take !== cue?.take) void p.useTake(t.cue, t.take); },
    }, String(t.take)))),
    h('details', { class: 'prompt' }, h('summary', {}, 'Prompt fields'),
      field('mood', s.prompt.mood.join(', ')), field('genre', s.prompt.genre.join(', ')), field('instruments', s.prompt.instruments.join(', ')), field('bpm', String(s.prompt.bpm)))));
  return row;
}

function transitionList(p: Panel): HTMLElement {
  const plan = p.state.plan!;
  return h('section', { class: 'transitions' }, h('sp-heading', { size: 'XXS' }, 'Transitions'), ...plan.transitions.map((t) => transitionRow(p, t)));
}

function transitionRow(p: Panel, t: Transition): HTMLElement {
  const picker = h('select', { class: 'style', 'aria-label': `Transition at cut ${t.cut + 1}`, onchange: (e: Event) => void p.transition(t.cut, (e.target as HTMLSelectElement).value as Transition['style']) },
    ...TRANSITION_STYLES.map((st) => h('option', { value: st, selected: st === t.style }, STYLE_LABEL[st]))) as HTMLSelectElement;
  picker.value = t.style;
  return h('div', { class: 'transition', 'data-cut': t.cut + 1 },
    h('div', { class: 'row' }, h('strong', {}, `Cut ${t.cut + 1}`), h('sp-detail', {}, clockLabel(t.at)), picker,
      t.style === t.suggested
        ? h('span', { class: 'badge suggested' }, t.decidedBy === 'user' ? 'accepted' : 'suggested')
        : [h('span', { class: 'badge chosen' }, `chosen (suggested: ${STYLE_LABEL[t.suggested]})`), button('Accept', () => void p.transition(t.cut, 'accept'), { class: 'accept', quiet: true })]
          .reduce((f, n) => (f.append(n), f), document.createDocumentFragment() as unknown as HTMLElement)),
    h('div', { class: 'reason' }, t.reason));
}
