import { isAbsolute, normalize } from 'node:path';

/** A path a plan may name: relative, inside the folder, no `..` (a damaged or hostile plan must not reach outside it). Pure. */
export function isPlainRelative(p: string): boolean {
  if (!p || isAbsolute(p) || /^[a-zA-Z]:/.test(p) || p.includes('\\') || p.includes('\0')) return false;
  const n = normalize(p);
  return n === p && !n.split('/').some((part) => part === '..' || part === '.' || part === '');
}
