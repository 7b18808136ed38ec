// Annotated APDU transcripts (STYLE.md): ">" command, "<" response, "#" comment citing the
// spec section of the command. Fixtures are compared on their ">"/"<" lines; on a mismatch
// the actual transcript is written beside the fixture (<name>.apdu.actual) to diff.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const CITE: Record<number, string> = {
  0xa4: 'SELECT (Book 1 11.3; PSE/PPSE Book 1 12.3.2, Book B 3.3)',
  0xb2: 'READ RECORD (Book 3 6.5.11; PSE directory Book 1 12.3.2 or AFL Book 3 10.2)',
  0xa8: 'GET PROCESSING OPTIONS with the PDOL data (Book 3 6.5.8, 10.1)',
  0xca: 'GET DATA (Book 3 6.5.7: ATC / last online ATC for velocity 10.6.3, PIN Try Counter 10.5.1)',
  0x20: 'VERIFY (Book 3 6.5.12; PIN block not shown in logs, test PIN only)',
  0x84: 'GET CHALLENGE (Book 3 6.5.6)',
  0x88: 'INTERNAL AUTHENTICATE with the DDOL data (Book 3 6.5.9, Book 2 6.5)',
  0xae: 'GENERATE AC (Book 3 6.5.5, 9.3; CDA when P1 bit 5 set, Book 2 6.6)',
  0x82: 'EXTERNAL AUTHENTICATE with Issuer Authentication Data (Book 3 6.5.4, 10.9)',
  0xda: 'issuer script command (Book 3 10.10)',
  0x2a: 'COMPUTE CRYPTOGRAPHIC CHECKSUM with the UDOL data (Book C-2 mag-stripe mode)',
};

export function transcriptText(header: string[], lines: readonly string[]): string {
  const out = header.map((h) => `# ${h}`);
  for (const l of lines) {
    if (l.startsWith('>')) {
      const ins = parseInt(l.slice(4, 6), 16);
      out.push(`# ${CITE[ins] ?? 'command'}`);
    }
    out.push(l);
  }
  return out.join('\n') + '\n';
}

/**
 * The ">"/"<" lines to compare. A response signed over a card-chosen ICC dynamic number
 * (INTERNAL AUTHENTICATE, GENERATE AC with CDA: Book 2 6.5.1, 6.6.1) differs on every run:
 * only its length and status word are compared (so with GET CHALLENGE and the enciphered
 * PIN block built on it); in a qVSDC GPO response (Book C-3) the
 * data up to the card's dynamic data (9F69, fDDA signature 9F4B) is.
 */
function exchanges(text: string): string[] {
  const out: string[] = [];
  let signed = false;
  let gpo = false;
  for (const l of text.split('\n')) {
    if (l.startsWith('>')) {
      const ins = l.slice(4, 6);
      gpo = ins === 'A8';
      // GET CHALLENGE answers a card random number, so the enciphered PIN block (VERIFY P2 88) differs on every run too.
      signed = ins === '88' || ins === '84' || (ins === 'AE' && (parseInt(l.slice(6, 8), 16) & 0x10) !== 0);
      out.push(ins === '20' && l.slice(8, 10) === '88' ? `${l.slice(0, 12)} [enciphered PIN block]` : l);
    } else if (l.startsWith('<')) {
      // 9F69 (card authentication related data) holds the card's own unpredictable number.
      const fdda = gpo && l.includes('9F4B81') ? Math.min(...['9F69', '9F4B81'].map((x) => l.indexOf(x)).filter((i) => i > 0 && i % 2 === 0)) : -1;
      if (signed) out.push(`< [${(l.length - 2) / 2 - 2} signed bytes] ${l.slice(-4)}`);
      else if (fdda > 0 && fdda % 2 === 0) out.push(`${l.slice(0, fdda)} [card dynamic data and fDDA signature, ${(l.length - fdda) / 2 - 2} bytes] ${l.slice(-4)}`);
      else out.push(l);
    }
  }
  return out;
}

/** Compares with the fixture; creates it when absent and UPDATE_FIXTURES=1. Returns undefined when equal, else a message. */
export function checkFixture(url: URL, text: string): string | undefined {
  const path = url.pathname;
  if (!existsSync(path)) {
    if (process.env.UPDATE_FIXTURES === '1') {
      writeFileSync(path, text);
      return undefined;
    }
    writeFileSync(path + '.actual', text);
    return `fixture ${path} missing (actual written beside it)`;
  }
  const want = exchanges(readFileSync(path, 'utf8'));
  const got = exchanges(text);
  if (want.join('\n') === got.join('\n')) return undefined;
  writeFileSync(path + '.actual', text);
  const i = want.findIndex((l, k) => l !== got[k]);
  return `transcript differs at exchange line ${i + 1}: want ${want[i] ?? '(end)'}, got ${got[i] ?? '(end)'} (actual written to ${path}.actual)`;
}
