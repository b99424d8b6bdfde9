/** Process exit codes of `custos`, documented in the README. */
export const ExitCode = Object.freeze({
  ok: 0,
  /** The command could not do its work: unreadable input, a failed operation. */
  failure: 1,
  /** The command line itself was wrong: unknown command or option, bad option value. */
  usage: 2,
  /** A verification found a problem: a tampered audit log, a failing policy test. */
  verification: 3,
});

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
