// The terminal's lists: the certification revocation list (Book 2 5.3 step 10: RID, CA
// public key index and issuer certificate serial number) and the terminal exception file
// (TVR byte 1 bit 5, Book 3 Annex C5), with the catalogue's test cards.
import t from 'tap';
import { createCard, testCard } from '../../../emv/cards/catalogue.js';
import { runTransaction } from '../../../emv/kernel/kernel.js';
import { fromHex, toHex } from '../../../emv/bytes.js';
import type { TerminalConfig } from '../../../emv/kernel/types.js';
import { TERMINAL, params } from './catalogue.js';

/** The sample terminal with issuer certificate serials revoked under the Visa TEST CA key E3 (the catalogue's Visa issuer certificate has serial 000001). */
function revoking(serials: string[]): TerminalConfig {
  return {
    ...TERMINAL,
    caKeys: TERMINAL.caKeys.map((k) => (toHex(k.rid) === 'A000000003' && k.index === 0xe3 ? { ...k, revokedSerials: serials.map(fromHex) } : k)),
  };
}

async function tap(config: TerminalConfig) {
  const card = createCard('visa-offline', 'contactless');
  return runTransaction({ interface: 'contactless', params: params(1000), config, deps: { transceive: async (c) => card.transceive(c) } });
}

t.test('a revoked issuer certificate fails ODA (Book 2 5.3 step 10); another serial does not', async (t) => {
  const ok = await tap(revoking(['000002']));
  t.equal(ok.outcome, 'approved', 'serial 000002 revoked: the card (000001) still verifies');
  const revoked = await tap(revoking(['000001']));
  t.equal(toHex(revoked.tvr), '0800000000', 'fDDA failed (TVR byte 1 bit 4)');
  t.equal(revoked.outcome, 'declined', 'qVSDC TC whose fDDA failed, no CTQ fallback: declined (C-3 5.5)');
  const again = await tap(TERMINAL);
  t.equal(again.outcome, 'approved', 'the revocation is the configuration\'s, not remembered with the cached key');
});

t.test('a PAN on the exception file sets TVR byte 1 bit 5; TAC online DC.. sends it online (Book 3 10.7)', async (t) => {
  const pan = testCard('visa-offline').pan;
  const run = async (config: TerminalConfig) => {
    const card = createCard('visa-offline', 'contact');
    return runTransaction({ interface: 'contact', params: params(1000), config, deps: { transceive: async (c) => card.transceive(c) } });
  };
  const clean = await run(TERMINAL);
  t.equal(clean.outcome, 'approved');
  t.equal(toHex(clean.tvr), '0000100000', 'no PIN pad: PIN pad not working (byte 3 bit 5), signature');
  const listed = await run({ ...TERMINAL, exceptionFile: ['4000000000000002', pan] });
  t.equal(toHex(listed.tvr), '1000100000', 'exception file bit');
  t.equal(listed.outcome, 'online-request', 'TAC online DC4004F800 byte 1 has bit 5: ARQC');
});

t.test('floor limit with the transaction log: this amount plus the most recent logged one for the PAN (Book 3 10.6.1)', async (t) => {
  const card = testCard('visa-offline');
  const asked: Array<[string, string | undefined]> = [];
  const run = async (logged: number | undefined) => {
    const c = createCard('visa-offline', 'contact');
    return runTransaction({
      interface: 'contact',
      params: params(1000),
      config: TERMINAL,
      deps: { transceive: async (x) => c.transceive(x), lastLoggedAmount: (pan, psn) => (asked.push([pan, psn]), logged) },
    });
  };
  // Floor limit 20.00: 10.00 alone is below it; 10.00 + 15.00 logged reaches it (TVR byte 4 bit 8), which TAC online sends online.
  const alone = await run(undefined);
  t.equal(toHex(alone.tvr), '0000100000');
  t.equal(alone.outcome, 'approved');
  const split = await run(1500);
  t.equal(toHex(split.tvr), '0000108000', 'floor limit exceeded');
  t.equal(split.outcome, 'online-request');
  t.same(asked[0], [card.pan, '01'], 'the log is asked with the PAN and PAN Sequence Number');
  const bad = await run(Number.NaN);
  t.equal(toHex(bad.tvr), '0000100000', 'a log answer that is not an amount counts as none');
});
