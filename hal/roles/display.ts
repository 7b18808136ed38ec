/**
 * The Display role: what the terminal application draws on, whatever the panel.
 * A character display shows `rows` lines of `cols` cells; text outside the panel's
 * character set is mapped by the driver (e.g. "€" via a custom glyph, "\\" avoided).
 */
export interface Display {
  readonly kind: 'character';
  readonly cols: number;
  readonly rows: number;
  /**
   * Shows these lines (missing lines are blank; each is cut or space-padded to `cols`).
   * Writes only the cells that changed since the last call.
   */
  show(lines: readonly string[]): Promise<void>;
  /** The text the panel shows now, one string per row (what the driver last wrote). */
  text(): readonly string[];
  setBacklight(on: boolean): Promise<void>;
  /** Puts the panel in a known state (re-initialises it) and checks it answers. */
  selfTest(): Promise<void>;
  close(): Promise<void>;
}
