/**
 * Errors of the board-profile loader: one class, a closed set of codes, and every problem
 * of a profile with its JSON path, so that a person fixes them all in one pass.
 */

/** Every code the board loader can raise, with its meaning. This table is the authority. */
export const BOARD_ERROR_CODES = {
  BOARD_NOT_FOUND: 'no profile of that name in boards/, or no file at that path',
  BOARD_UNREADABLE: 'the profile file exists but cannot be read (permissions, a directory)',
  BOARD_SYNTAX: 'the profile is not valid JSON (the message gives line and column)',
  BOARD_INVALID: 'the profile is JSON but breaks the schema or a driver binding (`problems` lists each)',
} as const;

export type BoardErrorCode = keyof typeof BOARD_ERROR_CODES;

/** One mistake in a profile: where (a JSON path such as `devices[1].address`; '' for the whole file) and what was expected. */
export interface BoardProblem {
  readonly path: string;
  readonly message: string;
}

/** `file: path: message`, the line a person reads. */
export function formatProblem(file: string, problem: BoardProblem): string {
  return problem.path === '' ? `${file}: ${problem.message}` : `${file}: ${problem.path}: ${problem.message}`;
}

export class BoardError extends Error {
  override readonly name = 'BoardError';
  readonly code: BoardErrorCode;
  /** The profile as named in messages (relative to the working directory when inside it). */
  readonly file: string;
  /** Every problem found; the message holds them one per line. */
  readonly problems: readonly BoardProblem[];

  constructor(code: BoardErrorCode, file: string, problems: readonly BoardProblem[], options?: { cause?: unknown }) {
    super(problems.map((p) => formatProblem(file, p)).join('\n'), options);
    this.code = code;
    this.file = file;
    this.problems = problems;
  }
}

export function isBoardError(err: unknown, code?: BoardErrorCode): err is BoardError {
  return err instanceof BoardError && (code === undefined || err.code === code);
}
