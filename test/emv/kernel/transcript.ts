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

const exchanges = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('>') || l.startsWith('<'));

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
