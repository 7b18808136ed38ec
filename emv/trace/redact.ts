/**
 * Redaction at capture (DESIGN "Sensitive data in traces and logs"): what a recorded trace
 * must never hold. Track 2 equivalent data (57) and Track 2 Data (9F6B) keep PAN, separator,
 * expiry and service code (card data, stored encrypted like the rest of the trace) and lose
 * their discretionary data (PIN verification and card verification values live there;
 * EMV Book 3 Annex A, ISO/IEC 7813), zeroed digit for digit so every length stays as the
 * card sent it; Track 1 Data (56) the same way (format code, PAN, name, expiry and service
 * code kept, discretionary characters zeroed as ASCII '0', so a mag-stripe mode trace still
 * replays, Book C-2); the track discretionary data objects (9F1F, 9F20) are zeroed whole. The data field of VERIFY (the PIN block, Book 3 6.5.12) is zeroed.
 */
import { tlvSpans } from './spans.js';

/** Tags whose value is (or carries) track data. */
export const TRACK_TAGS = { TRACK2_EQUIVALENT: 0x57, TRACK2_DATA: 0x9f6b, TRACK1_DATA: 0x56, TRACK1_DISCRETIONARY: 0x9f1f, TRACK2_DISCRETIONARY: 0x9f20 } as const;

const TRACK_NAMES: Record<number, string> = {
  0x57: '57 (track 2 equivalent data: discretionary data zeroed)',
  0x9f6b: '9F6B (track 2 data: discretionary data zeroed)',
  0x56: '56 (track 1 data: discretionary data zeroed)',
  0x9f1f: '9F1F (track 1 discretionary data: zeroed)',
  0x9f20: '9F20 (track 2 discretionary data: zeroed)',
};

/** Zeroes the track 2 discretionary digits after PAN, D, YYMM and the 3-digit service code (F padding kept). */
function zeroTrack2(value: Uint8Array): void {
  const digits = Buffer.from(value).toString('hex').toUpperCase();
  const sep = digits.indexOf('D');
  if (sep < 0) {
    value.fill(0);
    return;
  }
  const keep = sep + 1 + 4 + 3;
  const out = digits.slice(0, keep) + digits.slice(keep).replace(/[0-9A-E]/g, '0');
  value.set(Buffer.from(out, 'hex'));
}

/** Zeroes the track 1 discretionary characters after B PAN ^ NAME ^ YYMM and the service code (ISO/IEC 7813). */
function zeroTrack1(value: Uint8Array): void {
  const text = Buffer.from(value).toString('latin1');
  const first = text.indexOf('^');
  const second = first < 0 ? -1 : text.indexOf('^', first + 1);
  const keep = second < 0 ? 0 : Math.min(text.length, second + 1 + 4 + 3);
  value.fill(0x30, keep);
}

/** Redacts track data in a response (data + status word), in place on a copy; returns it and what was redacted. */
export function redactResponse(rapdu: Uint8Array): { response: Uint8Array; redacted: string[] } {
  const response = Uint8Array.from(rapdu);
  const redacted: string[] = [];
  for (const s of tlvSpans(response, 0, Math.max(0, response.length - 2))) {
    const name = TRACK_NAMES[s.tag];
    if (name === undefined) continue;
    const value = response.subarray(s.valueStart, s.valueEnd);
    if (s.tag === TRACK_TAGS.TRACK2_EQUIVALENT || s.tag === TRACK_TAGS.TRACK2_DATA) zeroTrack2(value);
    else if (s.tag === TRACK_TAGS.TRACK1_DATA) zeroTrack1(value);
    else value.fill(s.tag === TRACK_TAGS.TRACK2_DISCRETIONARY ? 0x00 : 0x30);
    redacted.push(name);
  }
  return { response, redacted };
}

/** VERIFY (INS 20): the data field zeroed; other commands unchanged. */
export function redactCommand(capdu: Uint8Array): { command: Uint8Array; redacted: string[] } {
  if (capdu.length > 5 && capdu[1] === 0x20) {
    const command = Uint8Array.from(capdu);
    const lc = command[4]!;
    command.fill(0, 5, Math.min(command.length, 5 + lc));
    return { command, redacted: ['VERIFY data (PIN block: zeroed)'] };
  }
  return { command: capdu, redacted: [] };
}

/** True when the redaction note names track data (so ODA over those records cannot be verified). */
export function isTrackRedaction(note: string): boolean {
  return /^(57|9F6B|56|9F1F|9F20)\b/i.test(note);
}
