/**
 * The control channel's switchboard, independent of the transport: connections send
 * request lines or requests, the hub carries them out on the board's "hands" one after
 * another per connection, answers the requester, and pushes the terminal's events to every
 * connection. The Unix socket server and the in-process `make run` UI are both connections.
 */
import {
  ControlError,
  encodeMessage,
  parseRequest,
  type ControlEvent,
  type ControlMessage,
  type ControlReply,
  type ControlRequest,
  type ControlRequestWire,
  type ControlState,
  type ControlVia,
  type RequestId,
} from './protocol.js';

/** What the control channel can do to the board, as a person would. Failures throw ControlError. */
export interface ControlHands {
  press(key: string): Promise<void>;
  present(card: string, via: ControlVia): Promise<void>;
  remove(): Promise<void>;
  scan(code: string): Promise<void>;
  paper(state: 'out' | 'in'): Promise<void>;
}

export interface ControlHubOptions {
  hands: ControlHands;
  /** The application's state now (answers `{"state": true}`). */
  state(): ControlState;
}

/** One party on the channel: lines or requests in, messages out through `send`. */
export interface ControlConnection {
  /** A raw request line (without the newline). */
  line(text: string): void;
  /** A request already parsed; the promise settles with its reply (also sent through `send`). */
  request(request: ControlRequest, id?: RequestId): Promise<ControlReply>;
  close(): void;
}

/** A client that speaks the wire format, in-process or over the socket (client.ts). */
export interface ControlLink {
  /** Sends a request; resolves with its reply (ok or error). */
  request(request: ControlRequestWire): Promise<ControlReply>;
  /** Every message pushed to this client (events and replies). */
  onMessage(listener: (message: ControlMessage) => void): () => void;
  close(): void;
}

const toRequest = (wire: ControlRequestWire): { request: ControlRequest; id?: RequestId } | { error: ControlError; id?: RequestId } => parseRequest(JSON.stringify(wire));

export class ControlHub {
  private readonly connections = new Set<(message: ControlMessage) => void>();
  private lastLcd: readonly string[] | undefined;
  private closed = false;

  constructor(private readonly options: ControlHubOptions) {}

  /** Pushes an event to every connection (LCD events are also remembered for newcomers). */
  publish(event: ControlEvent): void {
    if (this.closed) return;
    if ('lcd' in event) this.lastLcd = event.lcd;
    for (const send of [...this.connections]) send(event);
  }

  /** Number of connected parties (tests, the banner). */
  get size(): number {
    return this.connections.size;
  }

  /** A new party: it gets the LCD as it is now, then every event. */
  connect(send: (message: ControlMessage) => void): ControlConnection {
    const deliver = (m: ControlMessage): void => {
      try {
        send(m);
      } catch {
        // A party that cannot take a message is gone; the transport closes it.
      }
    };
    if (!this.closed) this.connections.add(deliver);
    if (this.lastLcd) deliver({ lcd: this.lastLcd });
    // One request at a time per connection, in the order sent.
    let queue: Promise<unknown> = Promise.resolve();
    const reply = (r: ControlReply): ControlReply => {
      if (this.connections.has(deliver)) deliver(r);
      return r;
    };
    const run = (request: ControlRequest, id: RequestId | undefined): Promise<ControlReply> => {
      const withId = id === undefined ? {} : { id };
      const next = queue.then(async (): Promise<ControlReply> => {
        try {
          await this.execute(request, deliver);
          return reply({ ok: request.kind, ...withId });
        } catch (err) {
          const e = err instanceof ControlError ? err : new ControlError('CONTROL_FAILED', (err as Error)?.message ?? String(err));
          return reply({ error: { code: e.code, message: e.message }, ...withId });
        }
      });
      queue = next;
      return next;
    };
    return {
      line: (text) => {
        const parsed = parseRequest(text);
        const withId = parsed.id === undefined ? {} : { id: parsed.id };
        if ('error' in parsed) reply({ error: { code: parsed.error.code, message: parsed.error.message }, ...withId });
        else void run(parsed.request, parsed.id);
      },
      request: run,
      close: () => void this.connections.delete(deliver),
    };
  }

  /** An in-process client speaking the wire format (the `make run` UI). */
  link(): ControlLink {
    const listeners = new Set<(m: ControlMessage) => void>();
    // Messages are delivered as on a socket: later, and as fresh JSON (no shared objects).
    const connection = this.connect((m) => {
      const copy = JSON.parse(encodeMessage(m)) as ControlMessage;
      setImmediate(() => listeners.forEach((l) => l(copy)));
    });
    return {
      request: async (wire) => {
        const parsed = toRequest(wire);
        if ('error' in parsed) return { error: { code: parsed.error.code, message: parsed.error.message } };
        return connection.request(parsed.request, parsed.id);
      },
      onMessage: (l) => {
        listeners.add(l);
        return () => void listeners.delete(l);
      },
      close: () => {
        listeners.clear();
        connection.close();
      },
    };
  }

  private async execute(request: ControlRequest, deliver: (m: ControlMessage) => void): Promise<void> {
    const { hands } = this.options;
    switch (request.kind) {
      case 'press':
        return hands.press(request.key);
      case 'present':
        return hands.present(request.card, request.via);
      case 'remove':
        return hands.remove();
      case 'scan':
        return hands.scan(request.code);
      case 'paper':
        return hands.paper(request.paper);
      case 'state':
        deliver({ state: this.options.state() });
        return;
    }
  }

  close(): void {
    this.closed = true;
    this.connections.clear();
  }
}

/** Encodes for the socket (re-exported so transports need one import). */
export { encodeMessage };
