/**
 * A client of the control socket, for scripts, demos and the end-to-end tests: requests
 * with their replies matched by id, and the pushed events kept so a caller can wait for
 * the one it expects.
 */
import net from 'node:net';
import { ControlError, LineSplitter, encodeMessage, type ControlEvent, type ControlMessage, type ControlReply } from './protocol.js';
import type { ControlLink } from './hub.js';

export interface ControlClient extends ControlLink {
  /** Every event received so far, oldest first (replies are not kept here). */
  readonly events: readonly ControlEvent[];
  /**
   * Resolves with the first event (received from now on, or already received after index
   * `since`) that satisfies `match`; rejects after `ms` naming what was seen.
   */
  waitFor<T extends ControlEvent>(match: (e: ControlEvent) => e is T, options?: { ms?: number; since?: number }): Promise<T>;
  waitFor(match: (e: ControlEvent) => boolean, options?: { ms?: number; since?: number }): Promise<ControlEvent>;
  /** Sends a raw line as written (tests of malformed input). */
  sendRaw(text: string): void;
}

const isReply = (m: ControlMessage): m is ControlReply => 'ok' in m || 'error' in m;

export function connectControl(path: string): Promise<ControlClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    socket.setEncoding('utf8');
    const events: ControlEvent[] = [];
    const listeners = new Set<(m: ControlMessage) => void>();
    const waiting = new Map<string, (r: ControlReply) => void>();
    let nextId = 1;
    const lines = new LineSplitter(
      (line) => {
        let m: ControlMessage;
        try {
          m = JSON.parse(line) as ControlMessage;
        } catch {
          return;
        }
        if (isReply(m)) {
          const key = JSON.stringify(m.id ?? null);
          const w = waiting.get(key);
          if (w) {
            waiting.delete(key);
            w(m);
          }
        } else events.push(m);
        for (const l of [...listeners]) l(m);
      },
      () => undefined,
      16 * 1024 * 1024,
    );
    socket.on('data', (chunk: string) => lines.push(chunk));
    socket.once('error', (err) => reject(new ControlError('CONTROL_FAILED', `control socket ${path}: ${err.message}`)));
    socket.on('close', () => {
      for (const w of waiting.values()) w({ error: { code: 'CONTROL_FAILED', message: 'the control socket closed' } });
      waiting.clear();
    });
    const client: ControlClient = {
      events,
      request(wire) {
        const id = `c${nextId++}`;
        return new Promise<ControlReply>((res) => {
          if (socket.destroyed) {
            res({ error: { code: 'CONTROL_FAILED', message: 'the control socket is closed' }, id });
            return;
          }
          waiting.set(JSON.stringify(id), res);
          socket.write(encodeMessage({ ...wire, id }));
        });
      },
      sendRaw(text) {
        socket.write(text);
      },
      onMessage(l) {
        listeners.add(l);
        return () => void listeners.delete(l);
      },
      waitFor(match: (e: ControlEvent) => boolean, options: { ms?: number; since?: number } = {}): Promise<ControlEvent> {
        const ms = options.ms ?? 30_000;
        if (options.since !== undefined) {
          const found = events.slice(options.since).find(match);
          if (found) return Promise.resolve(found);
        }
        return new Promise((res, rej) => {
          const timer = setTimeout(() => {
            off();
            const tail = events.slice(-8).map((e) => JSON.stringify(e)).join('\n  ');
            rej(new Error(`no matching control event within ${ms} ms; last events:\n  ${tail}`));
          }, ms);
          const off = client.onMessage((m) => {
            if (isReply(m) || !match(m)) return;
            clearTimeout(timer);
            off();
            res(m);
          });
        });
      },
      close() {
        socket.end();
        socket.destroy();
      },
    };
    socket.once('connect', () => resolve(client));
  });
}
