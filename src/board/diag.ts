/**
 * Terminal diagnostics (`pos diag`, later the technician console): every device's self
 * test, then a check per role that exercises the device the way the application will.
 * Unattended by default (a sim board passes with no key pressed and no card presented);
 * `interactive` adds the checks a person completes at the terminal (keys, tap, swipe, scan).
 *
 * Card data rules apply here too: a swiped card shows only its masked PAN, never a track.
 */
import { isHalError } from '../../hal/errors.js';
import { isContactlessError, type CardInfo } from '../../hal/roles/contactless.js';
import { statusFailure, type PrinterStatus, type Receipt } from '../../hal/roles/printer.js';
import type { StripeSwipe } from '../../hal/roles/stripe.js';
import { maskPan } from '../../emv/track/pan.js';
import { parseTrack } from '../../emv/track/track.js';
import type { BoardProfile } from '../../boards/loader.js';
import { fileBusTrace } from '../../hal/sim/trace.js';
import { buildTerminal } from './build.js';
import type { Terminal, TerminalRoles } from './terminal.js';

/** One line of the diagnostics report. */
export interface DiagCheck {
  /** The profile's device name (e.g. "lcd"), or the role name when no device fills it. */
  device: string;
  /** What was checked: "self test", "test pattern", "status", "test page", "poll", ... */
  check: string;
  ok: boolean;
  /** What was seen, for a person; never card data beyond a masked PAN. */
  detail: string;
}

export interface DiagOptions {
  /** Adds keypad echo and waiting for a tap, a swipe and a scan. */
  interactive: boolean;
  /** The printer's charset from the profile; "gb18030" adds a Chinese line to the test page. */
  printerCharset?: string;
  /** How long the unattended reader poll looks for a card. Default 300 ms. */
  pollMs?: number;
  /** How long each interactive step waits for the person. Default 60000 ms. */
  waitMs?: number;
  /** Tells the person at the terminal what to do next (interactive steps). */
  prompt?(text: string): void;
}

type RoleName = keyof TerminalRoles;

const describe = (err: unknown): string => {
  const e = err as { code?: unknown; message?: unknown };
  return `${typeof e.code === 'string' ? e.code + ': ' : ''}${String(e.message ?? err)}`;
};

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

/** The profile's device name behind a role (the driver object is shared). */
function deviceOf(terminal: Terminal, role: RoleName): string {
  const impl = terminal.roles[role];
  return terminal.devices.find((d) => d.driver === impl)?.name ?? role;
}

/** Runs a check; a thrown error fails it with the error's code and message. */
async function attempt(device: string, check: string, body: () => Promise<{ ok: boolean; detail: string }>): Promise<DiagCheck> {
  try {
    return { device, check, ...(await body()) };
  } catch (err) {
    return { device, check, ok: false, detail: describe(err) };
  }
}

/** Resolves with the first event `subscribe` delivers, or undefined after `ms`; listens no longer. */
function firstEvent<T>(subscribe: (deliver: (value: T) => void) => () => void, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const unsubscribers: (() => void)[] = [];
    const done = (value: T | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribers.forEach((u) => u());
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), ms);
    const unsubscribe = subscribe(done);
    // An event delivered during subscribe() found nothing to unsubscribe yet.
    if (settled) unsubscribe();
    else unsubscribers.push(unsubscribe);
  });
}

const cardDetail = (card: CardInfo): string =>
  `UID ${hex(card.uid)}, ATQA ${hex(card.atqa)}, SAK ${card.sak.toString(16).padStart(2, '0').toUpperCase()}, ${card.ats ? `ATS ${hex(card.ats)}` : 'no ATS'} (${card.protocol})`;

// -- display -------------------------------------------------------------------------------

/** Printable ASCII, then the characters the HD44780 driver shows from its own glyphs (CGRAM). */
const CHARSET = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
const GLYPHS = '€\\~';

/** Cuts `text` into screens of `rows` lines of `cols` cells. */
function screens(text: string, cols: number, rows: number): string[][] {
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += cols) lines.push(text.slice(i, i + cols).padEnd(cols));
  const out: string[][] = [];
  for (let i = 0; i < lines.length; i += rows) out.push(lines.slice(i, i + rows));
  return out;
}

/**
 * Whether the panel's memory shows `expected`. The sim panel names only the glyphs it
 * knows (the euro sign) and shows other CGRAM cells as "□": such a cell matches a
 * character the driver draws from its own glyphs.
 */
function panelShows(panel: readonly string[], expected: readonly string[]): boolean {
  if (panel.length !== expected.length) return false;
  return panel.every((line, r) => {
    const want = [...expected[r]!];
    const got = [...line];
    return got.length === want.length && got.every((ch, c) => ch === want[c] || (ch === '□' && GLYPHS.includes(want[c]!)));
  });
}

async function displayCheck(terminal: Terminal): Promise<DiagCheck> {
  const display = terminal.roles.display!;
  const device = deviceOf(terminal, 'display');
  // On the sim board the panel's own memory is read back: what the controller really shows.
  const model = terminal.models[device] as { text?(): string[] } | undefined;
  return attempt(device, 'test pattern', async () => {
    const saved = [...display.text()];
    const { cols, rows } = display;
    const patterns = [Array.from({ length: rows }, () => '#'.repeat(cols)), ...screens(CHARSET, cols, rows), [GLYPHS.padEnd(cols)]];
    const wrong: string[] = [];
    try {
      await display.setBacklight(false);
      await display.setBacklight(true);
      for (const [n, lines] of patterns.entries()) {
        const expected = Array.from({ length: rows }, (_, r) => (lines[r] ?? '').padEnd(cols));
        await display.show(expected);
        const shown = [...display.text()];
        if (shown.join('\n') !== expected.join('\n')) wrong.push(`screen ${n + 1}: driver shows ${JSON.stringify(shown)}`);
        const panel = model?.text?.();
        if (panel && !panelShows(panel, expected)) wrong.push(`screen ${n + 1}: panel shows ${JSON.stringify(panel)}`);
      }
    } finally {
      await display.show(saved).catch(() => undefined);
    }
    if (wrong.length) return { ok: false, detail: wrong.join('; ') };
    return { ok: true, detail: `${cols}x${rows}: every cell, ${CHARSET.length} characters, glyphs ${GLYPHS}; backlight off/on; screen restored` };
  });
}

// -- printer -------------------------------------------------------------------------------

function statusDetail(status: PrinterStatus): string {
  const raw = ([1, 2, 3, 4] as const).map((n) => `${n}:${status.raw[n].toString(16).padStart(2, '0').toUpperCase()}`).join(' ');
  const failure = statusFailure(status);
  return `${failure ?? 'ready'}${status.paperNearEnd ? ', paper near end' : ''} (DLE EOT ${raw})`;
}

/** The test page: every kind of line the Printer role has. */
export function testPage(charset: string | undefined, when: Date = new Date()): Receipt {
  return {
    lines: [
      { kind: 'text', text: 'PRINTER TEST', style: { align: 'center', bold: true, doubleWidth: true, doubleHeight: true } },
      { kind: 'text', text: when.toISOString().slice(0, 19).replace('T', ' '), style: { align: 'center' } },
      { kind: 'text', text: 'normal text 0123456789' },
      { kind: 'text', text: 'bold text', style: { bold: true } },
      { kind: 'text', text: 'double size', style: { doubleWidth: true, doubleHeight: true } },
      ...(charset === 'gb18030' ? [{ kind: 'text' as const, text: '中文测试 打印正常' }] : []),
      { kind: 'qr', data: 'POS DIAG TEST PAGE', errorCorrection: 'M' },
      { kind: 'barcode', symbology: 'CODE128', data: 'DIAG-0123', codeSet: 'B', hri: 'below' },
      { kind: 'feed', lines: 2 },
      { kind: 'cut', partial: true },
    ],
  };
}

async function printerChecks(terminal: Terminal, options: DiagOptions): Promise<DiagCheck[]> {
  const printer = terminal.roles.printer!;
  const device = deviceOf(terminal, 'printer');
  let ready = false;
  const status = await attempt(device, 'status', async () => {
    const s = await printer.status();
    ready = statusFailure(s) === undefined;
    return { ok: ready, detail: statusDetail(s) };
  });
  if (!ready) return [status, { device, check: 'test page', ok: false, detail: 'not printed: the printer is not ready' }];
  const page = await attempt(device, 'test page', async () => {
    const receipt = testPage(options.printerCharset);
    const { progress, status: after } = await printer.print(receipt, { jobId: `diag-${Date.now()}` });
    const lines = `${progress.printedLines} of ${progress.totalLines} lines printed`;
    return { ok: progress.state === 'complete', detail: after ? `${lines}; then ${statusDetail(after)}` : lines };
  });
  return [status, page];
}

// -- reader, stripe, scanner, indicator ----------------------------------------------------

async function readerPoll(terminal: Terminal, options: DiagOptions): Promise<DiagCheck> {
  const reader = terminal.roles.contactless!;
  return attempt(deviceOf(terminal, 'contactless'), 'poll', async () => {
    try {
      const card = await reader.waitForCard({ timeoutMs: options.pollMs ?? 300 });
      await reader.release();
      return { ok: true, detail: cardDetail(card) };
    } catch (err) {
      if (isHalError(err) && err.code === 'HAL_TIMEOUT') return { ok: true, detail: 'no card' };
      // The reader works; the person presented two cards.
      if (isContactlessError(err, 'more-than-one-card')) return { ok: true, detail: 'two cards in the field (collision)' };
      throw err;
    }
  });
}

/** Only the masked PAN of a swipe, from track 2 (or track 1); the tracks go no further. */
function maskedSwipe(swipe: StripeSwipe): string {
  const track = swipe.track2 ?? swipe.track1;
  if (track === undefined) return 'swipe read (track 3 only)';
  try {
    return `PAN ${maskPan(parseTrack(track).pan)}`;
  } catch (err) {
    // The error's message may quote the track: only its code is shown.
    const code = (err as { code?: unknown }).code;
    return `swipe read; track not ISO 7813${typeof code === 'string' ? ` (${code})` : ''}`;
  }
}

/** Payment codes are bearer credentials: shown masked like a PAN (WeChat Pay / Alipay: 16-24 digits). */
function shownCode(code: string): string {
  return /^\d{16,24}$/.test(code) ? `${code.slice(0, 4)}${'*'.repeat(code.length - 8)}${code.slice(-4)} (payment code, masked)` : JSON.stringify(code);
}

async function indicatorCheck(terminal: Terminal): Promise<DiagCheck> {
  const indicator = terminal.roles.indicator!;
  return attempt(deviceOf(terminal, 'indicator'), 'beep', async () => {
    for (const state of ['ready', 'busy', 'error'] as const) await indicator.setLed(state);
    await indicator.setLed('off');
    await indicator.signal('key');
    await indicator.signal('success');
    return { ok: true, detail: 'LED ready, busy, error, off; beeps key, success' };
  });
}

/** Watches a listener-only role for read errors while the other checks run. */
function idleWatch(terminal: Terminal, role: 'stripe' | 'scanner'): () => DiagCheck {
  const impl = terminal.roles[role]!;
  const errors: string[] = [];
  let events = 0;
  const offError = impl.onError((e) => errors.push(e.reason));
  const offData = role === 'stripe' ? terminal.roles.stripe!.onSwipe(() => events++) : terminal.roles.scanner!.onScan(() => events++);
  return () => {
    offError();
    offData();
    const what = role === 'stripe' ? 'swipe' : 'scan';
    if (errors.length) return { device: deviceOf(terminal, role), check: 'idle line', ok: false, detail: `read errors with nobody at the terminal: ${errors.join(', ')}` };
    return { device: deviceOf(terminal, role), check: 'idle line', ok: true, detail: events ? `${events} ${what}(s) arrived, no read error` : 'quiet, no read error' };
  };
}

// -- interactive ---------------------------------------------------------------------------

async function tell(terminal: Terminal, options: DiagOptions, lines: string[]): Promise<void> {
  options.prompt?.(lines.join(' '));
  await terminal.roles.display?.show(lines).catch(() => undefined);
}

async function keypadEcho(terminal: Terminal, options: DiagOptions, waitMs: number): Promise<DiagCheck> {
  const keypad = terminal.roles.keypad!;
  const device = deviceOf(terminal, 'keypad');
  const keys: string[] = [];
  // Listening starts before the prompt: a person may act the moment it appears.
  const ending = firstEvent<true>(
    (done) =>
      keypad.onKey((e) => {
        keys.push(e.key);
        options.prompt?.(`key ${e.key}`);
        void terminal.roles.display?.show(['KEYPAD TEST', 'CANCEL ends', keys.join(' ').slice(-(terminal.roles.display?.cols ?? 20))]).catch(() => undefined);
        if (e.key === 'CANCEL') done(true);
      }),
    waitMs,
  );
  await tell(terminal, options, ['KEYPAD TEST', 'press keys;', 'CANCEL ends']);
  const ended = await ending;
  return { device, check: 'key echo', ok: ended === true, detail: ended ? `keys: ${keys.join(' ')}` : `no CANCEL within ${waitMs / 1000} s (keys: ${keys.join(' ') || 'none'})` };
}

type Outcome = { ok: boolean; detail: string };

/** Prompts the person and waits for what they do; listening starts before the prompt (they may act at once). */
async function personStep(
  terminal: Terminal,
  options: DiagOptions,
  waitMs: number,
  step: { role: RoleName; check: string; prompt: string[]; missing: string },
  listen: (done: (outcome: Outcome) => void) => () => void,
): Promise<DiagCheck> {
  const outcome = firstEvent<Outcome>(listen, waitMs);
  await tell(terminal, options, step.prompt);
  return { device: deviceOf(terminal, step.role), check: step.check, ...((await outcome) ?? { ok: false, detail: `${step.missing} within ${waitMs / 1000} s` }) };
}

async function interactiveChecks(terminal: Terminal, options: DiagOptions): Promise<DiagCheck[]> {
  const waitMs = options.waitMs ?? 60_000;
  const out: DiagCheck[] = [];
  const { keypad, contactless, stripe, scanner } = terminal.roles;
  if (keypad) out.push(await keypadEcho(terminal, options, waitMs));
  if (contactless) {
    await tell(terminal, options, ['READER TEST', 'tap a card']);
    out.push(
      await attempt(deviceOf(terminal, 'contactless'), 'tap', async () => {
        const card = await contactless.waitForCard({ timeoutMs: waitMs });
        await contactless.release();
        return { ok: true, detail: cardDetail(card) };
      }),
    );
  }
  if (stripe) {
    out.push(
      await personStep(terminal, options, waitMs, { role: 'stripe', check: 'swipe', prompt: ['STRIPE TEST', 'swipe a card'], missing: 'no swipe' }, (done) => {
        const offSwipe = stripe.onSwipe((s) => done({ ok: true, detail: maskedSwipe(s) }));
        const offError = stripe.onError((e) => done({ ok: false, detail: `read error: ${e.reason} (${e.detail})` }));
        return () => (offSwipe(), offError());
      }),
    );
  }
  if (scanner) {
    out.push(
      await personStep(terminal, options, waitMs, { role: 'scanner', check: 'scan', prompt: ['SCANNER TEST', 'scan a code'], missing: 'no scan' }, (done) => {
        const offScan = scanner.onScan((s) => done({ ok: true, detail: `${s.symbology ? s.symbology + ' ' : ''}${shownCode(s.code)}` }));
        const offError = scanner.onError((e) => done({ ok: false, detail: `scan error: ${e.reason} (${e.detail})` }));
        return () => (offScan(), offError());
      }),
    );
  }
  return out;
}

// -- all -----------------------------------------------------------------------------------

/**
 * Runs the diagnostics on an open terminal and returns one check per line of the report,
 * in order: self tests (every device the profile names, including those that failed to
 * open), then display, printer, reader, indicator, stripe and scanner checks for the roles
 * the board has, then the interactive steps when asked. Never throws for a device fault.
 */
export async function runDiagnostics(terminal: Terminal, options: DiagOptions = { interactive: false }): Promise<DiagCheck[]> {
  const checks: DiagCheck[] = [];
  const { roles } = terminal;
  const watches = (['stripe', 'scanner'] as const).filter((r) => roles[r]).map((r) => idleWatch(terminal, r));
  for (const r of await terminal.selfTest()) {
    checks.push({ device: r.device, check: 'self test', ok: r.ok, detail: r.ok ? `${r.compatible} ok (${Math.round(r.ms)} ms)` : (r.error ?? 'failed') });
  }
  if (roles.display) checks.push(await displayCheck(terminal));
  if (roles.printer) checks.push(...(await printerChecks(terminal, options)));
  if (roles.contactless) checks.push(await readerPoll(terminal, options));
  if (roles.indicator) checks.push(await indicatorCheck(terminal));
  checks.push(...watches.map((end) => end()));
  if (options.interactive) checks.push(...(await interactiveChecks(terminal, options)));
  return checks;
}

/** The report as a table a person reads (device, check, result, detail). */
export function formatChecks(checks: readonly DiagCheck[]): string {
  const rows = [['DEVICE', 'CHECK', 'RESULT', 'DETAIL'], ...checks.map((c) => [c.device, c.check, c.ok ? 'pass' : 'FAIL', c.detail])];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd() + '\n').join('');
}

export interface DiagnoseBoardOptions extends Omit<DiagOptions, 'printerCharset'> {
  /** Records all sim bus traffic as JSON lines (`--trace-bus`). */
  tracePath?: string;
}

/**
 * `pos diag`: opens the board's devices (the Linux backends load only for a real board),
 * runs the diagnostics, closes everything. The printer charset comes from the profile.
 */
export async function diagnoseBoard(profile: BoardProfile, options: DiagnoseBoardOptions): Promise<{ board: string; checks: DiagCheck[]; formatted: string }> {
  const { tracePath, ...rest } = options;
  const printer = profile.devices.find((d) => d.name === profile.roles.printer);
  const charset = printer?.props.charset;
  const trace = tracePath ? fileBusTrace(tracePath) : undefined;
  const terminal = await buildTerminal(profile, trace ? { trace } : {});
  try {
    const checks = await runDiagnostics(terminal, { ...rest, ...(typeof charset === 'string' ? { printerCharset: charset } : {}) });
    return { board: terminal.board, checks, formatted: formatChecks(checks) };
  } finally {
    await terminal.close();
  }
}
