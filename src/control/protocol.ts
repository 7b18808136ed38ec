/**
 * The control channel's language (`pos run --board sim --control PATH`): one JSON value per
 * line in each direction. A client sends requests that act on the sim board as a person
 * would (press a key, present a card, load paper); every client receives the events the
 * terminal produces (LCD text, printed receipts, beeps, the application's state).
 *
 * Requests (exactly one of these keys per line; an optional `"id"` of any JSON scalar is
 * echoed in the reply):
 * - `{"press": "5"}`: a key by its label or name in the keypad layout (`"ENTER"`, `"CANCEL"`).
 * - `{"present": {"card": "NAME", "via": "tap"|"insert"|"swipe"}}`: a card of the
 *   virtual-card catalogue (`pos cards`) to the contactless field, the contact reader or
 *   the stripe reader.
 * - `{"remove": true}`: takes every presented card away.
 * - `{"scan": "CODE"}`: the code scanner reads a code.
 * - `{"paper": "out"|"in"}`: the printer runs out of paper / a new roll is loaded.
 * - `{"state": true}`: the requesting client gets one `state` event.
 *
 * Replies, to the requesting client only: `{"ok": "<request kind>", "id"?}` once the
 * request has been carried out, or `{"error": {"code", "message"}, "id"?}`. Events, to
 * every client: `{"lcd": [rows]}`, `{"receipt": {"text", "png"}}`, `{"beep": PATTERN}`,
 * `{"state": {"screen", "txn"}}`.
 */

/** How a card reaches the terminal (the engine contract's `CardVia`). */
export type ControlVia = 'tap' | 'insert' | 'swipe';

export const CONTROL_VIAS: readonly ControlVia[] = ['tap', 'insert', 'swipe'];

/** An id the client chose to match replies to requests. */
export type RequestId = string | number | boolean | null;

export type ControlRequest =
  | { readonly kind: 'press'; readonly key: string }
  | { readonly kind: 'present'; readonly card: string; readonly via: ControlVia }
  | { readonly kind: 'remove' }
  | { readonly kind: 'scan'; readonly code: string }
  | { readonly kind: 'paper'; readonly paper: 'out' | 'in' }
  | { readonly kind: 'state' };

export type RequestKind = ControlRequest['kind'];

/**
 * Error codes of the control channel, with their meaning:
 * - `CONTROL_BAD_JSON`: the line is not one JSON value.
 * - `CONTROL_BAD_REQUEST`: JSON, but not one of the requests above (unknown or several keys,
 *   wrong value types).
 * - `CONTROL_LINE_TOO_LONG`: a line longer than {@link MAX_LINE_BYTES}; it is discarded.
 * - `CONTROL_UNKNOWN_KEY`: no key with that label or name in the board's keypad layout.
 * - `CONTROL_UNKNOWN_CARD`: no card with that name in the catalogue.
 * - `CONTROL_UNSUPPORTED_VIA`: the card cannot be presented that way (e.g. a contact-only
 *   card tapped), or the board has no reader for it.
 * - `CONTROL_NO_DEVICE`: the board has no device for the request (no scanner, no printer).
 * - `CONTROL_FAILED`: the device refused (its message says why).
 * - `CONTROL_PATH_IN_USE`: another process listens on the socket path, or it is not a socket.
 */
export const CONTROL_ERRORS = {
  CONTROL_BAD_JSON: 'the line is not one JSON value',
  CONTROL_BAD_REQUEST: 'not a control request',
  CONTROL_LINE_TOO_LONG: 'line too long',
  CONTROL_UNKNOWN_KEY: 'no such key on the keypad',
  CONTROL_UNKNOWN_CARD: 'no such card in the catalogue',
  CONTROL_UNSUPPORTED_VIA: 'the card cannot be presented that way',
  CONTROL_NO_DEVICE: 'the board has no device for this',
  CONTROL_FAILED: 'the device refused',
  CONTROL_PATH_IN_USE: 'the socket path is in use',
} as const;

export type ControlErrorCode = keyof typeof CONTROL_ERRORS;

export class ControlError extends Error {
  override readonly name = 'ControlError';
  constructor(
    readonly code: ControlErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A request line longer than this (bytes, without the newline) is refused and dropped. */
export const MAX_LINE_BYTES = 64 * 1024;

/** What the application shows, for `state` events (the app's `view()`; see AppView). */
export interface ControlState {
  readonly screen: string;
  readonly txn: unknown;
}

export type ControlEvent =
  | { readonly lcd: readonly string[] }
  | { readonly receipt: { readonly text: string; readonly png: string | null } }
  | { readonly beep: string }
  | { readonly state: ControlState };

export type ControlReply =
  | { readonly ok: RequestKind; readonly id?: RequestId }
  | { readonly error: { readonly code: ControlErrorCode; readonly message: string }; readonly id?: RequestId };

export type ControlMessage = ControlEvent | ControlReply;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const KINDS: readonly RequestKind[] = ['press', 'present', 'remove', 'scan', 'paper', 'state'];

const short = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 60)}...` : s;
};

function requestOf(kind: RequestKind, value: unknown): ControlRequest {
  const bad = (expected: string): ControlError => new ControlError('CONTROL_BAD_REQUEST', `"${kind}": expected ${expected}, got ${short(value)}`);
  switch (kind) {
    case 'press':
      if (typeof value !== 'string' || value === '') throw bad('a key label such as "5" or "ENTER"');
      return { kind, key: value };
    case 'present': {
      if (!isRecord(value)) throw bad('{"card": NAME, "via": "tap"|"insert"|"swipe"}');
      const extra = Object.keys(value).filter((k) => k !== 'card' && k !== 'via');
      if (extra.length) throw bad(`only "card" and "via" (unknown: ${extra.join(', ')})`);
      const { card, via } = value;
      if (typeof card !== 'string' || card === '') throw bad('"card": a card name (pos cards)');
      if (typeof via !== 'string' || !(CONTROL_VIAS as readonly string[]).includes(via)) throw bad('"via": "tap", "insert" or "swipe"');
      return { kind, card, via: via as ControlVia };
    }
    case 'remove':
      if (value !== true) throw bad('true');
      return { kind };
    case 'scan':
      if (typeof value !== 'string' || value === '') throw bad('the code as a string');
      return { kind, code: value };
    case 'paper':
      if (value !== 'out' && value !== 'in') throw bad('"out" or "in"');
      return { kind, paper: value };
    case 'state':
      if (value !== true) throw bad('true');
      return { kind };
  }
}

/**
 * Parses one request line. Never throws: bad input gives `{ error }` with the id when the
 * line was an object carrying one.
 */
export function parseRequest(line: string): { request: ControlRequest; id?: RequestId } | { error: ControlError; id?: RequestId } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { error: new ControlError('CONTROL_BAD_JSON', `not JSON: ${short(line)}`) };
  }
  if (!isRecord(value)) return { error: new ControlError('CONTROL_BAD_REQUEST', `expected an object such as {"press": "5"}, got ${short(value)}`) };
  const rawId = value.id;
  const id = rawId === null || ['string', 'number', 'boolean'].includes(typeof rawId) ? (rawId as RequestId) : undefined;
  const withId = <T extends object>(r: T): T & { id?: RequestId } => (id === undefined ? r : { ...r, id });
  if ('id' in value && id === undefined) return { error: new ControlError('CONTROL_BAD_REQUEST', '"id" must be a string, number, boolean or null') };
  const keys = Object.keys(value).filter((k) => k !== 'id');
  const kinds = keys.filter((k): k is RequestKind => (KINDS as readonly string[]).includes(k));
  const unknown = keys.filter((k) => !(KINDS as readonly string[]).includes(k));
  if (unknown.length) return withId({ error: new ControlError('CONTROL_BAD_REQUEST', `unknown request ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${KINDS.join(', ')})`) });
  if (kinds.length !== 1) return withId({ error: new ControlError('CONTROL_BAD_REQUEST', kinds.length ? `one request per line, got ${kinds.join(' and ')}` : `empty request (known: ${KINDS.join(', ')})`) });
  try {
    return withId({ request: requestOf(kinds[0]!, value[kinds[0]!]) });
  } catch (err) {
    return withId({ error: err as ControlError });
  }
}

/** One message as a line on the wire. */
export function encodeMessage(message: ControlMessage | ControlRequestWire): string {
  return `${JSON.stringify(message)}\n`;
}

/** A request as a client writes it (what {@link parseRequest} reads back). */
export type ControlRequestWire =
  | { press: string; id?: RequestId }
  | { present: { card: string; via: ControlVia }; id?: RequestId }
  | { remove: true; id?: RequestId }
  | { scan: string; id?: RequestId }
  | { paper: 'out' | 'in'; id?: RequestId }
  | { state: true; id?: RequestId };

/** Splits a byte stream into lines, refusing (and skipping) lines longer than the limit. */
export class LineSplitter {
  private buffer = '';
  private overflow = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onTooLong: () => void,
    private readonly maxBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: string): void {
    let text = this.buffer + chunk;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
      const line = text.slice(0, nl).replace(/\r$/, '');
      text = text.slice(nl + 1);
      if (this.overflow) {
        // The tail of a line already refused.
        this.overflow = false;
        continue;
      }
      if (Buffer.byteLength(line) > this.maxBytes) this.onTooLong();
      else if (line.trim() !== '') this.onLine(line);
    }
    if (Buffer.byteLength(text) > this.maxBytes) {
      if (!this.overflow) this.onTooLong();
      this.overflow = true;
      text = '';
    }
    this.buffer = text;
  }
}
