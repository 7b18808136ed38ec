import t from 'tap';
import { fromHex, toHex } from '../../emv/crypto/bytes.js';
import { DukptAesTerminal } from '../../src/keys/dukpt-aes.js';
import { encipherPinAesDukpt, encipherPinTdesDukpt } from '../../src/keys/dukpt-pin.js';
import { DukptTdesTerminal } from '../../src/keys/dukpt-tdes.js';
import { PinBuffer, decipherPinBlock } from '../../src/keys/pin-block.js';

t.test('TDES DUKPT online PIN: the X9.24-1:2009 A.4.2 blocks, KSN by KSN, PIN buffer wiped', async (t) => {
  const term = DukptTdesTerminal.load(fromHex('6AC292FAA1315B4D858AB3A3D7D5933A'), fromHex('FFFF9876543210E00000'));
  for (const [ksn, block] of [
    ['FFFF9876543210E00001', '1B9C1845EB993A7A'],
    ['FFFF9876543210E00002', '10A01C8D02C69107'],
    ['FFFF9876543210E00003', '18DC07B94797B466'],
  ] as const) {
    const pin = PinBuffer.fromString('1234');
    const view = pin.withDigits((d) => d);
    const r = encipherPinTdesDukpt(term, pin, '4012345678909');
    t.equal(toHex(r.ksn), ksn);
    t.equal(toHex(r.pinBlock), block);
    t.same([...view], [0, 0, 0, 0], 'PIN digits zeroed');
  }
});

t.test('AES DUKPT online PIN: format 4 under the X9.24-3 counter-1 PIN key', async (t) => {
  const term = DukptAesTerminal.load(fromHex('1273671EA26AC29AFA4D1084127652A1'), fromHex('1234567890123456'));
  const pin = PinBuffer.fromString('1234');
  const r = encipherPinAesDukpt(term, pin, '4111111111111111');
  t.equal(toHex(r.ksn), '123456789012345600000001');
  t.equal(r.pinBlock.length, 16);
  t.equal(pin.length, 0);
  t.equal(decipherPinBlock(4, r.pinBlock, '4111111111111111', fromHex('AF8CB133A78F8DC2D1359F18527593FB')).reveal(), '1234');
});
