import { STAGES, type ProgressEvent } from '../../shared/index.ts';

/**
 * Text from a plan or a file name, made safe for a terminal: control characters (escape sequences
 * a damaged or hostile plan could carry to move the cursor, retitle the window or worse) are shown
 * as \xNN instead of being sent.
 */
// eslint-disable-next-line no-control-regex
export const printable = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** Renders pipeline events: bars on a terminal, one JSON object per line with --json, plain lines otherwise. */
export function makeReporter(mode: 'json' | 'tty' | 'plain', stream: NodeJS.WriteStream = process.stderr): (e: ProgressEvent) => void {
  if (mode === 'json') return (e) => process.stdout.write(JSON.stringify(e) + '\n');
  // Our own escape codes (the bar's line clearing) are written raw; everything else passes printable().
  const out = { write: (text: string) => stream.write(printable(text.replace(/\n$/, ''))  + (text.endsWith('\n') ? '\n' : '')), raw: (text: string) => stream.write(text) };
  let line = false;
  const clear = () => {
    if (line) out.raw('\r\x1b[2K');
    line = false;
  };
  return (e) => {
    if (e.type === 'stage') {
      const n = STAGES.indexOf(e.stage) + 1;
      const label = `[${n}/${STAGES.length}] ${e.stage.padEnd(8)}`;
      if (mode === 'tty') {
        const width = 24;
        const filled = Math.round(e.fraction * width);
        clear();
        const msg = e.message.length > 60 ? e.message.slice(0, 57) + '...' : e.message;
        out.write(`${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${msg}`);
        line = true;
        if (e.status === 'done') (out.raw('\n'), (line = false));
      } else if (e.status !== 'progress') {
        out.write(`${label} ${e.status}: ${e.message}\n`);
      }
    } else if (e.type === 'warning') {
      clear();
      out.write(`warning: ${e.message}\n`);
    } else if (e.type === 'error') {
      clear();
      out.write(`segue: ${e.message}\n`);
    } else if (e.type === 'result') {
      clear();
      for (const l of [`done in ${e.seconds.toFixed(1)} s`, `  video:      ${e.video}`, `  soundtrack: ${e.mix}`, `  plan:       ${e.plan}`, `  cues:       ${e.cues.length} file(s) in ${e.outDir}/cues`]) out.write(`${l}\n`);
    }
  };
}
