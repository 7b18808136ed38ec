// The kernel test catalogue: a terminal configuration, test cards, and for each card the
// expected outcome, TVR, TSI and stopping step, reasoned from the EMV books (each case's
// `why` says which rules give that result). TVR bits: Book 3 Annex C5; TSI: C6.
import { fromHex, toHex } from '../../../emv/bytes.js';
import { signDynamicData } from '../../../emv/oda/oda.js';
import type { HostResponse, KernelStep, OutcomeKind, PinEntry, TerminalConfig, TransactionParams, Candidate } from '../../../emv/kernel/types.js';
import { ascii, c, p, pinBlock, SimEmvCard, type SimApp, type SimCardOptions } from './sim-card.js';
import { personalise } from './personalise.js';
import { SAMPLE_TERMINAL } from '../../../emv/kernel/sample-config.js';
import type { TlvInput } from '../../../emv/ber/tlv.js';

/** The sample terminal (emv/kernel/sample-config.ts): TACs DC4000A800 / 0010000000 / DC4004F800, floor 20.00, CL floor and CVM limit 50.00. */
export const TERMINAL: TerminalConfig = SAMPLE_TERMINAL;

export function params(amount: number, extra: Partial<TransactionParams> = {}): TransactionParams {
  return { amount, currency: 978, type: 0x00, date: '261128', time: '120000', unpredictableNumber: fromHex('11223344'), sequenceCounter: 1, ...extra };
}

const PAN = '4761739001010010';
const CDOL1 = '9F02069F03069F1A0295055F2A029A039C019F3704';
const CDOL2 = '8A029F02069F03069F1A0295055F2A029A039C019F3704';

/** Track 2 Equivalent Data (57): PAN, D, YYMM, service code 201, discretionary; F-padded to whole bytes (Book 3 Annex A). */
function track2(pan: string, yymm: string): string {
  const s = `${pan}D${yymm}2011000000000`;
  return s.length % 2 ? s + 'F' : s;
}

interface CardData {
  pan?: string;
  expiry?: string;
  effective?: string;
  cvmList?: string;
  iacDenial?: string;
  extra?: TlvInput[];
  omit?: number[];
}

/** Record 1.1 of a contact application (Book 3 Annex A data; CDOLs as Visa VIS cards use them). */
function record(d: CardData = {}): TlvInput[] {
  const pan = d.pan ?? PAN;
  const objs: TlvInput[] = [
    p(0x57, track2(pan, (d.expiry ?? '301231').slice(0, 4))),
    p(0x5a, pan.length % 2 ? pan + 'F' : pan),
    p(0x5f24, d.expiry ?? '301231'),
    p(0x5f25, d.effective ?? '200101'),
    p(0x5f34, '01'),
    p(0x5f28, '0250'),
    p(0x9f07, 'FF00'),
    p(0x9f08, '008C'),
    p(0x9f42, '0978'),
    p(0x8c, CDOL1),
    p(0x8d, CDOL2),
    p(0x8e, '0000000000000000' + (d.cvmList ?? '5E031F03')),
    p(0x9f0d, 'F040008800'),
    p(0x9f0e, d.iacDenial ?? '0000000000'),
    p(0x9f0f, 'F040008800'),
    p(0x9f4a, '82'),
    ...(d.extra ?? []),
  ];
  return objs.filter((o) => !(d.omit ?? []).includes(o.tag));
}

function visaApp(over: Partial<SimApp> = {}, data: CardData = {}): SimApp {
  return {
    aid: 'A0000000031010',
    label: 'VISA CREDIT',
    priority: '01',
    aip: '5C00', // SDA, cardholder verification, TRM, issuer authentication (Book 3 Annex C1)
    afl: '08010101' + '10010100',
    records: { '1.1': record(data) },
    gpoFormat: 1,
    policy: 'offline',
    atc: 0x10,
    ...over,
  };
}

function sdaCard(app: SimApp, opts: Omit<SimCardOptions, 'apps'> & { badCertificate?: boolean } = {}): SimEmvCard {
  const { app: a } = personalise(app, { scheme: 'visa', pan: PAN, kind: 'sda', badCertificate: opts.badCertificate });
  return new SimEmvCard({ directory: 'pse', ...opts, apps: [a] });
}

/** qVSDC GPO data (Book C-3 5.2, Table 5-7): CID by TTQ and policy, fDDA signature over UN, amount, currency (C-3 Annex C). */
function qvsdc(policy: 'online' | 'offline' | 'decline', ctq: string, iccKey: () => import('../../../emv/oda/rsa.js').RsaPrivateKeyHex | undefined): SimApp['qvsdc'] {
  return (pdolData, state) => {
    const onlineRequired = (pdolData[1]! & 0x80) !== 0;
    const cid = policy === 'decline' ? 0x00 : onlineRequired || policy === 'online' ? 0x80 : 0x40;
    const atc = state.atc.toString(16).padStart(4, '0');
    const objs: TlvInput[] = [
      p(0x9f27, cid.toString(16).padStart(2, '0')),
      p(0x9f36, atc),
      p(0x9f26, toHex(pdolData.subarray(4, 12))),
      p(0x9f10, '06010A03A00000'),
      p(0x9f6c, ctq),
      p(0x5f34, '01'),
    ];
    const key = iccKey();
    if (cid === 0x40 && key !== undefined) {
      const dyn = Uint8Array.from([...pdolData.subarray(10, 14), ...pdolData.subarray(4, 10), ...pdolData.subarray(14, 16)]);
      objs.push(p(0x9f4b, toHex(signDynamicData(key, fromHex('080102030405060708'), dyn))));
    }
    return objs;
  };
}

function qvsdcCard(opts: { aid?: string; label?: string; scheme?: 'visa' | 'unionpay'; policy: 'online' | 'offline' | 'decline'; ctq?: string; badCertificate?: boolean }): SimEmvCard {
  const base: SimApp = {
    aid: opts.aid ?? 'A0000000031010',
    label: opts.label ?? 'VISA CREDIT',
    priority: '01',
    pdol: '9F66049F02069F37045F2A02', // TTQ, amount, UN, currency (Book C-3 Table 5-2)
    aip: '2000', // DDA (fDDA) supported
    afl: '08010101' + '10010100',
    records: { '1.1': [p(0x57, track2(PAN, '3012')), p(0x5f24, '301231'), p(0x5f28, '0250'), p(0x9f07, 'FF00'), p(0x9f4a, '82')] },
    gpoFormat: 2,
    policy: opts.policy,
    atc: 0x20,
  };
  const personalised = personalise(base, { scheme: opts.scheme ?? 'visa', pan: PAN, kind: 'dda', badCertificate: opts.badCertificate });
  const key = personalised.iccKey;
  const app = { ...personalised.app, qvsdc: qvsdc(opts.policy, opts.ctq ?? '0000', () => key) };
  return new SimEmvCard({ directory: 'ppse', apps: [app] });
}

/** A Mastercard-like EMV-mode contactless application (Book C-2): no cryptogram in GPO; GENERATE AC with CDA. */
function mastercardCl(): SimEmvCard {
  const base: SimApp = {
    aid: 'A0000000041010',
    label: 'MASTERCARD',
    priority: '01',
    aip: '3980', // DDA, CV, TRM, CDA; byte 2: EMV mode (Book C-2 Annex A)
    afl: '08010101' + '10010100',
    records: { '1.1': record({ pan: '5413330089010004', cvmList: '42031E031F03' }).map((o) => (o.tag === 0x9f08 ? p(0x9f08, '0002') : o)) },
    gpoFormat: 2,
    policy: 'online',
    atc: 0x30,
  };
  const { app, iccKey } = personalise(base, { scheme: 'mastercard', pan: '5413330089010004', kind: 'dda' });
  return new SimEmvCard({ directory: 'ppse', apps: [{ ...app, iccKey, acFormat2: true }] });
}

/** A PIN pad that enters the given offline PIN blocks in turn and answers online PIN with `online`. */
export function pinPad(offline: string[], online: 'entered' | 'bypassed' | 'pinpad-failed' = 'entered'): PinEntry {
  const blocks = [...offline];
  return {
    online: async () => ({ kind: online }),
    offline: async (req) => {
      const pin = blocks.shift();
      if (pin === undefined) return { kind: 'bypassed' };
      if (!req.enciphered) return { kind: 'entered', verifyData: pinBlock(pin) };
      // Book 2 7.1: 7F || PIN block || ICC unpredictable number || pad (fixed here, random in a real PIN pad), RSA with the ICC (PIN) key.
      const key = req.iccPinKey!;
      const n = key.modulus.length;
      const m = Uint8Array.from([0x7f, ...pinBlock(pin), ...req.challenge!, ...new Uint8Array(n - 17).fill(0x55)]);
      return { kind: 'entered', verifyData: rsaPublic(m, key.modulus, key.exponent) };
    },
  };
}

function big(b: Uint8Array): bigint {
  return b.reduce((a, x) => (a << 8n) | BigInt(x), 0n);
}

function rsaPublic(m: Uint8Array, modulus: Uint8Array, exponent: Uint8Array): Uint8Array {
  const n = big(modulus);
  let e = big(exponent);
  let base = big(m) % n;
  let r = 1n;
  while (e > 0n) {
    if (e & 1n) r = (r * base) % n;
    base = (base * base) % n;
    e >>= 1n;
  }
  const out = new Uint8Array(modulus.length);
  for (let i = out.length - 1; i >= 0; i--, r >>= 8n) out[i] = Number(r & 0xffn);
  return out;
}

export interface Expect {
  outcome: OutcomeKind;
  stoppedAt: KernelStep | undefined;
  tvr: string;
  tsi: string;
  aid?: string;
  cvm?: string;
  cid?: number;
  /** After `complete` (contact online requests). */
  arc?: string;
}

export interface Case {
  name: string;
  iface: 'contact' | 'contactless';
  /** Which rules give the expectation. */
  why: string;
  card: () => SimEmvCard;
  params: TransactionParams;
  pin?: PinEntry;
  choose?: (c: readonly Candidate[]) => Promise<Candidate | undefined>;
  expect: Expect;
  host?: HostResponse;
  final?: Expect;
  /** The reader fails (card removed) at this command index. */
  removeAt?: number;
}

const approveOnline: HostResponse = {
  kind: 'response',
  arc: '00',
  issuerAuthenticationData: fromHex('11223344556677883030'),
  scripts: Uint8Array.from([...encodeScript(0x71, '00000001', ['84DA9F580201FF']), ...encodeScript(0x72, '00000002', ['84DA9F580202FF'])]),
};

function encodeScript(tag: number, id: string, cmds: string[]): Uint8Array {
  const body = [...fromHex(`9F1804${id}`), ...cmds.flatMap((h) => [0x86, h.length / 2, ...fromHex(h)])];
  return Uint8Array.from([tag, body.length, ...body]);
}

const malformed = (mutate: SimCardOptions['mutate']): (() => SimEmvCard) => () => sdaCard(visaApp(), { mutate });

export const CASES: Case[] = [
  {
    name: 'visa-offline-approve',
    iface: 'contact',
    why: 'SDA ok (TVR SDA selected only, Book 3 10.3); 10.00 < floor 20.00 and random draw 99 > 20% (10.6); TVR misses TAC/IAC online -> TC (10.7); card TC -> approved. CVM list: signature (5E03).',
    card: () => sdaCard(visaApp()),
    params: params(1000),
    expect: { outcome: 'approved', stoppedAt: undefined, tvr: '0200000000', tsi: 'E800', cvm: '5E0300', cid: 0x40 },
  },
  {
    name: 'visa-online-approve',
    iface: 'contact',
    why: '50.00 >= floor limit 20.00 sets TVR byte 4 bit 8 (10.6.1), in TAC online -> ARQC; host 00 with 91 -> EXTERNAL AUTHENTICATE (10.9, TSI issuer auth), scripts 71 and 72 (10.10, TSI script) -> TC at second GENERATE AC.',
    card: () => sdaCard(visaApp({ policy: 'online' })),
    params: params(5000),
    expect: { outcome: 'online-request', stoppedAt: 'first-generate-ac', tvr: '0200008000', tsi: 'E800', cid: 0x80 },
    host: approveOnline,
    final: { outcome: 'approved', stoppedAt: undefined, tvr: '0200008000', tsi: 'FC00', arc: '00', cid: 0x40 },
  },
  {
    name: 'visa-host-decline',
    iface: 'contact',
    why: 'as visa-online-approve, host ARC 05 -> AAC at second GENERATE AC (Book 3 10.9) -> declined.',
    card: () => sdaCard(visaApp({ policy: 'online' })),
    params: params(5000),
    expect: { outcome: 'online-request', stoppedAt: 'first-generate-ac', tvr: '0200008000', tsi: 'E800' },
    host: { kind: 'response', arc: '05' },
    final: { outcome: 'declined', stoppedAt: 'second-generate-ac', tvr: '0200008000', tsi: 'E800', arc: '05', cid: 0x00 },
  },
  {
    name: 'visa-unable-to-go-online',
    iface: 'contact',
    why: 'unable to go online: TAC default DC4000A800 byte 4 A8 covers floor limit exceeded -> AAC with ARC Z3 (Book 3 10.7, Book 4 A6).',
    card: () => sdaCard(visaApp({ policy: 'online' })),
    params: params(5000),
    expect: { outcome: 'online-request', stoppedAt: 'first-generate-ac', tvr: '0200008000', tsi: 'E800' },
    host: { kind: 'unable-to-go-online' },
    final: { outcome: 'declined', stoppedAt: 'second-generate-ac', tvr: '0200008000', tsi: 'E800', arc: 'Z3', cid: 0x00 },
  },
  {
    name: 'visa-decline-offline',
    iface: 'contact',
    why: 'terminal asks TC; card risk management answers AAC (Book 3 9.3 allows a lower type) -> declined at first GENERATE AC.',
    card: () => sdaCard(visaApp({ policy: 'decline' })),
    params: params(1000),
    expect: { outcome: 'declined', stoppedAt: 'first-generate-ac', tvr: '0200000000', tsi: 'E800', cid: 0x00 },
  },
  {
    name: 'visa-online-pin',
    iface: 'contact',
    why: 'CVM list 4203 (online PIN if supported): PIN entered -> TVR byte 3 bit 3 (10.5), in TAC online -> ARQC; CVM results 420300 (result unknown).',
    card: () => sdaCard(visaApp({ policy: 'online' }, { cvmList: '42031F03' })),
    params: params(1000),
    pin: pinPad([], 'entered'),
    expect: { outcome: 'online-request', stoppedAt: 'first-generate-ac', tvr: '0200040000', tsi: 'E800', cvm: '420300' },
    host: { kind: 'response', arc: '00' },
    final: { outcome: 'approved', stoppedAt: undefined, tvr: '0200040000', tsi: 'E800', arc: '00' },
  },
  {
    name: 'visa-online-pin-bypassed',
    iface: 'contact',
    why: 'PIN bypassed: TVR byte 3 bit 4 (PIN not entered), rule 42 continues to 1F03 no CVM (success, 1F0302); no TAC/IAC bit -> TC -> approved.',
    card: () => sdaCard(visaApp({ policy: 'offline' }, { cvmList: '42031F03' })),
    params: params(1000),
    pin: pinPad([], 'bypassed'),
    expect: { outcome: 'approved', stoppedAt: undefined, tvr: '0200080000', tsi: 'E800', cvm: '1F0302' },
  },
  {
    name: 'visa-offline-pin',
    iface: 'contact',
    why: 'CVM 4103 offline plaintext PIN: wrong PIN -> VERIFY 63C2, retry, right PIN -> 9000 (Book 3 10.5.1, 6.5.12); CVM results 410302.',
    card: () => sdaCard(visaApp({ pin: '1234' }, { cvmList: '41031F03' })),
    params: params(1000),
    pin: pinPad(['9999', '1234']),
    expect: { outcome: 'approved', stoppedAt: undefined, tvr: '0200000000', tsi: 'E800', cvm: '410302' },
  },
  {
    name: 'visa-pin-try-limit-exceeded',
    iface: 'contact',
    why: 'PIN Try Counter 00 (GET DATA 9F17): TVR byte 3 bit 6, rule fails and continues to 1F03 (Book 3 10.5.1).',
    card: () => sdaCard(visaApp({ pin: '1234', pinTries: 0 }, { cvmList: '41031F03' })),
    params: params(1000),
    pin: pinPad(['1234']),
    expect: { outcome: 'approved', stoppedAt: undefined, tvr: '0200200000', tsi: 'E800', cvm: '1F0302' },
  },
  {
    name: 'visa-expired',
    iface: 'contact',
    why: 'expiry 251231 before 261128: TVR byte 2 bit 7 (10.4.3); IAC denial 0040000000 covers it -> AAC (10.7) -> declined.',
    card: () => sdaCard(visaApp({}, { expiry: '251231', iacDenial: '0040000000' })),
    params: params(1000),
    expect: { outcome: 'declined', stoppedAt: 'first-generate-ac', tvr: '0240000000', tsi: 'E800', cid: 0x00 },
  },
  {
    name: 'visa-not-yet-effective',
    iface: 'contact',
    why: 'effective 270101 after 261128: TVR byte 2 bit 6 (10.4.3); IAC denial 0020000000 -> AAC -> declined.',
    card: () => sdaCard(visaApp({}, { effective: '270101', iacDenial: '0020000000' })),
    params: params(1000),
    expect: { outcome: 'declined', stoppedAt: 'first-generate-ac', tvr: '0220000000', tsi: 'E800', cid: 0x00 },
  },
  {
    name: 'visa-oda-failure',
    iface: 'contact',
    why: 'issuer certificate corrupted: SDA fails, TVR byte 1 bits 7 and 2 (10.3); TAC online DC covers SDA failed -> ARQC.',
    card: () => sdaCard(visaApp({ policy: 'online' }), { badCertificate: true }),
    params: params(1000),
    expect: { outcome: 'online-request', stoppedAt: 'first-generate-ac', tvr: '4200000000', tsi: 'E800' },
  },
  {
    name: 'visa-random-selection',
    iface: 'contact',
    why: '5.00 below the threshold 10.00: target 20%, draw 10 <= 20 -> TVR byte 4 bit 5 (10.6.2), in TAC online -> ARQC.',
    card: () => sdaCard(visaApp({ policy: 'online' })),
    params: params(500, { randomSelectionDraw: 10 }),
    expect: { outcome: 'online-request', stoppedAt: 'first-generate-ac', tvr: '0200001000', tsi: 'E800' },
  },
  {
    name: 'visa-velocity',
    iface: 'contact',
    why: 'LCOL 2, UCOL 4; ATC 0011 - last online ATC 0005 = 12 consecutive offline > both (10.6.3): TVR byte 4 bits 7 and 6 -> ARQC.',
    card: () => sdaCard(visaApp({ policy: 'online', lastOnlineAtc: 5 }, { extra: [p(0x9f14, '02'), p(0x9f23, '04')] })),
    params: params(1000),
    expect: { outcome: 'online-request', stoppedAt: 'first-generate-ac', tvr: '0200006000', tsi: 'E800' },
  },
  {
    name: 'visa-new-card',
    iface: 'contact',
    why: 'last online ATC register 0000: new card, TVR byte 2 bit 4, and 17 consecutive offline > LCOL/UCOL (10.6.3).',
    card: () => sdaCard(visaApp({ policy: 'online', lastOnlineAtc: 0 }, { extra: [p(0x9f14, '02'), p(0x9f23, '04')] })),
    params: params(1000),
    expect: { outcome: 'online-request', stoppedAt: 'first-generate-ac', tvr: '0208006000', tsi: 'E800' },
  },
  {
    name: 'blocked-application',
    iface: 'contact',
    why: 'the only application answers SELECT with 6283 (blocked): removed from the candidate list (Book 1 12.4) -> none left -> end application.',
    card: () => sdaCard(visaApp({ blocked: true })),
    params: params(1000),
    expect: { outcome: 'end-application', stoppedAt: 'application-selection', tvr: '0000000000', tsi: '0000' },
  },
  {
    name: 'blocked-then-second-application',
    iface: 'contact',
    why: 'credit blocked (6283), debit selected next (Book 1 12.4).',
    card: () => {
      const a = personalise(visaApp({ blocked: true }), { scheme: 'visa', pan: PAN, kind: 'sda' }).app;
      const b = personalise(visaApp({ aid: 'A0000000032010', label: 'VISA DEBIT', priority: '02' }), { scheme: 'visa', pan: PAN, kind: 'sda' }).app;
      return new SimEmvCard({ directory: 'pse', apps: [a, b] });
    },
    params: params(1000),
    expect: { outcome: 'approved', stoppedAt: undefined, tvr: '0200000000', tsi: 'E800', aid: 'A0000000032010' },
  },
  {
    name: 'unknown-aid-only',
    iface: 'contact',
    why: 'no PSE (6A82) and no terminal AID on the card: empty candidate list (Book 1 12.3.3, 12.4) -> end application.',
    card: () => new SimEmvCard({ directory: 'none', apps: [visaApp({ aid: 'A0000009999901' })] }),
    params: params(1000),
    expect: { outcome: 'end-application', stoppedAt: 'application-selection', tvr: '0000000000', tsi: '0000' },
  },
  {
    name: 'two-applications-choice',
    iface: 'contact',
    why: 'two mutually supported applications: cardholder choice (Book 1 12.4); the callback picks the second one (VISA DEBIT).',
    card: () => {
      const a = personalise(visaApp(), { scheme: 'visa', pan: PAN, kind: 'sda' }).app;
      const b = personalise(visaApp({ aid: 'A0000000032010', label: 'VISA DEBIT', priority: '02' }), { scheme: 'visa', pan: PAN, kind: 'sda' }).app;
      return new SimEmvCard({ directory: 'pse', apps: [a, b] });
    },
    params: params(1000),
    choose: async (list) => list[1],
    expect: { outcome: 'approved', stoppedAt: undefined, tvr: '0200000000', tsi: 'E800', aid: 'A0000000032010' },
  },
  {
    name: 'list-of-aids-partial-match',
    iface: 'contact',
    why: 'no PSE: SELECT A0000000031010 by partial name finds A000000003101001 (ASI allows partial match, Book 1 12.3.3 step 4), then P2 02 finds no other.',
    card: () => new SimEmvCard({ directory: 'none', apps: [personalise(visaApp({ aid: 'A000000003101001' }), { scheme: 'visa', pan: PAN, kind: 'sda' }).app] }),
    params: params(1000),
    expect: { outcome: 'approved', stoppedAt: undefined, tvr: '0200000000', tsi: 'E800', aid: 'A000000003101001' },
  },
  {
    name: 'gpo-conditions-not-satisfied',
    iface: 'contact',
    why: 'GPO 6985 on the first application: back to selection without it (Book 3 10.1); the second one completes.',
    card: () => {
      const a = personalise(visaApp({ gpoConditionsNotSatisfied: true }), { scheme: 'visa', pan: PAN, kind: 'sda' }).app;
      const b = personalise(visaApp({ aid: 'A0000000032010', label: 'VISA DEBIT', priority: '02' }), { scheme: 'visa', pan: PAN, kind: 'sda' }).app;
      return new SimEmvCard({ directory: 'pse', apps: [a, b] });
    },
    params: params(1000),
    expect: { outcome: 'approved', stoppedAt: undefined, tvr: '0200000000', tsi: 'E800', aid: 'A0000000032010' },
  },
  {
    name: 'unionpay-dda-offline',
    iface: 'contact',
    why: 'AIP 7C00 with DDA, terminal DDA: INTERNAL AUTHENTICATE with DDOL 9F3704 (Book 3 10.3, Book 2 6.5); success -> TVR clean -> TC.',
    card: () => {
      const base = visaApp({ aid: 'A000000333010101', label: 'UNIONPAY DEBIT', aip: '7C00' }, { extra: [] });
      base.records['1.1'] = base.records['1.1']!.map((o) => (o.tag === 0x9f08 ? p(0x9f08, '0030') : o));
      const { app, iccKey } = personalise(base, { scheme: 'unionpay', pan: PAN, kind: 'dda' });
      return new SimEmvCard({ directory: 'pse', apps: [{ ...app, iccKey }] });
    },
    params: params(1000),
    expect: { outcome: 'approved', stoppedAt: undefined, tvr: '0000000000', tsi: 'E800', aid: 'A000000333010101' },
  },
  {
    name: 'mastercard-cda-online',
    iface: 'contact',
    why: 'AIP CDA and terminal CDA: GENERATE AC with P1 bit 5, SDAD verified (Book 2 6.6); floor limit exceeded -> ARQC; host 00 -> TC with CDA -> approved.',
    card: () => {
      const base = visaApp({ aid: 'A0000000041010', label: 'MASTERCARD', aip: '3D00', policy: 'online' }, { pan: '5413330089010004' });
      base.records['1.1'] = base.records['1.1']!.map((o) => (o.tag === 0x9f08 ? p(0x9f08, '0002') : o));
      const { app, iccKey } = personalise(base, { scheme: 'mastercard', pan: '5413330089010004', kind: 'dda' });
      return new SimEmvCard({ directory: 'pse', apps: [{ ...app, iccKey }] });
    },
    params: params(5000),
    expect: { outcome: 'online-request', stoppedAt: 'first-generate-ac', tvr: '0000008000', tsi: 'E800', aid: 'A0000000041010' },
    host: { kind: 'response', arc: '00' },
    final: { outcome: 'approved', stoppedAt: undefined, tvr: '0000008000', tsi: 'E800', arc: '00', cid: 0x40 },
  },
  // Malformed responses: card errors become outcomes (Book 3 10.2, Annex B; Book 1 9.4).
  {
    name: 'malformed-bad-tlv',
    iface: 'contact',
    why: 'GPO response 80 with a length running past the data (Book 3 Annex B) -> terminate.',
    card: malformed((cmd, r) => (cmd[1] === 0xa8 ? fromHex('80 0A 5C00 0801 0101 9000'.replace(/ /g, '')) : r)),
    params: params(1000),
    expect: { outcome: 'end-application', stoppedAt: 'initiate-application-processing', tvr: '0000000000', tsi: '0000' },
  },
  {
    name: 'malformed-wrong-sw',
    iface: 'contact',
    why: 'READ RECORD of a record in the AFL answers 6A83 (Book 3 10.2: terminate).',
    card: malformed((cmd, r) => (cmd[1] === 0xb2 && cmd[3] === 0x0c ? fromHex('6A83') : r)),
    params: params(1000),
    expect: { outcome: 'end-application', stoppedAt: 'read-application-data', tvr: '0000000000', tsi: '0000' },
  },
  {
    name: 'malformed-missing-mandatory',
    iface: 'contact',
    why: 'CDOL1 (8C) missing from the records (Book 3 7.2 mandatory) -> terminate.',
    card: () => sdaCard(visaApp({}, { omit: [0x8c] })),
    params: params(1000),
    expect: { outcome: 'end-application', stoppedAt: 'read-application-data', tvr: '0000000000', tsi: '0000' },
  },
  {
    name: 'malformed-duplicate-tags',
    iface: 'contact',
    why: 'PAN (5A) in record 1.1 and again in record 1.2 (Book 3 10.2: terminate).',
    card: () => sdaCard(visaApp({ afl: '08010202' + '10010100', records: { '1.1': record(), '1.2': [p(0x5a, PAN)] } })),
    params: params(1000),
    expect: { outcome: 'end-application', stoppedAt: 'read-application-data', tvr: '0000000000', tsi: '0000' },
  },
  {
    name: 'malformed-ac-type',
    iface: 'contact',
    why: 'the terminal asks for an AAC (IAC denial covers TVR) and the card answers a TC: not allowed (Book 3 9.3 Table 13) -> terminate; no valid GENERATE AC answer, so TSI card risk management stays clear.',
    card: () => sdaCard(visaApp({}, { expiry: '251231', iacDenial: '0040000000' }), { mutate: (cmd, r) => (cmd[1] === 0xae ? Uint8Array.of(0x80, 0x0b, 0x40, 0x00, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 0x90, 0x00) : r) }),
    params: params(1000),
    expect: { outcome: 'end-application', stoppedAt: 'first-generate-ac', tvr: '0240000000', tsi: 'C800' },
  },
  {
    name: 'card-removed',
    iface: 'contact',
    why: 'the reader fails at GET PROCESSING OPTIONS (card pulled): a transport fault, EMV_KERNEL_TRANSPORT.',
    card: () => sdaCard(visaApp()),
    params: params(1000),
    removeAt: 3,
    expect: { outcome: 'end-application', stoppedAt: undefined, tvr: '', tsi: '' },
  },
  // Contactless (Book A, B, C-2, C-3)
  {
    name: 'cl-visa-qvsdc-offline',
    iface: 'contactless',
    why: '10.00 under CL floor and CVM limits: TTQ 36004000; card TC in GPO with fDDA signature verified (C-3 5.3) -> approved; no CVM (1F0002).',
    card: () => qvsdcCard({ policy: 'offline' }),
    params: params(1000),
    expect: { outcome: 'approved', stoppedAt: undefined, tvr: '0000000000', tsi: 'A000', cvm: '1F0002', cid: 0x40 },
  },
  {
    name: 'cl-visa-qvsdc-online-pin',
    iface: 'contactless',
    why: '60.00 above CL floor and CVM limit: TTQ 36C04000 -> card ARQC; CTQ 8000 asks online PIN (C-3 5.7) -> TVR byte 3 bit 3; online request.',
    card: () => qvsdcCard({ policy: 'offline', ctq: '8000' }),
    params: params(6000),
    pin: pinPad([], 'entered'),
    expect: { outcome: 'online-request', stoppedAt: 'first-generate-ac', tvr: '0000040000', tsi: '6000', cvm: '020000', cid: 0x80 },
  },
  {
    name: 'cl-visa-qvsdc-cdcvm',
    iface: 'contactless',
    why: 'over the CVM limit, CTQ byte 2 bit 8: consumer device CVM performed (C-3 5.7) -> CVM cdcvm, online request.',
    card: () => qvsdcCard({ policy: 'online', ctq: '0080' }),
    params: params(6000),
    expect: { outcome: 'online-request', stoppedAt: 'first-generate-ac', tvr: '0000000000', tsi: '6000', cvm: '010002' },
  },
  {
    name: 'cl-visa-qvsdc-decline',
    iface: 'contactless',
    why: 'card AAC in the GPO response (C-3 5.4) -> declined.',
    card: () => qvsdcCard({ policy: 'decline' }),
    params: params(1000),
    expect: { outcome: 'declined', stoppedAt: 'first-generate-ac', tvr: '0000000000', tsi: '2000', cid: 0x00 },
  },
  {
    name: 'cl-visa-fdda-failure',
    iface: 'contactless',
    why: 'TC with a bad issuer certificate: fDDA fails (TVR byte 1 bit 4), CTQ does not ask to go online -> declined (C-3 5.5).',
    card: () => qvsdcCard({ policy: 'offline', badCertificate: true }),
    params: params(1000),
    expect: { outcome: 'declined', stoppedAt: 'first-generate-ac', tvr: '0800000000', tsi: 'A000' },
  },
  {
    name: 'cl-visa-fdda-failure-online',
    iface: 'contactless',
    why: 'as cl-visa-fdda-failure with CTQ 2000 (go online if ODA fails) and an online-capable terminal -> online request.',
    card: () => qvsdcCard({ policy: 'offline', badCertificate: true, ctq: '2000' }),
    params: params(1000),
    expect: { outcome: 'online-request', stoppedAt: 'first-generate-ac', tvr: '0800000000', tsi: 'A000' },
  },
  {
    name: 'cl-over-transaction-limit',
    iface: 'contactless',
    why: '200.00 above every AID contactless transaction limit (Book A 5.2.2): try another interface before any command.',
    card: () => qvsdcCard({ policy: 'offline' }),
    params: params(20000),
    expect: { outcome: 'try-another-interface', stoppedAt: 'application-selection', tvr: '0000000000', tsi: '0000' },
  },
  {
    name: 'cl-gpo-6986',
    iface: 'contactless',
    why: 'GPO 6986: the card asks for another interface (C-3 5.2) -> try another interface.',
    card: () => {
      const card = qvsdcCard({ policy: 'offline' });
      const inner = card.transceive.bind(card);
      card.transceive = (cmd) => (cmd[1] === 0xa8 ? fromHex('6986') : inner(cmd));
      return card;
    },
    params: params(1000),
    expect: { outcome: 'try-another-interface', stoppedAt: 'initiate-application-processing', tvr: '0000000000', tsi: '0000' },
  },
  {
    name: 'cl-unionpay-qvsdc-online',
    iface: 'contactless',
    why: 'UnionPay quasi-credit A000000333010103 (qUICS as qVSDC): 30.00 under the CVM limit, card ARQC -> online request, no CVM.',
    card: () => qvsdcCard({ aid: 'A000000333010103', label: 'UNIONPAY', scheme: 'unionpay', policy: 'online' }),
    params: params(3000),
    expect: { outcome: 'online-request', stoppedAt: 'first-generate-ac', tvr: '0000000000', tsi: '2000', aid: 'A000000333010103', cvm: '1F0002' },
  },
  {
    name: 'cl-mastercard-cda-online-pin',
    iface: 'contactless',
    why: 'EMV mode (C-2): 60.00 over CL floor (TVR byte 4 bit 8) and CVM limit: CVM list 4203 online PIN -> TVR byte 3 bit 3; GENERATE AC ARQC with CDA verified -> online request.',
    card: mastercardCl,
    params: params(6000),
    pin: pinPad([], 'entered'),
    expect: { outcome: 'online-request', stoppedAt: 'first-generate-ac', tvr: '0000048000', tsi: 'E800', aid: 'A0000000041010', cvm: '420300' },
  },
];

export { ascii, c };
