import { STAGES, type ProgressEvent } from '../../shared/index.ts';

/** Renders pipeline events: bars on a terminal, one JSON object per line with --json, plain lines otherwise. */
export function makeReporter(mode: 'json' | 'tty' | 'plain', out: NodeJS.WriteStream = process.stderr): (e: ProgressEvent) => void {
  if (mode === 'json') return (e) => process.stdout.write(JSON.stringify(e) + '\n');
  let line = false;
  const clear = () => {
    if (line) out.write('\r\x1b[2K');
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
        if (e.status === 'done') (out.write('\n'), (line = false));
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
      out.write(`done in ${e.seconds.toFixed(1)} s\n  video:      ${e.video}\n  soundtrack: ${e.mix}\n  plan:       ${e.plan}\n  cues:       ${e.cues.length} file(s) in ${e.outDir}/cues\n`);
    }
  };
}
