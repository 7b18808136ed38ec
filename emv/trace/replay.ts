/**
 * Replay: the real kernel ({@link runTransaction}) against a card that answers from a
 * recorded {@link Trace}.
 *
 * Matching (issue 10): each command the kernel sends is matched to the first unused
 * recorded exchange, from where the last match was, ignoring Le; exactly otherwise, or by
 * CLA, INS, P1, P2 for GET PROCESSING OPTIONS, GENERATE AC, INTERNAL AUTHENTICATE and COMPUTE
 * CRYPTOGRAPHIC CHECKSUM (mag-stripe mode: its UDOL data is the terminal's unpredictable
 * number) (their data depends on terminal data: the difference is reported) and for VERIFY (the PIN block
 * is redacted at capture and never compared). A command no exchange matches, or one whose
 * recorded exchange has no response, cannot be answered: the card "leaves" (the kernel's
 * reader fault) and the outcome is `incomplete-trace`. Recorded exchanges never used are
 * reported as skipped. {@link replayTrace} never throws.
 */
import { bcdDigits, bcdToNumber, fromHex, toHex } from '../bytes.js';
import { INS, INS_NAMES, PPSE_NAME, parseCommand } from '../apdu/apdu.js';
import { isEmvError } from '../errors.js';
import { emvOda } from '../kernel/oda.js';
import { runTransaction, type KernelResult } from '../kernel/kernel.js';
import type { Interface, KernelOutcome, KernelStep, OdaMethod, OdaRequest, OdaVerifier, PinEntry, PinEntryResult, TerminalConfig, TransactionParams } from '../kernel/types.js';
import type { Trace, TraceExchange } from './format.js';
import { isTrackRedaction, TRACK_TAGS } from './redact.js';
import { tlvSpans } from './spans.js';
import { unverifiableOda } from './unverifiable-oda.js';

export type ReplayOutcome = KernelOutcome['outcome'] | 'incomplete-trace';

export interface Divergence {
  /** unanswered: the kernel sent a command the trace has no answer for; skipped: a recorded exchange the kernel never sent; data-differs: matched by header, data differs. */
  readonly kind: 'unanswered' | 'skipped' | 'data-differs';
  /** 0-based index of the recorded exchange, when there is one. */
  readonly exchange?: number;
  /** Trace line of that exchange's command. */
  readonly line?: number;
  /** The kernel's command (unanswered, data-differs) or the recorded one (skipped), uppercase hex. */
  readonly command: string;
  /** data-differs: the recorded command. */
  readonly recorded?: string;
  readonly detail: string;
}

export interface ReplayStep {
  readonly step: KernelStep;
  /** The card commands of the step, e.g. "SELECT A0000000031010 -> 9000". */
  readonly commands: readonly string[];
}

export interface ReplayReport {
  readonly outcome: ReplayOutcome;
  readonly aid: string | null;
  readonly oda: { readonly method: 'none' | 'sda' | 'dda' | 'fdda' | 'cda'; readonly result: 'success' | 'failed' | 'not-performed' | 'unverifiable' };
  readonly tvr: string | null;
  readonly tsi: string | null;
  readonly cvm: { readonly method: string; readonly results: string } | null;
  readonly stoppedAt: string | null;
  readonly reason: string | null;
  readonly interface: Interface;
  readonly steps: readonly ReplayStep[];
  readonly divergences: readonly Divergence[];
  /** The terminal data used (tag -> hex). */
  readonly terminal: Readonly<Record<string, string>>;
}

export interface ReplayOptions {
  /** The terminal: AIDs, capabilities, CA keys. Terminal data in the trace header override capabilities, country, TTQ and terminal type. */
  readonly config: TerminalConfig;
  readonly interface?: Interface;
  readonly amount?: number;
  readonly currency?: number;
  /** YYMMDD. */
  readonly date?: string;
  readonly unpredictableNumber?: Uint8Array;
  /** Default for a trace with no date: today (UTC). */
  readonly today?: () => Date;
}

const BY_HEADER = new Set<number>([INS.GET_PROCESSING_OPTIONS, INS.GENERATE_AC, INS.INTERNAL_AUTHENTICATE, INS.COMPUTE_CRYPTOGRAPHIC_CHECKSUM, INS.VERIFY]);
const ORDER: readonly KernelStep[] = [
  'application-selection',
  'initiate-application-processing',
  'read-application-data',
  'offline-data-authentication',
  'processing-restrictions',
  'cardholder-verification',
  'terminal-risk-management',
  'terminal-action-analysis',
  'first-generate-ac',
  'online-processing',
  'issuer-script-processing',
  'second-generate-ac',
  'completion',
];

/** Header and data of a command (Le dropped); a command that does not parse is compared whole. */
function split(cmd: Uint8Array): { header: string; data: string } {
  try {
    const c = parseCommand(cmd);
    return { header: toHex(cmd.subarray(0, 4)), data: toHex(c.data) };
  } catch {
    return { header: toHex(cmd.subarray(0, 4)), data: toHex(cmd.subarray(4)) };
  }
}

/** The card side of a replay. */
export class ReplayCard {
  readonly divergences: Divergence[] = [];
  /** Answered exchanges in order: [trace index, kernel command]. */
  readonly log: Array<{ index: number; command: Uint8Array }> = [];
  private readonly used: boolean[];
  private cursor = 0;

  constructor(private readonly trace: Trace) {
    this.used = trace.exchanges.map(() => false);
  }

  readonly transceive = async (cmd: Uint8Array): Promise<Uint8Array> => {
    const want = split(cmd);
    const n = this.trace.exchanges.length;
    for (let k = 0; k < n; k++) {
      const j = (this.cursor + k) % n;
      if (this.used[j]) continue;
      const e = this.trace.exchanges[j]!;
      const got = split(e.command);
      const fuzzy = BY_HEADER.has(cmd[1]!);
      if (got.header !== want.header || (!fuzzy && got.data !== want.data)) continue;
      if (e.response === undefined) {
        this.divergences.push({ kind: 'unanswered', exchange: j, line: e.line, command: toHex(cmd), detail: `the trace ends before the card answered ${name(cmd)}` });
        throw new Error(`the trace has no response to ${name(cmd)} (line ${e.line})`);
      }
      this.used[j] = true;
      this.cursor = j + 1;
      if (fuzzy && cmd[1] !== INS.VERIFY && got.data !== want.data) {
        this.divergences.push({ kind: 'data-differs', exchange: j, line: e.line, command: toHex(cmd), recorded: toHex(e.command), detail: `${name(cmd)}: the kernel's data differs from the recording (terminal data)` });
      }
      this.log.push({ index: j, command: cmd });
      return Uint8Array.from(e.response);
    }
    this.divergences.push({ kind: 'unanswered', command: toHex(cmd), detail: `${name(cmd)}: no recorded exchange answers this command` });
    throw new Error(`the trace has no exchange for ${name(cmd)}`);
  };

  /** Recorded exchanges the kernel never sent, as divergences (call once, after the run). */
  skipped(): Divergence[] {
    return this.trace.exchanges.flatMap((e, j) => (this.used[j] || (e.response === undefined && this.divergences.some((d) => d.exchange === j)) ? [] : [{ kind: 'skipped' as const, exchange: j, line: e.line, command: toHex(e.command), detail: `the kernel never sent this ${name(e.command)}` }]));
  }

  /** Unused recorded exchanges with this instruction, in order. */
  unused(ins: number): TraceExchange[] {
    return this.trace.exchanges.filter((e, j) => !this.used[j] && e.command[1] === ins);
  }
}

function name(cmd: Uint8Array): string {
  return INS_NAMES[cmd[1]!] ?? `INS ${toHex(cmd.subarray(1, 2))}`;
}

function describe(cmd: Uint8Array, response: Uint8Array): string {
  const sw = toHex(response.subarray(response.length - 2));
  const { data } = split(cmd);
  if (cmd[1] === INS.SELECT) return `SELECT ${data} -> ${sw}`;
  if (cmd[1] === INS.READ_RECORD) return `READ RECORD SFI ${cmd[3]! >> 3} record ${cmd[2]} -> ${sw}`;
  if (cmd[1] === INS.GET_DATA) return `GET DATA ${toHex(cmd.subarray(2, 4))} -> ${sw}`;
  return `${name(cmd)} -> ${sw}`;
}

/** The step a command belongs to (Book 1 12; Book 3 10), given what came before it. */
function stepOf(cmd: Uint8Array, state: { gpo: boolean; acs: number; previous: KernelStep }): KernelStep {
  switch (cmd[1]) {
    case INS.SELECT:
      return 'application-selection';
    case INS.READ_RECORD:
      return state.gpo ? 'read-application-data' : 'application-selection';
    case INS.GET_PROCESSING_OPTIONS:
      state.gpo = true;
      return 'initiate-application-processing';
    case INS.INTERNAL_AUTHENTICATE:
      return 'offline-data-authentication';
    case INS.GET_DATA:
      return cmd[2] === 0x9f && cmd[3] === 0x17 ? 'cardholder-verification' : 'terminal-risk-management';
    case INS.GET_CHALLENGE:
    case INS.VERIFY:
      return 'cardholder-verification';
    case INS.GENERATE_AC:
      return state.acs++ === 0 ? 'first-generate-ac' : 'second-generate-ac';
    case INS.EXTERNAL_AUTHENTICATE:
      return 'online-processing';
    case INS.GET_RESPONSE:
      return state.previous;
    default:
      return 'issuer-script-processing';
  }
}

function bit(hex: string | null, byte: number, mask: number): boolean {
  return hex !== null && (parseInt(hex.slice(byte * 2, byte * 2 + 2), 16) & mask) !== 0;
}

function steps(card: ReplayCard, trace: Trace, result: KernelOutcome | undefined, odaCalled: boolean): ReplayStep[] {
  const state = { gpo: false, acs: 0, previous: 'application-selection' as KernelStep };
  const byStep = new Map<KernelStep, string[]>();
  for (const { index, command } of card.log) {
    const s = stepOf(command, state);
    state.previous = s;
    const list = byStep.get(s) ?? [];
    list.push(describe(command, trace.exchanges[index]!.response!));
    byStep.set(s, list);
  }
  const tsi = result === undefined ? null : toHex(result.tsi);
  const add = (s: KernelStep): void => void (byStep.has(s) || byStep.set(s, []));
  // Steps without card commands, from the TSI (Book 3 Annex C6) and how far the kernel got.
  if (odaCalled || bit(tsi, 0, 0x80)) add('offline-data-authentication');
  const reached = (s: KernelStep): boolean => [...byStep.keys()].some((k) => ORDER.indexOf(k) >= ORDER.indexOf(s));
  if (byStep.has('read-application-data') && reached('cardholder-verification')) add('processing-restrictions');
  if (bit(tsi, 0, 0x40)) add('cardholder-verification');
  if (bit(tsi, 0, 0x08)) add('terminal-risk-management');
  if (byStep.has('first-generate-ac')) add('terminal-action-analysis');
  if (result?.stoppedAt !== undefined) add(result.stoppedAt);
  if (result !== undefined && result.stoppedAt === undefined && result.outcome !== 'online-request' && state.acs > 0) add('completion');
  return ORDER.filter((s) => byStep.has(s)).map((s) => ({ step: s, commands: byStep.get(s)! }));
}

function includes(haystack: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length === 0) return false;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let k = 0; k < needle.length; k++) if (haystack[i + k] !== needle[k]) continue outer;
    return true;
  }
  return false;
}

/** The redacted track data objects (tag, length and value, as recorded) of the trace's responses. */
function redactedObjects(trace: Trace): Uint8Array[] {
  const tags = new Set<number>(Object.values(TRACK_TAGS));
  const out: Uint8Array[] = [];
  for (const e of trace.exchanges) {
    if (e.response === undefined || !e.redacted.some(isTrackRedaction)) continue;
    for (const s of tlvSpans(e.response, 0, e.response.length - 2)) if (tags.has(s.tag)) out.push(e.response.subarray(s.start, s.valueEnd));
  }
  return out;
}

function isPpseSelect(cmd: Uint8Array): boolean {
  return cmd[1] === INS.SELECT && split(cmd).data === toHex(PPSE_NAME);
}

/** The AID the trace's cardholder (or terminal) chose: the last SELECT before the first GPO. */
function chosenAid(trace: Trace): string | undefined {
  let aid: string | undefined;
  for (const e of trace.exchanges) {
    if (e.command[1] === INS.GET_PROCESSING_OPTIONS) break;
    if (e.command[1] === INS.SELECT) aid = split(e.command).data;
  }
  return aid;
}

function yymmdd(d: Date): string {
  return [d.getUTCFullYear() % 100, d.getUTCMonth() + 1, d.getUTCDate()].map((n) => String(n).padStart(2, '0')).join('');
}

/** `# random-selection: NN`, `# forced-online: yes` (written by the recorder's sessionComments). */
function sessionFacts(trace: Trace): Pick<TransactionParams, 'randomSelectionDraw' | 'forcedOnline'> {
  const out: { randomSelectionDraw?: number; forcedOnline?: boolean } = {};
  for (const c of trace.comments) {
    const draw = /^random-selection:\s*([0-9]{1,2})$/i.exec(c);
    if (draw) out.randomSelectionDraw = Number(draw[1]);
    if (/^forced-online:\s*yes$/i.test(c)) out.forcedOnline = true;
  }
  return out;
}

function onlinePinOf(trace: Trace): PinEntryResult['kind'] {
  for (const c of trace.comments) {
    const m = /^online-pin:\s*(entered|bypassed|pinpad-failed)$/i.exec(c);
    if (m) return m[1]!.toLowerCase() as PinEntryResult['kind'];
  }
  return 'entered';
}

/** Transaction parameters and terminal configuration from the trace header, then the options. */
function inputs(trace: Trace, o: ReplayOptions): { params: TransactionParams; config: TerminalConfig; terminal: Record<string, string> } {
  const t = trace.terminal;
  const get = (tag: number): Uint8Array | undefined => t.get(tag);
  const params: TransactionParams = {
    amount: o.amount ?? (get(0x9f02) ? bcdToNumber(get(0x9f02)!) : 0),
    amountOther: get(0x9f03) ? bcdToNumber(get(0x9f03)!) : 0,
    currency: o.currency ?? (get(0x5f2a) ? Number(bcdDigits(get(0x5f2a)!)) : 978),
    ...(get(0x5f36) ? { currencyExponent: get(0x5f36)![0]! } : {}),
    type: get(0x9c)?.[0] ?? 0x00,
    date: o.date ?? (get(0x9a) ? bcdDigits(get(0x9a)!) : yymmdd((o.today ?? (() => new Date()))())),
    time: get(0x9f21) ? bcdDigits(get(0x9f21)!) : '120000',
    unpredictableNumber: o.unpredictableNumber ?? get(0x9f37) ?? fromHex('00000000'),
    sequenceCounter: get(0x9f41) ? bcdToNumber(get(0x9f41)!) : 1,
    ...sessionFacts(trace),
  };
  const c = o.config;
  const config: TerminalConfig = {
    ...c,
    ...(get(0x9f33) ? { capabilities: get(0x9f33)! } : {}),
    ...(get(0x9f40) ? { additionalCapabilities: get(0x9f40)! } : {}),
    ...(get(0x9f35) ? { terminalType: get(0x9f35)![0]! } : {}),
    ...(get(0x9f1a) ? { country: Number(bcdDigits(get(0x9f1a)!)) } : {}),
    ...(get(0x9f66) ? { ttq: get(0x9f66)! } : {}),
  };
  const terminal: Record<string, string> = {
    '9F02': params.amount.toString().padStart(12, '0'),
    '5F2A': params.currency.toString().padStart(4, '0'),
    '9A': params.date,
    '9F37': toHex(params.unpredictableNumber),
  };
  for (const [tag, v] of t) terminal[tag.toString(16).toUpperCase()] ??= toHex(v);
  return { params, config, terminal };
}

const ODA_NAMES: Record<OdaMethod, ReplayReport['oda']['method']> = { SDA: 'sda', DDA: 'dda', fDDA: 'fdda', CDA: 'cda' };

function odaReport(seen: { method?: OdaMethod; result?: 'success' | 'failed' | 'unverifiable' }, tvr: string | null, iface: Interface): ReplayReport['oda'] {
  // Book 3 Annex C5: TVR byte 1 bits 7 (SDA failed), 4 (DDA failed), 3 (CDA failed).
  const failedBit = bit(tvr, 0, 0x40) ? 'sda' : bit(tvr, 0, 0x08) ? (iface === 'contactless' ? 'fdda' : 'dda') : bit(tvr, 0, 0x04) ? 'cda' : undefined;
  const method = seen.method !== undefined ? ODA_NAMES[seen.method] : (failedBit ?? 'none');
  if (seen.result === 'unverifiable') return { method, result: 'unverifiable' };
  if (failedBit !== undefined || seen.result === 'failed') return { method, result: 'failed' };
  return { method, result: seen.result === 'success' ? 'success' : 'not-performed' };
}

/** Runs the kernel against the trace; never throws. */
export async function replayTrace(trace: Trace, options: ReplayOptions): Promise<ReplayReport> {
  const iface: Interface = options.interface ?? trace.interface ?? (trace.exchanges.some((e) => isPpseSelect(e.command)) ? 'contactless' : 'contact');
  const card = new ReplayCard(trace);
  const seen: { method?: OdaMethod; result?: 'success' | 'failed' | 'unverifiable' } = {};
  const redacted = redactedObjects(trace);
  const oda: OdaVerifier = {
    authenticate(req: OdaRequest) {
      seen.method = req.method;
      const r = emvOda.authenticate(req);
      if (r.ok) seen.result = 'success';
      // Only a failed hash over the static data can come from redaction (Book 2 5.4 step 7, 6.4 step 7).
      else if (/^(SDA|ICC key): hash$/.test(r.reason) && redacted.some((obj) => includes(req.staticData, obj))) {
        seen.result = 'unverifiable';
        return unverifiableOda(req);
      } else seen.result = 'failed';
      return r;
    },
    iccPinKey: (c, k, d, s) => emvOda.iccPinKey?.(c, k, d, s),
  };
  const verifies = card.unused(INS.VERIFY).map((e) => split(e.command).data);
  const pin: PinEntry = {
    online: async () => ({ kind: onlinePinOf(trace) }),
    offline: async () => ({ kind: 'entered', verifyData: fromHex(verifies.shift() ?? '0000000000000000') }),
  };
  const want = chosenAid(trace);
  let terminal: Record<string, string> = {};
  let result: KernelResult | undefined;
  let final: KernelOutcome | undefined;
  let failure: string | undefined;
  try {
    const input = inputs(trace, options);
    terminal = input.terminal;
    result = await runTransaction({
      interface: iface,
      params: input.params,
      config: input.config,
      deps: { transceive: card.transceive, oda, pin, chooseApplication: async (list) => list.find((c) => toHex(c.aid) === want) ?? list[0] },
    });
    // Contact online request: complete as the recording did (second GENERATE AC asked TC -> host approved).
    const second = card.unused(INS.GENERATE_AC)[0];
    if (result.complete !== undefined && second !== undefined) {
      const ext = card.unused(INS.EXTERNAL_AUTHENTICATE)[0];
      final = await result.complete({ kind: 'response', arc: (second.command[2]! & 0xc0) === 0x40 ? '00' : '05', ...(ext ? { issuerAuthenticationData: fromHex(split(ext.command).data) } : {}) });
    }
  } catch (err) {
    failure = isEmvError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
  }
  const last = final ?? result;
  const tvr = last === undefined ? null : toHex(last.tvr);
  const report: ReplayReport = {
    outcome: failure !== undefined || last === undefined ? 'incomplete-trace' : last.outcome,
    aid: last?.aid === undefined ? null : toHex(last.aid),
    oda: odaReport(seen, tvr, iface),
    tvr,
    tsi: last === undefined ? null : toHex(last.tsi),
    cvm: last?.cvm === undefined ? null : { method: last.cvm.method, results: toHex(last.cvm.bytes) },
    stoppedAt: last?.stoppedAt ?? null,
    reason: failure ?? last?.reason ?? null,
    interface: iface,
    steps: steps(card, trace, last, seen.method !== undefined),
    divergences: [...card.divergences, ...card.skipped()],
    terminal,
  };
  return report;
}
