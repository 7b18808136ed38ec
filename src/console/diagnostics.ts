/**
 * What the console's `diag` command runs: the hardware checks of `pos diag`. The board
 * work owns the checks; the composition root hands the console an implementation.
 */

/** One device's result. `detail` is shown to the technician: no card data, no keys. */
export interface DiagnosticResult {
  device: string;
  ok: boolean;
  detail: string;
}

/**
 * Runs the hardware checks. Rules: resolves with one result per device checked (a failed
 * device is `ok: false` with the reason in `detail`, never a rejection); rejects only
 * when the checks could not run at all.
 */
export interface DiagnosticsProvider {
  run(): Promise<DiagnosticResult[]>;
}
