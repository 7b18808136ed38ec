/**
 * Bus traffic recording, like a logic analyser on the sim buses (`pos run --trace-bus FILE`,
 * `POS_TRACE_BUS=FILE`): one JSON object per line, in order, with `t` (microseconds since
 * the trace opened), `bus` (the profile's bus name) and the per-kind fields documented in
 * the foundation issue:
 *   I2C    {"addr": 39, "op": "write"|"read", "data": "HEX"}
 *   SPI    {"cs": 0, "op": "transfer", "tx": "HEX", "rx": "HEX"}
 *   serial {"op": "write"|"read", "data": "HEX"}      (write = from the driver)
 *   GPIO   {"line": "GPIO5", "op": "set"|"get"|"edge", "value": 0|1}   (electrical level)
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export type TraceEntry = { t: number; bus: string } & Record<string, string | number>;

export interface BusTrace {
  record(bus: string, fields: Record<string, string | number>): void;
  close(): void;
}

const start = process.hrtime.bigint();
const nowUs = (): number => Number((process.hrtime.bigint() - start) / 1000n);

/** A trace written to a file as JSON lines (synchronous appends keep the order exact). */
export function fileBusTrace(path: string): BusTrace {
  let fd: number | undefined = openSync(path, 'w');
  const t0 = nowUs();
  return {
    record(bus, fields) {
      if (fd === undefined) return;
      writeSync(fd, JSON.stringify({ t: nowUs() - t0, bus, ...fields }) + '\n');
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** A trace kept in memory (tests). */
export function memoryBusTrace(): BusTrace & { entries: TraceEntry[] } {
  const t0 = nowUs();
  const entries: TraceEntry[] = [];
  return {
    entries,
    record(bus, fields) {
      entries.push({ t: nowUs() - t0, bus, ...fields });
    },
    close() {},
  };
}

/** Parses a trace file's text back into entries (for replaying a trace in tests). */
export function parseBusTrace(text: string): TraceEntry[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as TraceEntry);
}
