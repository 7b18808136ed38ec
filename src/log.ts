/**
 * The project's logger: one namespace per file (`pos:hal:i2c`), levels, one sink per
 * process. Card data never reaches a logger unmasked: callers pass PANs through the EMV
 * layer's maskPan first, and the sink additionally refuses to write anything that looks
 * like a full PAN (13-19 digits passing Luhn), replacing it with a masked form.
 */
import { appendFileSync } from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

type Sink = (line: string) => void;

let sink: Sink = (line) => void process.stderr.write(line + '\n');
let threshold: number = ORDER[(process.env.POS_LOG as LogLevel) in ORDER ? (process.env.POS_LOG as LogLevel) : 'info'];

/** Sends log lines to a file (e.g. while the interactive screen owns the terminal). */
export function logToFile(path: string): void {
  sink = (line) => appendFileSync(path, line + '\n');
}

export function setLogSink(next: Sink): void {
  sink = next;
}

export function setLogLevel(level: LogLevel): void {
  threshold = ORDER[level];
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Last line of defence: masks any 13-19 digit Luhn-valid run (a PAN) in a log line. */
export function scrubPans(text: string): string {
  return text.replace(/\d{13,19}/g, (run) => (luhn(run) ? `${run.slice(0, 6)}${'*'.repeat(run.length - 10)}${run.slice(-4)}` : run));
}

export function createLogger(namespace: string): Logger {
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (ORDER[level] < threshold) return;
    const extra = fields ? ' ' + JSON.stringify(fields) : '';
    sink(scrubPans(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${namespace}: ${msg}${extra}`));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
