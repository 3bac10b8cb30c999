import { h } from './dom.ts';

/**
 * In-panel menus and questions. UXP has no contextmenu attribute and `confirm()` needs the
 * enableAlerts flag (and blocks Premiere), so both are drawn inside the panel.
 */

export interface MenuEntry {
  label: string;
  run: () => void;
  disabled?: boolean;
}

let open: HTMLElement | null = null;

export function closeMenu(): void {
  open?.remove();
  open = null;
}

export function contextMenu(root: HTMLElement, x: number, y: number, entries: MenuEntry[]): void {
  closeMenu();
  const box = root.getBoundingClientRect();
  open = h('div', { class: 'menu', role: 'menu', style: `left:${Math.min(x - box.left, box.width - 200)}px;top:${y - box.top}px` },
    ...entries.map((e) => h('div', {
      class: `menu-item${e.disabled ? ' disabled' : ''}`, role: 'menuitem', 'aria-disabled': e.disabled ? 'true' : null,
      onclick: () => { if (e.disabled) return; closeMenu(); e.run(); },
    }, e.label)));
  root.append(open);
}

export function ask(root: HTMLElement, question: string, yes = 'Replace', no = 'Keep mine'): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (v: boolean) => { dialog.remove(); resolve(v); };
    const dialog = h('div', { class: 'dialog', role: 'dialog' },
      h('div', { class: 'dialog-box' },
        h('sp-body', { class: 'question' }, question),
        h('div', { class: 'row end' },
          h('sp-button', { variant: 'secondary', class: 'no', role: 'button', onclick: () => done(false) }, no),
          h('sp-button', { variant: 'cta', class: 'yes', role: 'button', onclick: () => done(true) }, yes))));
    root.append(dialog);
  });
}
