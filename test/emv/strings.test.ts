// Human-readable decoding: ISO 4217 amounts, bit meanings of Book 3 Annex C, CVM List and
// Results, IAD layouts, the annotated tree (masking PANs).
import t from 'tap';
import { formatAmount, formatMinorUnits, currency } from '../../emv/strings/currency.js';
import { country } from '../../emv/strings/country.js';
import { setBits, TVR_BITS, TSI_BITS, AIP_BITS, AUC_BITS, TTQ_BITS, CTQ_BITS, describeCid } from '../../emv/strings/bits.js';
import { parseCvmList, describeCvmResults } from '../../emv/strings/cvm.js';
import { describeIad } from '../../emv/strings/iad.js';
import { describeValue, formatTlvTree } from '../../emv/strings/describe.js';
import { decodeTlv } from '../../emv/ber/tlv.js';
import { fromHex } from '../../emv/bytes.js';

t.test('ISO 4217: exponents and formatting', async (t) => {
  const exponents: Array<[number, string, number]> = [
    [156, 'CNY', 2],
    [840, 'USD', 2],
    [978, 'EUR', 2],
    [392, 'JPY', 0],
    [826, 'GBP', 2],
    [344, 'HKD', 2],
    [410, 'KRW', 0],
    [48, 'BHD', 3],
    [414, 'KWD', 3],
  ];
  for (const [num, alpha, exp] of exponents) t.match(currency(num), { alpha, exponent: exp }, `${num} ${alpha}`);
  t.equal(currency('cny')?.numeric, 156);
  t.equal(formatAmount(12345, 156), 'CNY 123.45');
  t.equal(formatAmount(5, 840), 'USD 0.05');
  t.equal(formatAmount(1234, 392), 'JPY 1234');
  t.equal(formatAmount(1234n, 48), 'BHD 1.234');
  t.equal(formatAmount(-250, 978), 'EUR -2.50');
  t.equal(formatAmount(999999999999n, 826), 'GBP 9999999999.99', 'n 12 maximum, exactly');
  t.match(formatAmount(100, 999), /exponent assumed 2/);
  t.equal(formatMinorUnits(7, 3), '0.007');
  t.match(country(156), { alpha2: 'CN' });
  t.match(country(840), { alpha2: 'US' });
});

const meanings = (table: typeof TVR_BITS, hex: string): string[] => setBits(table, fromHex(hex)).map((b) => `${b.byte}.${b.bit} ${b.meaning}`);

t.test('TVR bits (Book 3 Annex C5)', async (t) => {
  t.same(meanings(TVR_BITS, '8000008000'), ['1.8 Offline data authentication was not performed', '4.8 Transaction exceeds floor limit']);
  t.same(meanings(TVR_BITS, '0440000000'), ['1.3 CDA failed', '2.7 Expired application']);
  t.same(meanings(TVR_BITS, '0000200800'), ['3.6 PIN Try Limit exceeded', '4.4 Merchant forced transaction online']);
  t.same(meanings(TVR_BITS, '0000000040'), ['5.7 Issuer authentication failed']);
  t.same(meanings(TVR_BITS, '0100000000'), ['1.1 RFU bit set']);
});

t.test('TSI, AIP, AUC bits (Book 3 Annex C6, C1, C2)', async (t) => {
  t.same(meanings(TSI_BITS, 'E800'), ['1.8 Offline data authentication was performed', '1.7 Cardholder verification was performed', '1.6 Card risk management was performed', '1.4 Terminal risk management was performed']);
  t.same(meanings(AIP_BITS, '5800'), ['1.7 SDA supported', '1.5 Cardholder verification is supported', '1.4 Terminal risk management is to be performed']);
  t.same(meanings(AIP_BITS, '0100'), ['1.1 CDA supported']);
  t.same(meanings(AUC_BITS, '0300'), ['1.2 Valid at ATMs', '1.1 Valid at terminals other than ATMs']);
  t.same(meanings(AUC_BITS, '0080'), ['2.8 Domestic cashback allowed']);
});

t.test('TTQ and CTQ (Book C-3 Annex A)', async (t) => {
  t.same(meanings(TTQ_BITS, '20804000'), ['1.6 EMV mode supported', '2.8 Online cryptogram required', '3.7 Consumer Device CVM supported']);
  t.same(meanings(CTQ_BITS, '8080'), ['1.8 Online PIN required', '2.8 Consumer Device CVM performed']);
});

t.test('Cryptogram Information Data (Book 3 Table 15)', async (t) => {
  t.same(describeCid(0x80), ['cryptogram type: ARQC (go online)']);
  t.same(describeCid(0x40), ['cryptogram type: TC (approve offline)']);
  t.same(describeCid(0x0a), ['cryptogram type: AAC (decline)', 'advice required', 'reason: PIN Try Limit exceeded']);
});

t.test('CVM List and CVM Results (Book 3 Annex C3, Book 4 A4)', async (t) => {
  const list = parseCvmList(fromHex('000003E8' + '00000000' + '4203' + '1E03' + '0206' + '1F00'))!;
  t.equal(list.amountX, 1000);
  t.equal(list.amountY, 0);
  t.same(
    list.rules.map((r) => [r.method, r.applyNextIfUnsuccessful, r.condition]),
    [
      [0x02, true, 0x03],
      [0x1e, false, 0x03],
      [0x02, false, 0x06],
      [0x1f, false, 0x00],
    ],
  );
  t.match(list.rules[0]!.text, /Enciphered PIN verified online; If terminal supports the CVM; if unsuccessful apply next rule/);
  t.match(list.rules[2]!.text, /under X value/);
  t.match(list.rules[3]!.text, /No CVM required; Always/);
  t.equal(parseCvmList(fromHex('0000')), undefined);
  t.equal(parseCvmList(fromHex('000000000000000042')), undefined, 'half a rule');
  t.same(describeCvmResults(fromHex('1F0002')), ['method: No CVM required', 'condition: Always', 'result: successful']);
  t.same(describeCvmResults(fromHex('3F0000')), ['method: No CVM performed', 'condition: Always', 'result: unknown']);
  t.same(describeCvmResults(fromHex('410301')), ['method: Plaintext PIN verification performed by ICC', 'condition: If terminal supports the CVM', 'result: failed']);
});

t.test('IAD: CCD format (Book 3 Annex C7) and Visa VIS layout', async (t) => {
  const ccd = describeIad(fromHex('0F' + 'A5' + '01' + 'A030000000' + '0000000000000000' + '0F' + '00'.repeat(15)));
  t.match(ccd[0], /Common Core Definitions/);
  t.match(ccd[1], /format A \(CCD\), cryptogram version 5 \(TDES\)/);
  t.match(ccd[3], /card verification results: A030000000/);
  const vis = describeIad(fromHex('06011203A00000'));
  t.match(vis, ['Visa VIS layout', /derivation key index: 01/, /cryptogram version number: 18/, /card verification results: 03A00000/]);
  t.same(describeIad(fromHex('0110A00000')), ['issuer-proprietary layout']);
});

t.test('describeValue: dates, codes, formats; unreadable values fall back to hex', async (t) => {
  t.equal(describeValue(0x9a, fromHex('251128')).text, '2025-11-28');
  t.equal(describeValue(0x9f21, fromHex('134501')).text, '13:45:01');
  t.match(describeValue(0x5f2a, fromHex('0978')).text, /978 EUR/);
  t.match(describeValue(0x9f1a, fromHex('0826')).text, /826 GB/);
  t.equal(describeValue(0x9f02, fromHex('000000012345'), { currency: 392 }).text, 'JPY 12345');
  t.equal(describeValue(0x50, Buffer.from('VISA')).text, '"VISA"');
  t.equal(describeValue(0x9c, fromHex('20')).text, '20 refund');
  const bad = describeValue(0x9f02, fromHex('AAAAAAAAAAAA'));
  t.equal(bad.text, 'AAAAAAAAAAAA');
  t.match(bad.details[0], /not readable/);
  t.equal(describeValue(0x9f7f, fromHex('0102')).text, '0102', 'unknown tag as hex');
  // GPO response format 1 (Book 3 6.5.8.4): AIP then AFL
  t.same(describeValue(0x80, fromHex('1800' + '08010201')).details, [
    'AIP 1800',
    '  byte 1 bit 5: Cardholder verification is supported',
    '  byte 1 bit 4: Terminal risk management is to be performed',
    'AFL 08010201',
    '  SFI 1, records 1-2, 1 for offline data authentication',
  ]);
  t.same(describeValue(0x94, fromHex('1001030018010100')).details, ['SFI 2, records 1-3, 0 for offline data authentication', 'SFI 3, records 1-1, 0 for offline data authentication']);
  t.same(describeValue(0x94, fromHex('100103')).details, ['malformed: length not a multiple of 4']);
});

t.test('formatTlvTree: indented, named, PAN masked unless revealed', async (t) => {
  const nodes = decodeTlv(fromHex('7014' + '5A084761739001010010' + '5F2A020156' + '9F0202' + '1000'));
  const tree = formatTlvTree(nodes);
  t.match(tree, /^70 \(20\) READ RECORD Response Message Template\n/);
  t.match(tree, /\n {2}5A \(8\) Application Primary Account Number \(PAN\): 476173\*{6}0010\n/);
  t.notMatch(tree, /4761739001010010/);
  t.match(tree, /9F02 \(2\) Amount, Authorised \(Numeric\): CNY 10\.00/, 'currency taken from 5F2A in the same tree');
  t.match(formatTlvTree(nodes, { reveal: true }), /: 4761739001010010\n/);
  const t2 = formatTlvTree(decodeTlv(fromHex('5713' + '4761739001010010D25122011143804400000F')));
  t.notMatch(t2, /1143804400000|4761739001010010/, 'track 2 equivalent data: PAN masked, discretionary hidden');
  t.match(t2, /service code 201/);
});
