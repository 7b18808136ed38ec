/**
 * ContactlessReader role conformance (hal/roles/contactless.ts). Runs against every
 * reader with a controllable field: the sim models in `make test`; on a device the
 * `field` is a fixture that a robot arm or a person drives.
 */
import type { Test } from 'tap';
import { isHalError } from '../../hal/errors.js';
import { isContactlessError, type ContactlessReader, type SimContactlessCard } from '../../hal/roles/contactless.js';
import { HANG_MS } from '../until.js';

export interface ContactlessField {
  present(card: SimContactlessCard): void;
  /** Takes a card (default: all) out of the field. */
  remove(card?: SimContactlessCard): void;
  /** The card leaves the field while the next exchange is in progress. */
  pullDuringNextExchange(): void;
}

export interface ContactlessFixture {
  reader: ContactlessReader;
  field: ContactlessField;
  cleanup(): Promise<void>;
}

export interface ContactlessSuiteOptions {
  name: string;
  factory: () => Promise<ContactlessFixture>;
}

/**
 * A trivial ISO/IEC 14443-4 card: READ BINARY (INS B0, no data) returns Le bytes (Le 00 =
 * 256, ISO/IEC 7816-4 5.1) of 00 01 02 ...; any other command echoes its data
 * (short or extended Lc). SW 90 00.
 */
export function echoCard(uid: readonly number[] = [0x04, 0x16, 0xc6, 0xc2, 0xd7, 0x38, 0x81]): SimContactlessCard & { commands: number } {
  return {
    uid: Uint8Array.from(uid),
    atqa: Uint8Array.of(0x00, 0x44),
    sak: 0x20,
    // TL 05, T0 78, TA 80, TB 70, TC 02 (ISO/IEC 14443-4 5.2).
    ats: Uint8Array.of(0x05, 0x78, 0x80, 0x70, 0x02),
    commands: 0,
    transceive(capdu: Uint8Array): Uint8Array {
      this.commands++;
      if (capdu[1] === 0xb0 && capdu.length === 5) {
        const le = capdu[4] === 0 ? 256 : capdu[4]!;
        return Uint8Array.of(...Array.from({ length: le }, (_, i) => i & 0xff), 0x90, 0x00);
      }
      if (capdu.length > 7 && capdu[4] === 0) {
        const lc = (capdu[5]! << 8) | capdu[6]!;
        return Uint8Array.of(...capdu.subarray(7, 7 + lc), 0x90, 0x00);
      }
      const lc = capdu.length > 5 ? capdu[4]! : 0;
      return Uint8Array.of(...capdu.subarray(5, 5 + lc), 0x90, 0x00);
    },
  };
}

const SELECT_PPSE = Uint8Array.from(Buffer.from('00A404000E325041592E5359532E444446303100', 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

export function contactlessConformance(t: Test, { name, factory }: ContactlessSuiteOptions): void {
  t.test(`${name}: ContactlessReader role`, async (t) => {
    const withReader = (title: string, body: (t: Test, f: ContactlessFixture) => Promise<void>): void => {
      t.test(title, async (t) => {
        const f = await factory();
        try {
          await body(t, f);
        } finally {
          await f.cleanup();
        }
      });
    };

    withReader('selfTest answers', async (t, { reader }) => {
      const s = await reader.selfTest();
      t.ok(Number.isInteger(s.ic) && Number.isInteger(s.version));
    });

    withReader('no card: waitForCard rejects HAL_TIMEOUT within its limit', async (t, { reader }) => {
      await t.rejects(reader.waitForCard({ timeoutMs: 80 }), { code: 'HAL_TIMEOUT' });
    });

    withReader('cancel: waitForCard rejects HAL_ABORTED and the reader still works', async (t, { reader, field }) => {
      const ac = new AbortController();
      const pending = reader.waitForCard({ timeoutMs: 5000, signal: ac.signal });
      setTimeout(() => ac.abort(), 20);
      await t.rejects(pending, { code: 'HAL_ABORTED' });
      field.present(echoCard());
      const info = await reader.waitForCard({ timeoutMs: HANG_MS });
      t.equal(info.protocol, 'iso14443-4');
    });

    withReader('a card: UID, ATQA, SAK and ATS as the card gave them', async (t, { reader, field }) => {
      const card = echoCard();
      field.present(card);
      const info = await reader.waitForCard({ timeoutMs: HANG_MS });
      t.equal(hex(info.uid), hex(card.uid));
      t.equal(hex(info.atqa), '0044');
      t.equal(info.sak, 0x20);
      t.equal(hex(info.ats!), hex(card.ats));
      t.equal(info.protocol, 'iso14443-4');
    });

    withReader('a card that arrives while polling is found', async (t, { reader, field }) => {
      const pending = reader.waitForCard({ timeoutMs: HANG_MS });
      setTimeout(() => field.present(echoCard()), 40);
      t.equal((await pending).protocol, 'iso14443-4');
    });

    withReader('transceive: whole R-APDU with SW1 SW2, up to 256 + 2 bytes', async (t, { reader, field }) => {
      field.present(echoCard());
      await reader.waitForCard({ timeoutMs: HANG_MS });
      t.equal(hex(await reader.transceive(SELECT_PPSE)), '325041592E5359532E4444463031' + '9000');
      const r = await reader.transceive(Uint8Array.of(0x00, 0xb0, 0x00, 0x00, 0x00));
      t.equal(r.length, 258);
      t.same([...r.subarray(0, 4)], [0, 1, 2, 3]);
      t.same([...r.subarray(254)], [0xfe, 0xff, 0x90, 0x00]);
    });

    withReader('calls are queued in call order', async (t, { reader, field }) => {
      field.present(echoCard());
      const found = reader.waitForCard({ timeoutMs: HANG_MS });
      const r = reader.transceive(SELECT_PPSE);
      await found;
      t.equal(hex((await r).subarray(-2)), '9000');
    });

    withReader('transceive without a card: no-card', async (t, { reader }) => {
      await t.rejects(reader.transceive(SELECT_PPSE), { code: 'HAL_DEVICE', fault: 'no-card' });
    });

    withReader('two cards in the field: more-than-one-card, then one card works', async (t, { reader, field }) => {
      const a = echoCard();
      const b = echoCard([0x08, 0x01, 0x02, 0x03]);
      field.present(a);
      field.present(b);
      const err = await reader.waitForCard({ timeoutMs: HANG_MS }).catch((e: unknown) => e);
      t.ok(isContactlessError(err, 'more-than-one-card'), String(err));
      t.match(String((err as Error).message), /more than one card/);
      field.remove(b);
      t.equal(hex((await reader.waitForCard({ timeoutMs: HANG_MS })).uid), hex(a.uid));
    });

    withReader('card pulled mid-APDU: card-removed, never a hang', async (t, { reader, field }) => {
      field.present(echoCard());
      await reader.waitForCard({ timeoutMs: HANG_MS });
      field.pullDuringNextExchange();
      const err = await reader.transceive(SELECT_PPSE, { timeoutMs: HANG_MS }).catch((e: unknown) => e);
      t.ok(isContactlessError(err, 'card-removed'), String(err));
      t.match(String((err as Error).message), /card removed/);
      await t.rejects(reader.transceive(SELECT_PPSE), { code: 'HAL_DEVICE', fault: 'no-card' }, 'the target is gone');
    });

    withReader('waitForRemoval: HAL_TIMEOUT while the card stays, resolves once it is gone', async (t, { reader, field }) => {
      const card = echoCard();
      field.present(card);
      await reader.waitForCard({ timeoutMs: HANG_MS });
      await t.rejects(reader.waitForRemoval({ timeoutMs: 80 }), { code: 'HAL_TIMEOUT' });
      const gone = reader.waitForRemoval({ timeoutMs: HANG_MS });
      setTimeout(() => field.remove(card), 30);
      await gone;
      t.pass('removal detected');
    });

    withReader('release and fieldOff end the session; waitForCard starts a new one', async (t, { reader, field }) => {
      field.present(echoCard());
      await reader.waitForCard({ timeoutMs: HANG_MS });
      await reader.release();
      await t.rejects(reader.transceive(SELECT_PPSE), { code: 'HAL_DEVICE', fault: 'no-card' });
      await reader.waitForCard({ timeoutMs: HANG_MS });
      await reader.fieldOff();
      await t.rejects(reader.transceive(SELECT_PPSE), { code: 'HAL_DEVICE', fault: 'no-card' });
      await reader.waitForCard({ timeoutMs: HANG_MS });
      t.equal(hex((await reader.transceive(SELECT_PPSE)).subarray(-2)), '9000');
    });

    withReader('close: a pending wait settles with HAL_CLOSED, later calls reject HAL_CLOSED', async (t, { reader }) => {
      const pending = reader.waitForCard({ timeoutMs: 10_000 }).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 10));
      await reader.close();
      t.ok(isHalError(await pending, 'HAL_CLOSED'));
      await t.rejects(reader.selfTest(), { code: 'HAL_CLOSED' });
      await t.rejects(reader.waitForCard({ timeoutMs: 10 }), { code: 'HAL_CLOSED' });
      await reader.close();
    });
  });
}
