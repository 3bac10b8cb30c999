/**
 * Named errors. Each message says what was expected, what was found and what to do, in one line,
 * because the CLI prints it as is. The exit code is part of the documented CLI contract.
 */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  input: 3,
  output: 4,
  engine: 5,
  interrupted: 130,
} as const;

export abstract class SegueError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: number;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The command line or a request was malformed (bad flag, bad cut list, bad number). */
export class UsageError extends SegueError {
  readonly code = 'usage';
  readonly exitCode = EXIT.usage;
}

/** The input media is missing, unreadable, not a video, or too short to score. */
export class MediaError extends SegueError {
  readonly code = 'media';
  readonly exitCode = EXIT.input;
}

/** The output folder cannot be created or written. */
export class OutputError extends SegueError {
  readonly code = 'output';
  readonly exitCode = EXIT.output;
}

/** What the file-system errors that mean "cannot write here" say to a person. */
const FS_REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EIO: 'the disk reported an input/output error',
};

/**
 * A SegueError for anything thrown: itself, or an OutputError (exit 4, one clear line) for a
 * file-system error that means the disk cannot take what is written, else null (an internal error).
 */
export function asSegueError(e: unknown): SegueError | null {
  if (e instanceof SegueError) return e;
  const err = e as NodeJS.ErrnoException | null;
  const reason = err && typeof err.code === 'string' ? FS_REASONS[err.code] : undefined;
  if (!reason) return null;
  return new OutputError(`cannot write ${err!.path ?? 'a file'}: ${reason} (${err!.code}); free some space or choose another folder (--out for results, SEGUE_CACHE_DIR for the cache, which is always safe to delete)`);
}

/** A music engine, SoundFont or model could not do its job. */
export class EngineError extends SegueError {
  readonly code = 'engine';
  readonly exitCode = EXIT.engine;
}

/** A music parameter (style, key, bpm, duration) is outside what the engine accepts. */
export class MusicParameterError extends SegueError {
  readonly code = 'music-parameter';
  readonly exitCode = EXIT.usage;
}

/** The user pressed Ctrl-C (or the process got SIGTERM). */
export class InterruptedError extends SegueError {
  readonly code = 'interrupted';
  readonly exitCode = EXIT.interrupted;
  constructor() {
    super('interrupted: stopped before finishing; earlier output was left as it was');
  }
}

/** External tool failure (ffmpeg exited non-zero and so on) with its last stderr lines kept. */
export class ToolError extends SegueError {
  readonly code = 'tool';
  readonly exitCode = EXIT.internal;
}

/**
 * Errors only the helper's HTTP API raises; `status` is the HTTP status they answer with. Their
 * exit code is the usage one, for the rare case one reaches the CLI.
 */
export abstract class HttpError extends SegueError {
  abstract readonly status: number;
  readonly exitCode = EXIT.usage;
  /** The request field at fault, when there is one. */
  field?: string;
}

export class NotFoundError extends HttpError {
  readonly code = 'not-found';
  readonly status = 404;
}

/** The request is well-formed but the project's state forbids it now (e.g. an edit before scoring). */
export class ConflictError extends HttpError {
  readonly code = 'conflict';
  readonly status = 409;
}

/** The job queue is full; retry after `retryAfterSec`. */
export class BusyError extends HttpError {
  readonly code = 'busy';
  readonly status = 429;
  constructor(message: string, readonly retryAfterSec: number) {
    super(message);
  }
}

/** No or wrong pairing token. */
export class AuthError extends HttpError {
  readonly code = 'auth';
  readonly status = 401;
}

/** A request from where the helper does not answer (wrong Host, foreign Origin). */
export class ForbiddenError extends HttpError {
  readonly code = 'forbidden';
  readonly status = 403;
}

/** A request whose body or parameters do not match the API's schema. */
export class RequestError extends HttpError {
  readonly code = 'usage';
  readonly status = 400;
  constructor(message: string, field?: string) {
    super(message);
    if (field !== undefined) this.field = field;
  }
}
