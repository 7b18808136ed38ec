// Single rules of the kernel against the book text: AID matching and ordering (Book 1
// 12.3.1, 12.4), date comparison (Book 3 10.4.3: YY < 50 is 20YY), CVM condition codes
// (Book 3 Annex C3 Table 40), TAA precedence (10.7), and bad configuration as EMV_KERNEL_CONFIG.
import t from 'tap';
import { compareYymmdd, runTransaction } from '../../../emv/kernel/kernel.js';
import { matchAid, orderCandidates } from '../../../emv/kernel/selection.js';
import { processCvmList } from '../../../emv/kernel/cvm.js';
import { CardIo } from '../../../emv/kernel/card-io.js';
import { fromHex, toHex } from '../../../emv/bytes.js';
import type { Candidate } from '../../../emv/kernel/types.js';
import { TERMINAL, params } from './catalogue.js';

t.test('AID matching: exact, or by prefix when the ASI allows partial matching', async (t) => {
  const visa = TERMINAL.aids[0]!; // partial allowed
  const debit = TERMINAL.aids[1]!; // exact only
  t.equal(matchAid(fromHex('A0000000031010'), TERMINAL.aids), visa);
  t.equal(matchAid(fromHex('A000000003101001'), TERMINAL.aids), visa, 'longer card AID, partial allowed');
  t.equal(matchAid(fromHex('A000000003201001'), TERMINAL.aids), undefined, 'longer card AID, exact only');
  t.equal(matchAid(fromHex('A0000000032010'), TERMINAL.aids), debit);
  t.equal(matchAid(fromHex('A00000000310'), TERMINAL.aids), undefined, 'shorter card AID never matches');
});

t.test('candidate order: priority 1 first, no priority last, card order within a tie', async (t) => {
  const c = (aid: string, priority: number | undefined): Candidate => ({ aid: fromHex(aid), label: aid, preferredName: undefined, priority, confirmationRequired: false, config: TERMINAL.aids[0]! });
  const list = orderCandidates([c('A000000001', undefined), c('A000000002', 3), c('A000000003', 1), c('A000000004', 3)]);
  t.same(list.map((x) => x.label), ['A000000003', 'A000000002', 'A000000004', 'A000000001']);
});

t.test('YYMMDD comparison uses the 1950-2049 window', async (t) => {
  t.equal(compareYymmdd('491231', '500101'), 1, '2049 after 1950');
  t.equal(compareYymmdd('261128', '261128'), 0);
  t.equal(compareYymmdd('251231', '261128'), -1);
});

t.test('CVM conditions (Table 40) and results', async (t) => {
  const io = new CardIo(async () => fromHex('6A88'), true);
  const run = async (list: string, amount: number, type = 0x00, capabilities = 'E0F8C8') => {
    const tvr = new Uint8Array(5);
    const card = new Map<number, Uint8Array>([[0x8e, fromHex(list)], [0x9f42, fromHex('0978')]]);
    const r = await processCvmList({ io, card, capabilities: fromHex(capabilities), terminalType: 0x22, transactionType: type, amount, currency: 978, tvr, pin: undefined, oda: undefined, caKey: undefined, date: '261128', pan: undefined, staticData: new Uint8Array(0) });
    return { cvm: toHex(r.bytes), tvr: toHex(tvr) };
  };
  // X = 20.00: signature if under X (06), else no CVM (07 over X).
  t.same(await run('000007D000000000' + '5E06' + '1F07', 1000), { cvm: '5E0600', tvr: '0000000000' }, 'under X in the application currency: signature, result unknown');
  t.same(await run('000007D000000000' + '5E06' + '1F07', 3000), { cvm: '1F0702', tvr: '0000000000' }, 'over X: no CVM required, successful');
  t.same(await run('0000000000000000' + '1F05', 1000, 0x09), { cvm: '1F0502', tvr: '0000000000' }, '05: purchase with cashback');
  t.same(await run('0000000000000000' + '1F05', 1000, 0x00), { cvm: '3F0001', tvr: '0000800000' }, 'no condition met: 3F0001 and TVR byte 3 bit 8');
  t.same(await run('0000000000000000' + '5E03' + '1F03', 1000, 0x00, 'E00800'), { cvm: '1F0302', tvr: '0000000000' }, '03: only the CVMs the terminal supports');
  t.same(await run('0000000000000000' + '2D00', 1000), { cvm: '2D0001', tvr: '0000C00000' }, 'unrecognised CVM without continuation: TVR byte 3 bits 8 and 7');
  t.same(await run('0000000000000000' + '0000', 1000), { cvm: '000001', tvr: '0000800000' }, 'fail CVM processing (000000)');
  t.same(await run('0000000000', 1000), { cvm: '3F0000', tvr: '2000000000' }, 'a CVM list without rules: ICC data missing');
});

t.test('bad configuration or parameters are EMV_KERNEL_CONFIG before any card exchange', async (t) => {
  let sent = 0;
  const deps = { transceive: async () => (sent++, fromHex('9000')) };
  const bad = [
    { params: params(1000, { date: '261332' }), config: TERMINAL },
    { params: params(1000, { time: '250000' }), config: TERMINAL },
    { params: params(-1), config: TERMINAL },
    { params: params(1000, { unpredictableNumber: fromHex('11') }), config: TERMINAL },
    { params: params(1000), config: { ...TERMINAL, aids: [] } },
    { params: params(1000), config: { ...TERMINAL, capabilities: fromHex('E0F8') } },
    { params: params(1000), config: { ...TERMINAL, aids: [{ ...TERMINAL.aids[0]!, tacOnline: fromHex('00') }] } },
  ];
  for (const b of bad) await t.rejects(runTransaction({ interface: 'contact', ...b, deps }), { code: 'EMV_KERNEL_CONFIG' });
  t.equal(sent, 0, 'no command was sent');
});
