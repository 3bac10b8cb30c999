import type { FakePremiere } from './premierepro.ts';
import type { FakeUxp } from './uxp.ts';

/** What the preview page exposes to people and to the e2e test (window.segueFake). */
declare global {
  interface Window {
    require: (name: string) => unknown;
    segueFake: { premiere: FakePremiere; uxp: FakeUxp; menu(id: string): void };
  }
}
export {};
