/** Replaced at build time by esbuild's define; the fallback serves tests run from source. */
declare const __SEGUE_VERSION__: string | undefined;
export const VERSION: string = typeof __SEGUE_VERSION__ === 'string' ? __SEGUE_VERSION__ : '0.0.0-dev';
