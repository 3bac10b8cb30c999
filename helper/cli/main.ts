import { parseArgs } from 'node:util';
import { SegueError, EXIT, UsageError } from '../errors.ts';
import { score, ENGINES, type ScoreOptions } from '../pipeline/score.ts';
import { VERSION } from '../version.ts';
import { makeReporter } from './progress.ts';

export const HELP = `segue ${VERSION}: scores a video with music, scene by scene, with a transition at every cut.

Usage:
  segue score <video> [options]
  segue --help | --version

Options for score:
  --out DIR              output folder (default: ./segue-out/<video name>)
  --cuts T1,T2,...       cut times in seconds (scene starts); default: detect cuts in the picture
  --min-scene SECONDS    scenes shorter than this merge with a neighbour (default 8; 0 keeps all)
  --threshold N          content-detection threshold, PySceneDetect scale (default 27; JenBridge used 30)
  --engine NAME          music engine: ${ENGINES.join(', ')} (default symbolic)
  --seed N               random seed, a whole number >= 0 (default 1); same seed, same music
  --loudness LUFS        integrated loudness of every cue, -40..-6 (default -16)
  --handles BARS         extra bars before and after each cue for trims (default 2)
  --soundfont NAME|PATH  musescore (default), timgm6mb, fluidr3mono, or a path to an .sf2/.sf3
  --keep-original-audio  keep the video's own sound (dialogue) under the music in the muxed video
  --json                 print one JSON event per line on stdout instead of progress bars

Outputs in the folder:
  cues/scene-N-take-1.wav  one 48 kHz 24-bit WAV per scene cue, with handles
  soundtrack.wav           the full-length mix, exactly as long as the video
  plan.json                scenes, analysis, prompts, transitions, cue positions (schema segue.plan v1)
  <video>.scored.mp4       the video with its new soundtrack

Exit codes:
  0 done   1 internal error   2 bad arguments   3 unusable input video   4 output folder not writable
  5 music engine or SoundFont failed   130 interrupted (Ctrl-C); earlier output is left as it was

Environment: FFMPEG_PATH, FFPROBE_PATH (other ffmpeg binaries), SEGUE_CACHE_DIR (cache folder).
`;

function num(name: string, v: string | undefined, def: number, lo: number, hi: number, int = false): number {
  if (v === undefined) return def;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || (int && !Number.isInteger(x)) || x < lo || x > hi) {
    throw new UsageError(`--${name} "${v}" must be ${int ? 'a whole number' : 'a number'} from ${lo} to ${hi}`);
  }
  return x;
}

const VALUE_FLAGS = ['--out', '--cuts', '--min-scene', '--threshold', '--engine', '--seed', '--loudness', '--handles', '--soundfont'];

/** "--loudness -14" is a value, not a flag: join such pairs so parseArgs does not call them ambiguous. */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (VALUE_FLAGS.includes(a) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export function parseScoreArgs(argv: string[]): ScoreOptions & { json: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv),
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: 'string' }, cuts: { type: 'string' }, 'min-scene': { type: 'string' }, threshold: { type: 'string' },
        engine: { type: 'string' }, seed: { type: 'string' }, loudness: { type: 'string' }, handles: { type: 'string' },
        soundfont: { type: 'string' }, 'keep-original-audio': { type: 'boolean' }, json: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]}; see segue --help`);
  }
  const { values: v, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one video, got ${positionals.length}: ${positionals.join(' ')}` : 'no video given; usage: segue score <video> [options]');
  const video = positionals[0]!;
  const engine = v.engine ?? 'symbolic';
  if (!(ENGINES as readonly string[]).includes(engine)) throw new UsageError(`--engine "${engine}" is not available; use one of: ${ENGINES.join(', ')}`);
  const name = video.split(/[\\/]/).pop()!.replace(/\.[^.]*$/, '') || 'video';
  return {
    video,
    outDir: v.out ?? `segue-out/${name}`,
    cuts: v.cuts ?? null,
    minSceneSec: num('min-scene', v['min-scene'], 8, 0, 3600),
    threshold: num('threshold', v.threshold, 27, 1, 255),
    engine,
    seed: num('seed', v.seed, 1, 0, 2 ** 31 - 1, true),
    loudnessLufs: num('loudness', v.loudness, -16, -40, -6),
    truePeakDbtp: -1,
    handleBars: num('handles', v.handles, 2, 0, 16, true),
    soundFont: v.soundfont ?? 'musescore',
    keepOriginalAudio: v['keep-original-audio'] ?? false,
    json: v.json ?? false,
  };
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(HELP);
    return cmd ? EXIT.ok : EXIT.usage;
  }
  if (cmd === '--version' || cmd === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const json = rest.includes('--json');
  const report = makeReporter(json ? 'json' : process.stderr.isTTY ? 'tty' : 'plain');
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (cmd !== 'score') throw new UsageError(`unknown command "${cmd}"; the command is "score" (see segue --help)`);
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(HELP);
      return EXIT.ok;
    }
    const opts = parseScoreArgs(rest);
    await score(opts, report, controller.signal);
    return EXIT.ok;
  } catch (e) {
    const err = e instanceof SegueError ? e : null;
    const message = err ? err.message : `internal error: ${(e as Error)?.stack ?? e}`;
    report({ type: 'error', code: err?.code ?? 'internal', exitCode: err?.exitCode ?? EXIT.internal, message });
    return err?.exitCode ?? EXIT.internal;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
