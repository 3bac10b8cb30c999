import { demoPremiere, type DemoSpec } from './demo.ts';
import { FakeUxp } from './uxp.ts';
import './window.ts';

/**
 * The preview page's stand-in for Premiere: builds the fake with the demo sequence from the
 * preview server's config, answers `require()` the way UXP does, then loads the real panel bundle
 * (../index.js) unchanged. The flyout menu the panel registers is drawn as a ☰ button.
 */
async function main(): Promise<void> {
  const config = (await (await fetch('/preview-config.json')).json()) as DemoSpec & { helperUrl: string };
  const storage = window.localStorage;
  // The preview's helper listens on a fresh port each run: offer it until the page is paired.
  if (!storage.getItem('segue.token')) storage.setItem('segue.helperUrl', config.helperUrl);
  const uxp = new FakeUxp(storage);
  const premiere = demoPremiere(config, {
    fs: uxp.fs,
    frame: async (_path, t, w, h) => new Uint8Array(await (await fetch(`/frame?t=${t}&w=${w}&h=${h}`)).arrayBuffer()),
  });
  const ppro = premiere.api();
  const modules: Record<string, unknown> = { premierepro: ppro, uxp: uxp.module, fs: uxp.fs };
  window.require = (name) => {
    if (!(name in modules)) throw new Error(`no module ${name} in the preview`);
    return modules[name];
  };
  const menu = (id: string) => uxp.panels['segue.panel']?.invokeMenu?.(id);
  window.segueFake = { premiere, uxp, menu };
  await new Promise<void>((resolve, reject) => {
    const s = document.createElement('script');
    s.src = '../index.js';
    s.onload = () => resolve();
    s.onerror = () => reject(new Error('could not load the panel bundle'));
    document.body.append(s);
  });
  flyout(uxp);
  uxp.panels['segue.panel']?.create?.();
  uxp.panels['segue.panel']?.show?.();
}

function flyout(uxp: FakeUxp): void {
  const items = uxp.panels['segue.panel']?.menuItems ?? [];
  const list = document.getElementById('flyout-items')!;
  for (const it of items) {
    const { id, label } = typeof it === 'string' ? { id: it, label: it } : it;
    const el = document.createElement('div');
    el.className = 'flyout-item';
    el.dataset.id = id;
    el.textContent = label;
    el.onclick = () => {
      list.hidden = true;
      uxp.panels['segue.panel']?.invokeMenu?.(id);
    };
    list.append(el);
  }
  document.getElementById('flyout')!.onclick = () => (list.hidden = !list.hidden);
}

main().catch((e) => {
  document.body.prepend(Object.assign(document.createElement('pre'), { textContent: `Preview failed: ${(e as Error).stack}` }));
});
