/**
 * The APDU trace format (the annotated transcripts of the kernel tests, STYLE.md "Tests"),
 * read leniently and written canonically:
 *
 * - `> HEX` a command APDU; the next `<` line is its response (`< HEX`, status word last).
 *   Spaces and case in the hex are ignored.
 * - `#` starts a comment, anywhere. Comments the reader understands:
 *   `# terminal: 9F02=000000001000, 9A=261128, 9F37=11223344, 9F66=36004000` (the terminal
 *   data of the session, tag=hex separated by commas or blanks), `# atr: HEX` (a contact
 *   card's Answer To Reset), `# interface: contact|contactless`, and
 *   `# redacted: WHAT` (data removed at capture, for the exchange it sits in or the next one).
 * - A last command with no response is kept (an incomplete trace); a response with no
 *   command, a command followed by another command, bad hex or any other line is an
 *   {@link EmvError} `EMV_TRACE_MALFORMED` whose `offset` is the 1-based line number.
 */
import { fromHex, toHex } from '../bytes.js';
import { EmvError } from '../errors.js';

export interface TraceExchange {
  readonly command: Uint8Array;
  /** Undefined only for the last exchange of an incomplete trace. */
  readonly response: Uint8Array | undefined;
  /** 1-based line numbers of the command and response. */
  readonly line: number;
  readonly responseLine: number | undefined;
  /** What was redacted in this exchange at capture ("57", "VERIFY data"...); empty when nothing. */
  readonly redacted: readonly string[];
}

export interface Trace {
  readonly exchanges: readonly TraceExchange[];
  /** Terminal data from `# terminal:` (tag -> value), in header order. */
  readonly terminal: ReadonlyMap<number, Uint8Array>;
  readonly atr: Uint8Array | undefined;
  readonly interface: 'contact' | 'contactless' | undefined;
  /** Comment lines other than the ones above, without the "#". */
  readonly comments: readonly string[];
}

const malformed = (line: number, why: string): EmvError => new EmvError('EMV_TRACE_MALFORMED', `trace line ${line}: ${why}`, { offset: line });

function hexOf(text: string, line: number, what: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (!/^[0-9A-Fa-f]*$/.test(clean)) throw malformed(line, `${what}: not hex ("${clean.slice(0, 24)}${clean.length > 24 ? '...' : ''}")`);
  if (clean.length % 2 !== 0) throw malformed(line, `${what}: an odd number of hex digits (${clean.length})`);
  return fromHex(clean);
}

/** `9F02=000000001000, 9A=261128` -> tag -> value. */
function terminalData(text: string, line: number): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  for (const part of text.split(/[,\s]+/).filter((p) => p !== '')) {
    const m = /^([0-9A-Fa-f]{2,6})=([0-9A-Fa-f]*)$/.exec(part);
    if (m === null || m[1]!.length % 2 !== 0) throw malformed(line, `terminal data "${part.slice(0, 30)}": expected TAG=HEX`);
    out.set(parseInt(m[1]!, 16), hexOf(m[2]!, line, `terminal data ${m[1]!.toUpperCase()}`));
  }
  return out;
}

export function parseTrace(text: string): Trace {
  const exchanges: TraceExchange[] = [];
  const comments: string[] = [];
  let terminal = new Map<number, Uint8Array>();
  let atr: Uint8Array | undefined;
  let iface: Trace['interface'];
  let pending: { command: Uint8Array; line: number; redacted: string[] } | undefined;
  let nextRedacted: string[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const l = lines[i]!.trim();
    if (l === '') continue;
    const marker = l[0];
    const body = l.slice(1).trim();
    if (marker === '#') {
      const m = /^([a-z]+)\s*:\s*(.*)$/i.exec(body);
      const key = m?.[1]!.toLowerCase();
      if (key === 'terminal') terminal = terminalData(m![2]!, n);
      else if (key === 'atr') atr = hexOf(m![2]!, n, 'ATR');
      else if (key === 'interface' && /^(contact|contactless)$/i.test(m![2]!.trim())) iface = m![2]!.trim().toLowerCase() as 'contact' | 'contactless';
      else if (key === 'redacted') (pending?.redacted ?? nextRedacted).push(m![2]!.trim());
      else comments.push(body);
    } else if (marker === '>') {
      if (pending !== undefined) throw malformed(n, `a command follows the command of line ${pending.line}, which has no response`);
      const command = hexOf(body, n, 'command');
      if (command.length < 4) throw malformed(n, `a command APDU needs at least 4 header bytes, got ${command.length}`);
      pending = { command, line: n, redacted: nextRedacted };
      nextRedacted = [];
    } else if (marker === '<') {
      if (pending === undefined) throw malformed(n, 'a response with no command before it');
      const response = hexOf(body, n, 'response');
      if (response.length < 2) throw malformed(n, `a response needs its two status bytes, got ${response.length} byte${response.length === 1 ? '' : 's'}`);
      exchanges.push({ command: pending.command, response, line: pending.line, responseLine: n, redacted: pending.redacted });
      pending = undefined;
    } else {
      throw malformed(n, `expected ">" (command), "<" (response) or "#" (comment), got "${l.slice(0, 24)}${l.length > 24 ? '...' : ''}"`);
    }
  }
  if (pending !== undefined) exchanges.push({ command: pending.command, response: undefined, line: pending.line, responseLine: undefined, redacted: pending.redacted });
  return { exchanges, terminal, atr, interface: iface, comments };
}

export interface TraceHeader {
  readonly terminal?: ReadonlyMap<number, Uint8Array>;
  readonly atr?: Uint8Array;
  readonly interface?: 'contact' | 'contactless';
  /** Free comment lines for the top (no "#"). */
  readonly comments?: readonly string[];
}

/** The canonical text: header comments, then one `>`/`<` pair per exchange (redaction notes between them). */
export function writeTrace(exchanges: readonly Pick<TraceExchange, 'command' | 'response' | 'redacted'>[], header: TraceHeader = {}): string {
  const out: string[] = [];
  for (const c of header.comments ?? []) out.push(`# ${c.replace(/[\r\n]+/g, ' ')}`);
  if (header.interface !== undefined) out.push(`# interface: ${header.interface}`);
  if (header.atr !== undefined) out.push(`# atr: ${toHex(header.atr)}`);
  if (header.terminal !== undefined && header.terminal.size > 0) {
    out.push(`# terminal: ${[...header.terminal].map(([tag, v]) => `${tag.toString(16).toUpperCase().padStart(2, '0')}=${toHex(v)}`).join(', ')}`);
  }
  for (const e of exchanges) {
    out.push(`> ${toHex(e.command)}`);
    for (const r of e.redacted) out.push(`# redacted: ${r}`);
    if (e.response !== undefined) out.push(`< ${toHex(e.response)}`);
  }
  return out.join('\n') + '\n';
}
