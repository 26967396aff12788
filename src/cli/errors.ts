// Exit codes of the client commands and the one error type they end with. Documented in README.md
// (Command line); keep both in step.

export const EXIT = {
  OK: 0,
  /** A run this command waited for ended FAILED or CANCELLED (or the experiment failed). */
  RUN_FAILED: 1,
  /** Bad command line: unknown command or option, missing argument. */
  USAGE: 2,
  /** No server answered at --url. */
  UNREACHABLE: 3,
  /** The server rejected the request: unknown id (NOT_FOUND) or bad input (BAD_USER_INPUT, invalid query, bad file). */
  REJECTED: 4,
  /** The server failed (INTERNAL_SERVER_ERROR, unexpected HTTP answer). */
  SERVER_ERROR: 5,
  /** Refused: no token, an invalid one, or one without the scope (UNAUTHENTICATED, FORBIDDEN). */
  AUTH: 6,
  /** Stopped by Ctrl-C (the run itself keeps going on the server; `neb-atlas cancel` stops it). */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that ends a command: its message is printed as one line, its code is the exit status. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
