/**
 * The acquirer simulator as the sim board, `make run` and `pos host-sim` use it: its test
 * cards are the virtual-card catalogue's (same PANs, the catalogue's TEST issuer master
 * keys), so a card the terminal reads is a card the host knows, and its ARQC verifies with
 * the same keys the card used. Only the composition root may import emv/cards.
 */
import { TEST_CARDS, issuerKeysFor } from '../../emv/cards/catalogue.js';
import { cryptogramData, produceArpc, verifyArqc } from '../../emv/crypto/emv-keys.js';
import type { Layout } from '../host/iso8583/layout.js';
import { AcquirerSimulator, type IssuerCrypto, type SimCard } from '../host/simulator/simulator.js';
import type { LedgerJson } from '../host/simulator/ledger.js';
import { readFileSync } from 'node:fs';

/** The test PIN of every catalogue card at the simulator (online PIN). */
export const TEST_ONLINE_PIN = '1234';

/** TEST keys shared by the sim terminal and the simulator (never real keys). */
export const TEST_HOST_KEYS = {
  /** DUKPT base derivation key: the ANSI X9.24-1 Annex A example BDK. */
  bdk: '0123456789ABCDEFFEDCBA9876543210',
  /** The terminal's initial KSN under that BDK (X9.24-1 Annex A). */
  initialKsn: 'FFFF9876543210E00000',
} as const;

/** The simulator's view of the catalogue: every card's first application, 1,000.00 on it. */
export function catalogueCards(): SimCard[] {
  return TEST_CARDS.map((c) => ({
    name: c.name,
    pan: c.pan,
    expiry: c.expiry,
    pin: TEST_ONLINE_PIN,
    requiresPin: c.name === 'online-pin',
    balanceMinor: 100_000,
    currency: '156',
  }));
}

/** ARQC check and ARPC with the catalogue's TEST issuer keys (EMV Book 2 8.1, 8.2). */
export const catalogueIssuer: IssuerCrypto = {
  authorise(card, tags, arc) {
    const psn = tags.get(0x5f34);
    const keys = issuerKeysFor(card.pan, psn ? Buffer.from(psn).toString('hex').slice(0, 2) : undefined) ?? issuerKeysFor(card.pan);
    if (!keys) return { ok: false, reason: 'no issuer keys for this card' };
    const arqc = tags.get(0x9f26);
    const atc = tags.get(0x9f36);
    if (!arqc || !atc) return { ok: false, reason: 'field 55 lacks 9F26 or 9F36' };
    let data: Uint8Array;
    try {
      data = cryptogramData((tag) => tags.get(tag));
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
    const un = tags.get(0x9f37);
    const check = verifyArqc({ imk: keys.imk, pan: card.pan, psn: keys.psn, atc, cdolData: data, arqc, option: keys.option, ...(keys.useUnpredictableNumber && un ? { un } : {}) });
    if (!check.ok) return { ok: false, reason: 'ARQC does not verify' };
    const request = keys.arpcMethod === 1 ? { method: 1 as const, arc: Buffer.from(arc, 'latin1') } : { method: 2 as const, csu: Uint8Array.of(0x00, 0x80, 0x00, 0x00) };
    const { issuerAuthenticationData } = produceArpc(check.sessionKey, arqc, request);
    check.sessionKey.fill(0);
    return { ok: true, issuerAuthData: issuerAuthenticationData };
  },
};

/**
 * Takes up the books a previous run left in the ledger file (the embedded simulator of the
 * sim board restarts with the terminal: a reversal after a crash must find its original).
 * A missing file is a fresh start; an unreadable one is left alone and reported.
 */
function resumeLedger(sim: AcquirerSimulator, file: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return;
  }
  let saved: LedgerJson;
  try {
    saved = JSON.parse(text) as LedgerJson;
  } catch (err) {
    throw new Error(`acquirer simulator: ledger ${file} is not JSON (${(err as Error).message}); move it away to start a fresh ledger`);
  }
  for (const [name, card] of Object.entries(saved.cards ?? {})) if (sim.ledger.cards.has(name)) sim.ledger.cards.set(name, card);
  sim.ledger.transactions.push(...(saved.transactions ?? []));
  sim.ledger.reconciliations.push(...(saved.reconciliations ?? []));
}

export function createSimulator(options: { layout: Layout; ledgerFile?: string; resume?: boolean }): AcquirerSimulator {
  const sim = new AcquirerSimulator({
    layout: options.layout,
    cards: catalogueCards(),
    bdk: Uint8Array.from(Buffer.from(TEST_HOST_KEYS.bdk, 'hex')),
    issuer: catalogueIssuer,
    ...(options.ledgerFile ? { ledgerFile: options.ledgerFile } : {}),
  });
  if (options.resume && options.ledgerFile) resumeLedger(sim, options.ledgerFile);
  return sim;
}
