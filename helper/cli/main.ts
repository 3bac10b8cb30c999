import { join, resolve } from 'node:path';
import { keyName, type Plan, type ProgressEvent } from '../../shared/index.ts';
import { regenerate, setTransition, useTake } from '../core/edit.ts';
import { asSegueError, EXIT, UsageError } from '../errors.ts';
import { applyEdit, loadPlan, type EditOutcome } from '../pipeline/edit.ts';
import { score, ENGINES } from '../pipeline/score.ts';
import { VERSION } from '../version.ts';
import { parseRegenerateArgs, parseScoreArgs, parseTakesArgs, parseTransitionArgs } from './args.ts';
import { makeReporter, printable } from './progress.ts';
import { serve, SERVE_HELP } from './serve.ts';

export const HELP = `segue ${VERSION}: scores a video with music, scene by scene, with a transition at every cut.

Usage:
  segue score <video> [options]              score a video into an output folder
  segue regenerate DIR --scene K [--seed N] [--prompt FILE]
                                             a new take of scene K; every other cue stays as it is
  segue transition DIR --cut K (--style NAME | --accept) [--beats N] [--bars N] [--shape SHAPE]
                                             change the transition at cut K (between scenes K and K+1)
  segue takes DIR [--scene K --use N]        list every take; or make take N of scene K current again
  segue serve [--port N] [--https] ...       the local helper for the Premiere panel (segue serve --help)
  segue --help | --version

Options for score:
  --out DIR              output folder (default: ./segue-out/<video name>)
  --cuts T1,T2,...       cut times in seconds (scene starts); default: detect cuts in the picture
  --min-scene SECONDS    scenes shorter than this merge with a neighbour (default 8; 0 keeps all)
  --threshold N          content-detection threshold, PySceneDetect scale (default 27; JenBridge used 30)
  --weights H,S,L,E      content-detection weights of hue, saturation, luma and edges (default
                         1,1,1,0 as PySceneDetect; edges cost time and usually want a higher threshold)
  --engine NAME          music engine: ${ENGINES.join(', ')} (default symbolic)
  --model DIR            the MusicGen ONNX folder for --engine musicgen (e.g. Xenova/musicgen-small)
  --seed N               random seed, a whole number >= 0 (default 1); same seed, same music
  --loudness LUFS        integrated loudness of every cue, -40..-6 (default -16)
  --handles BARS         extra bars before and after each cue for trims (default 2)
  --fade-shape SHAPE     linear (default, as in JenBridge) or equal-power crossfades
  --stems                also write one WAV per instrument group of each cue (drums, bass,
                         harmony, melody, pads) that sum to the cue
  --soundfont NAME|PATH  musescore (default), timgm6mb, fluidr3mono, or a path to an .sf2/.sf3
  --llm MODEL.gguf       LLM mode: a GGUF instruct model writes the music prompts (JenBridge's VMPT)
                         and chooses the transitions (its director); any failure falls back to the
                         rules with a warning. CPU by default; SEGUE_LLM_GPU=auto|cuda|vulkan|metal
  --llm-timeout SECONDS  longest wait for one answer (default 60)
  --vision DIR           a CLIP or SigLIP model exported to ONNX (Hugging Face layout:
                         onnx/vision_model.onnx + onnx/text_model.onnx or one onnx/model.onnx,
                         tokenizer.json, preprocessor_config.json): tags each scene (time of
                         day, setting, action, mood), which shape its mood and prompt; any
                         failure: a warning, no tags
  --keep-original-audio  keep the video's own sound (dialogue) under the music in the muxed video
  --json                 print one JSON event per line on stdout instead of progress bars

Editing a scored folder (DIR is score's --out):
  --prompt FILE          JSON with the prompt fields to change, e.g. {"style":"jazz","bpm":120,
                         "key":{"tonic":"D","mode":"minor"}}; fields: style, genre, instruments,
                         key, bpm, mood, energy. Without --seed the scene keeps its seed.
  --seed N               the new take's seed (default: a new one when no --prompt is given)
  --style NAME           abrupt-cut, silent-gap, fade or bridge
  --accept               the director's suggestion for this cut
  --beats N              fade or gap length in beats of the outgoing scene
  --bars N               bridge length in bars on each side of the cut, 1-4 (default 2)
  --shape SHAPE          fade shape: linear or equal-power
  Each edit renders only the cues it changes, as new takes (cues/scene-K-take-N.wav); earlier
  takes are kept, and soundtrack.wav, the video and plan.json are rewritten to match.

Outputs in the folder:
  cues/scene-N-take-T.wav   one 48 kHz 24-bit WAV per scene cue, with handles
  cues/bridge-N-take-T.wav  one per generative bridge, spanning cut N
  cues/*.mid                each cue's notes as a Standard MIDI File (tick 0 = the WAV's start)
  cues/stems/*.<group>.wav  with --stems: the cue split by instrument group
  soundtrack.wav            the full-length mix, exactly as long as the video
  plan.json                 scenes, analysis, prompts, transitions, cues, takes (schema segue.plan v2)
  <video>.scored.mp4        the video with its new soundtrack

Exit codes:
  0 done   1 internal error   2 bad arguments or edit   3 unusable input video   4 output folder not writable
  5 music engine or SoundFont failed   130 interrupted (Ctrl-C); earlier output is left as it was

Environment: FFMPEG_PATH, FFPROBE_PATH (other ffmpeg binaries), SEGUE_CACHE_DIR (cache folder),
SEGUE_LLM_GPU (llama.cpp backend for --llm), SEGUE_VISION_EP and SEGUE_ONNX_EP (onnxruntime
execution providers for --vision and --engine musicgen: cuda, dml, coreml; default cpu).
`;

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
  if (cmd === 'serve') {
    try {
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(SERVE_HELP);
        return EXIT.ok;
      }
      return await serve(rest);
    } catch (e) {
      const err = asSegueError(e);
      process.stderr.write(`segue serve: ${err ? err.message : `internal error: ${(e as Error)?.stack ?? e}`}\n`);
      return err?.exitCode ?? EXIT.internal;
    }
  }
  const json = rest.includes('--json');
  const report = makeReporter(json ? 'json' : process.stderr.isTTY ? 'tty' : 'plain');
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(HELP);
      return EXIT.ok;
    }
    await run(cmd, rest, report, controller.signal);
    return EXIT.ok;
  } catch (e) {
    const err = asSegueError(e);
    const message = err ? err.message : `internal error: ${(e as Error)?.stack ?? e}`;
    report({ type: 'error', code: err?.code ?? 'internal', exitCode: err?.exitCode ?? EXIT.internal, message });
    return err?.exitCode ?? EXIT.internal;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function run(cmd: string, rest: string[], report: (e: ProgressEvent) => void, signal: AbortSignal): Promise<void> {
  const started = Date.now();
  const finish = (dir: string, o: EditOutcome) => {
    const out = resolve(dir);
    report({
      type: 'result', outDir: out, plan: join(out, 'plan.json'), mix: join(out, o.plan.outputs.mix!), video: o.plan.outputs.video && join(out, o.plan.outputs.video),
      cues: o.plan.cues.map((c) => join(out, c.file)), changed: o.changed, seconds: (Date.now() - started) / 1000,
    });
  };
  switch (cmd) {
    case 'score':
      await score(parseScoreArgs(rest), report, signal);
      return;
    case 'regenerate': {
      const a = parseRegenerateArgs(rest);
      finish(a.dir, await applyEdit(a.dir, (p) => regenerate(p, a.scene, a), 'regenerate', report, signal));
      return;
    }
    case 'transition': {
      const { dir, ...edit } = parseTransitionArgs(rest);
      finish(dir, await applyEdit(dir, (p) => setTransition(p, edit), 'transition', report, signal));
      return;
    }
    case 'takes': {
      const a = parseTakesArgs(rest);
      if (a.use) {
        const use = a.use;
        finish(a.dir, await applyEdit(a.dir, (p) => useTake(p, use.cue, use.take), 'restore', report, signal));
        return;
      }
      const plan = loadPlan(a.dir);
      process.stdout.write(a.json ? JSON.stringify({ cues: plan.cues.map((c) => ({ id: c.id, take: c.take, file: c.file })), takes: plan.takes }) + '\n' : formatTakes(plan));
      return;
    }
    default:
      throw new UsageError(`unknown command "${cmd}"; commands are score, regenerate, transition, takes (see segue --help)`);
  }
}

/** The take history as a table, current takes marked with *. */
export function formatTakes(plan: Plan): string {
  const lines = ['cue        take  seed        reason      created               file / prompt'];
  for (const cue of plan.cues) {
    for (const t of plan.takes.filter((x) => x.cue === cue.id)) {
      const mark = t.take === cue.take ? '*' : ' ';
      const what = t.prompt ? `${t.file}  ${t.prompt.style}, ${keyName(t.prompt.key)}, ${Math.round(t.prompt.bpm)} BPM` : t.file;
      lines.push(`${cue.id.padEnd(10)} ${mark}${String(t.take).padEnd(4)} ${String(t.seed).padEnd(11)} ${t.reason.padEnd(11)} ${t.createdAt.slice(0, 19)}  ${what}`);
    }
  }
  lines.push('', '* = current take. Make another current with: segue takes DIR --scene K --use N');
  return lines.map(printable).join('\n') + '\n';
}
