/**
 * Security audit events and the sink they go through (issue 5: login, failure, lockout,
 * key load, config change, factory reset ...). The engine's journal becomes the sink
 * later; until then {@link EncryptedAuditLog} keeps them. An event never carries a PIN,
 * password, key or full PAN: {@link sanitizeEvent} is applied by every sink as a last
 * line of defence (long hex runs redacted, PANs masked).
 */
import { scrubPans } from '../log.js';

export const AUDIT_EVENT_TYPES = {
  login: 'a user signed in',
  'login-failure': 'a sign-in failed (wrong ID, password, PIN or TOTP code; disabled; locked)',
  lockout: 'failed sign-ins locked an account',
  logout: 'a user signed out, or was signed out (idle timeout, line closed)',
  'password-change': 'a password or PIN was changed or reset',
  'key-load': 'a key was loaded (TR-31 block or components)',
  'key-delete': 'a key was deleted',
  'config-change': 'a configuration key was set or reset',
  'user-change': 'a user was added, disabled, enabled or given another role',
  'factory-reset': 'keys and data were wiped',
  'console-open': 'the technician console started on a serial line',
  'console-close': 'the technician console stopped',
  'diag-run': 'hardware diagnostics were run',
  'permission-denied': 'a user tried an action their role does not allow',
  'first-boot': 'first-boot credentials were set or seeded',
  'trace-change': 'APDU tracing was armed or disarmed, or a trace was exported or deleted',
  'capk-change': 'a CA public key was added, removed or imported',
} as const;

export type AuditEventType = keyof typeof AUDIT_EVENT_TYPES;

export type AuditDetail = Readonly<Record<string, string | number | boolean>>;

export interface AuditEvent {
  type: AuditEventType;
  /** Who did it: a user ID, "unknown", or "system". */
  actor: string;
  /** Where: "console:/dev/serial0", "keypad", "cli". */
  channel?: string;
  /** What it was done to: a key name, a config key, a user ID. */
  subject?: string;
  outcome?: 'ok' | 'failed' | 'denied';
  /** Extra facts (never secrets). */
  detail?: AuditDetail;
}

/** An event as stored: numbered and timed by the sink. */
export interface AuditRecord extends AuditEvent {
  seq: number;
  /** ISO 8601, UTC. */
  at: string;
}

/**
 * Where security events go. Rules: `record` resolves once the event is durable (a caller
 * that must audit before acting, like factory reset, awaits it); events are kept in call
 * order; a rejection means the event was not recorded and the caller should not proceed
 * with the audited action.
 */
export interface AuditSink {
  record(event: AuditEvent): Promise<void>;
}

// 16+ hex digits in a row could be key material (a DES key is 16); KCVs (6 or 10) pass.
const LONG_HEX = /\b[0-9A-Fa-f]{16,}\b/g;

function clean(text: string): string {
  return scrubPans(text).replace(LONG_HEX, '[redacted]');
}

/** Masks PANs and redacts anything that looks like key bytes in every string of an event. */
export function sanitizeEvent(event: AuditEvent): AuditEvent {
  const detail = event.detail
    ? Object.fromEntries(Object.entries(event.detail).map(([k, v]) => [k, typeof v === 'string' ? clean(v) : v]))
    : undefined;
  return {
    type: event.type,
    actor: clean(event.actor),
    ...(event.channel !== undefined ? { channel: clean(event.channel) } : {}),
    ...(event.subject !== undefined ? { subject: clean(event.subject) } : {}),
    ...(event.outcome !== undefined ? { outcome: event.outcome } : {}),
    ...(detail ? { detail } : {}),
  };
}

/** Keeps events in memory (tests; a board with no storage). */
export class MemoryAuditSink implements AuditSink {
  readonly records: AuditRecord[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  async record(event: AuditEvent): Promise<void> {
    this.records.push({ ...sanitizeEvent(event), seq: this.records.length + 1, at: new Date(this.now()).toISOString() });
  }
}
