// The contact reader scenarios of issue 8, run against a rig: the sim backend in-process
// (sim.test.ts) or pcscd + vpcd (pcscd.test.ts). The same card must give the same
// exchanges and outcome through either.
import type { Test } from 'tap';
import { decodeTlv, findTlv } from '../../emv/ber/tlv.js';
import { fromHex, toHex } from '../../emv/bytes.js';
import { PSE_NAME, getData, getProcessingOptions, readRecord, selectByName } from '../../emv/apdu/apdu.js';
import { isContactError, type ContactReader } from '../../hal/roles/contact.js';
import { PcscContactReader } from '../../hal/devices/pcsc/contact.js';
import { SimPcscContext } from '../../hal/sim/pcsc.js';
import { buildCard, type VpcdCardRecipe } from '../../hal/sim/vpcd.js';
import { ATR_T1, AID, PAN, recipes, recorded } from './cards.js';

/** A card in a rig's slot. */
export interface RigCard {
  /** What the card saw: "C-APDU > R-APDU" (uppercase hex) per answered command, in order. */
  log(): Promise<string[]>;
}

export interface Rig {
  readonly reader: ContactReader;
  /** Builds the card from the recipe on the card's side (in-process, or the vpcd card server's thread) and inserts it. */
  insert(card: VpcdCardRecipe): Promise<RigCard>;
  remove(): Promise<void>;
  /** The resource manager dies (pcscd killed / sim service stopped). */
  breakService(): Promise<void>;
  restoreService(): Promise<void>;
}

const WAIT = { timeoutMs: 15000 };

export const SIM_READER = 'Sim Contact Reader 00 00';

/** The rig of the sim backend: the card built and served in-process. */
export function simRig(): Rig & { ctx: SimPcscContext; close(): Promise<void> } {
  const ctx = new SimPcscContext({ readers: [SIM_READER] });
  const reader = new PcscContactReader({ pcsc: ctx, readerPattern: '^Sim Contact', ownsContext: true });
  return {
    ctx,
    reader,
    insert: async (recipe) => {
      const card = recorded(await buildCard(recipe));
      ctx.insert(SIM_READER, card);
      return { log: async () => card.log };
    },
    remove: async () => ctx.remove(SIM_READER),
    breakService: async () => ctx.stopService(),
    restoreService: async () => ctx.startService(),
    close: () => reader.close(),
  };
}

/** PSE selection, SELECT AID, GPO, READ RECORD by AFL, GET DATA: Book 1 12.3, Book 3 10.1-10.2. */
export async function selectionFlow(transceive: (capdu: Uint8Array) => Promise<Uint8Array>): Promise<{ aid: string; pan: string; atc: string }> {
  const ok = async (capdu: Uint8Array): Promise<Uint8Array> => {
    const r = await transceive(capdu);
    if (r[r.length - 2] !== 0x90 || r[r.length - 1] !== 0x00) throw new Error(`${toHex(capdu)} answered ${toHex(r)}`);
    return r.subarray(0, r.length - 2);
  };
  const fci = decodeTlv(await ok(selectByName(PSE_NAME)));
  const sfi = findTlv(fci, 0x88)!.value![0]!;
  const aids: string[] = [];
  for (let rec = 1; ; rec++) {
    const r = await transceive(readRecord(sfi, rec));
    if (toHex(r.subarray(r.length - 2)) === '6A83') break;
    aids.push(toHex(findTlv(decodeTlv(r.subarray(0, r.length - 2)), 0x4f)!.value!));
  }
  await ok(selectByName(fromHex(aids[0]!)));
  const gpo = decodeTlv(await ok(getProcessingOptions()));
  const afl = findTlv(gpo, 0x80)!.value!.subarray(2);
  let pan = '';
  for (let i = 0; i + 4 <= afl.length; i += 4) {
    for (let rec = afl[i + 1]!; rec <= afl[i + 2]!; rec++) {
      const data = decodeTlv(await ok(readRecord(afl[i]! >> 3, rec)));
      pan = toHex(findTlv(data, 0x5a)?.value ?? new Uint8Array(0)) || pan;
    }
  }
  const atc = toHex(findTlv(decodeTlv(await ok(getData(0x9f36))), 0x9f36)!.value!);
  return { aid: aids[0]!, pan, atc };
}

/** What the card sees for the flow over T=1 (one exchange per command). */
export const T1_EXCHANGES = [
  '00A404000E315041592E5359532E444446303100',
  '00B2010C00',
  '00B2020C00',
  '00A4040007A000000003101000',
  '80A8000002830000',
  '00B2011400',
  '80CA9F3600',
];

async function insertAndPowerUp(t: Test, rig: Rig, recipe: VpcdCardRecipe): Promise<{ card: RigCard; info: Awaited<ReturnType<ContactReader['powerUp']>> }> {
  const inserted = new Promise<void>((resolve) => {
    const off = rig.reader.onCardInserted(() => {
      off();
      resolve();
    });
  });
  const card = await rig.insert(recipe);
  await inserted;
  t.ok(rig.reader.cardPresent, 'card-inserted event, card present');
  return { card, info: await rig.reader.powerUp(WAIT) };
}

async function removeAndSee(rig: Rig): Promise<void> {
  if (!rig.reader.cardPresent) return;
  const removed = new Promise<void>((resolve) => {
    const off = rig.reader.onCardRemoved(() => {
      off();
      resolve();
    });
  });
  await rig.remove();
  await removed;
}

/** Runs every scenario; returns the card-side logs for cross-backend comparison. */
export async function contactScenarios(t: Test, rig: Rig): Promise<Record<string, string[]>> {
  const logs: Record<string, string[]> = {};

  await t.test('T=1 card: insert, ATR, PSE/AID selection to the outcome', async (t) => {
    const { card, info } = await insertAndPowerUp(t, rig, recipes.scripted({ atr: ATR_T1 }));
    t.equal(info.protocol, 'T=1', 'the ATR offers T=1 only (TD1 81)');
    t.equal(toHex(info.atr.bytes), toHex(ATR_T1));
    t.equal(info.atr.t1?.ifsc, 254);
    const outcome = await selectionFlow((c) => rig.reader.transceive(c, WAIT));
    t.strictSame(outcome, { aid: AID, pan: PAN, atc: '0007' });
    logs.t1 = await card.log();
    t.strictSame(logs.t1.map((l) => l.split(' > ')[0]), T1_EXCHANGES, 'one exchange per command (Book 3 10.1-10.2)');
    await rig.reader.powerDown();
    await removeAndSee(rig);
    t.notOk(rig.reader.cardPresent, 'card-removed event');
  });

  await t.test('T=0 card answering 61xx and 6Cxx: the same outcome, GET RESPONSE and re-sends on the wire', async (t) => {
    const { card, info } = await insertAndPowerUp(t, rig, recipes.t0());
    t.equal(info.protocol, 'T=0', 'no TD1: T=0 (ISO/IEC 7816-3 8.2.3)');
    t.strictSame(info.atr.protocols, [0]);
    const outcome = await selectionFlow((c) => rig.reader.transceive(c, WAIT));
    t.strictSame(outcome, { aid: AID, pan: PAN, atc: '0007' });
    logs.t0 = await card.log();
    const sent = logs.t0.map((l) => l.split(' > '));
    // SELECT PSE is case 4: 61xx, then GET RESPONSE with Le = xx (EMV Book 1 9.3.1.3).
    t.equal(sent[0]![0], T1_EXCHANGES[0]);
    t.match(sent[0]![1], /^61[0-9A-F]{2}$/, 'SELECT answered 61xx');
    t.equal(sent[1]![0], '00C00000' + sent[0]![1]!.slice(2), 'GET RESPONSE Le = xx');
    t.match(sent[1]![1], /9000$/);
    // READ RECORD is case 2 with Le 00: the card wants the exact length (6Cxx), then the re-send.
    const rr = sent.findIndex((s) => s[0] === '00B2010C00');
    t.match(sent[rr]![1], /^6C[0-9A-F]{2}$/, 'READ RECORD Le 00 answered 6Cxx');
    t.equal(sent[rr + 1]![0], '00B2010C' + sent[rr]![1]!.slice(2), 're-sent with Le = xx');
    await rig.reader.powerDown();
    await removeAndSee(rig);
  });

  await t.test('a mute card (no ATR): powerUp fails with mute', async (t) => {
    const card = await rig.insert(recipes.scripted({ atr: new Uint8Array(0) }));
    await rig.reader.waitForCard(WAIT);
    await t.rejects(rig.reader.powerUp(WAIT), { code: 'HAL_DEVICE', fault: 'mute' });
    t.strictSame(await card.log(), [], 'no APDU reached the card');
    await removeAndSee(rig);
  });

  await t.test('card removed mid-transaction: card-removed, and the next card works', async (t) => {
    await insertAndPowerUp(t, rig, recipes.scripted({ stopAt: '80A8' }));
    await t.rejects(selectionFlow((c) => rig.reader.transceive(c, WAIT)), { code: 'HAL_DEVICE', fault: 'card-removed' }, 'GPO fails: the card left');
    const after = await failure(rig.reader.transceive(getData(0x9f36), WAIT));
    t.ok(isContactError(after, 'card-removed') || isContactError(after, 'no-card'), `no exchange after removal (${String(after)})`);
    await removeAndSee(rig);
    await insertAndPowerUp(t, rig, recipes.scripted());
    t.strictSame(await selectionFlow((c) => rig.reader.transceive(c, WAIT)), { aid: AID, pan: PAN, atc: '0007' });
    await rig.reader.powerDown();
    await removeAndSee(rig);
  });

  await t.test('resource manager gone mid-transaction: out of service, then recovery', async (t) => {
    const states: string[] = [];
    let reason: string | undefined;
    const off = rig.reader.onStateChange((s, why) => {
      states.push(s);
      reason ??= why;
    });
    await insertAndPowerUp(t, rig, recipes.scripted());
    await rig.reader.transceive(selectByName(PSE_NAME), WAIT);
    await rig.breakService();
    const err = await failure(rig.reader.transceive(selectByName(fromHex(AID)), WAIT));
    t.ok(isContactError(err, 'out-of-service') || isContactError(err, 'card-removed'), `the exchange fails with a ContactError (${String(err)})`);
    await waitFor(() => rig.reader.state === 'out-of-service');
    t.equal(rig.reader.state, 'out-of-service');
    await t.rejects(rig.reader.selfTest(), { fault: 'out-of-service', code: 'HAL_DISCONNECTED' });
    await rig.restoreService();
    await waitFor(() => rig.reader.state === 'ready');
    t.equal(rig.reader.state, 'ready', 'back in service by itself');
    await rig.reader.selfTest();
    if (!rig.reader.cardPresent) await rig.insert(recipes.scripted());
    await rig.reader.waitForCard(WAIT);
    await rig.reader.powerUp(WAIT);
    t.strictSame(await selectionFlow((c) => rig.reader.transceive(c, WAIT)), { aid: AID, pan: PAN, atc: '0007' }, 'a transaction runs after recovery');
    t.strictSame(states, ['out-of-service', 'ready'], 'each change of state reported once');
    t.match(reason, /^pcscd went away/, 'the reason names the resource manager, not its readers');
    off();
    await rig.reader.powerDown();
    await removeAndSee(rig);
  });

  return logs;
}

/** The rejection of `p` (a test failure if it resolves). */
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  return new Error('resolved, but a rejection was expected');
}

export async function waitFor(test: () => boolean, timeoutMs = 15000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
