import { loadPremiere } from '../premiere/api.ts';
import type { Host, PanelFs } from '../premiere/host.ts';
import { Panel } from './panel.ts';

/**
 * The panel's entry in Premiere. `entrypoints.setup` runs at once, as UXP requires (once only;
 * a late call can fail uncatchably); the panel starts working in `show`, without blocking it (UXP
 * times lifecycle hooks out after 300 ms).
 */
declare const require: (name: string) => any;

const uxp = require('uxp');
const fs = require('fs') as PanelFs;
const host: Host = {
  fs,
  tempFolder: async () => (await uxp.storage.localFileSystem.getTemporaryFolder()).nativePath as string,
  storage: localStorage,
};
let panel: Panel | null = null;
const ensure = (): Panel => {
  if (!panel) {
    panel = new Panel(loadPremiere(require), host, document.getElementById('app')!);
    void panel.start();
  }
  return panel;
};

uxp.entrypoints.setup({
  panels: {
    'segue.panel': {
      create() {},
      show() {
        ensure();
      },
      menuItems: Panel.MENU,
      invokeMenu(id: string) {
        ensure().invokeMenu(id);
      },
    },
  },
});
