/**
 * DUKPT + PIN block and MAC cost against the per-block floor (shared/reference/perf-baselines.md,
 * "DUKPT / PIN block / MAC"): the floor is one node:crypto cipher context plus one block,
 * measured in the same run, times the number of block operations the work needs.
 * Goal: at most 1.5x the floor time, i.e. ratio (ops/s vs floor-derived ops/s) >= 0.67.
 * Also: node-forge single-block DES/AES against node:crypto (forge loaded lazily, here only).
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { wipe } from '../emv/crypto/bytes.js';
import { x919Mac } from '../emv/crypto/mac.js';
import { DukptAesTerminal, deriveAesWorkingKey } from '../src/keys/dukpt-aes.js';
import { DukptTdesTerminal, variantKey } from '../src/keys/dukpt-tdes.js';
import { lowestBit, popcount } from '../src/keys/dukpt-registers.js';
import { PinBuffer, encipherPinBlock } from '../src/keys/pin-block.js';
import { compareOps, type BenchFigure, type Benchmark } from './harness.js';

const CYCLE = 1024;

/** Block operations per transaction over counters 1..CYCLE: fills (per register) plus fixed work. */
function blocksPerTransaction(perFill: number, fixed: number, maxOnes: number): number {
  let total = 0;
  for (let c = 1; c <= CYCLE; c++) {
    const b = 31 - Math.clz32(lowestBit(c));
    total += (popcount(c) < maxOnes ? b * perFill : 0) + fixed;
  }
  return total / CYCLE;
}

function singleBlock(name: string, key: Buffer, size: number): () => void {
  const block = Buffer.alloc(size);
  return () => {
    const c = createCipheriv(name, key, null);
    c.setAutoPadding(false);
    c.update(block);
    c.final();
  };
}

const bench: Benchmark = {
  name: 'crypto: DUKPT + PIN block, X9.19 MAC vs block-count x per-block floor',
  async run(): Promise<BenchFigure[]> {
    const pan = '4012345678909';
    // TDES: each future-key fill is one non-reversible step = 2 DES blocks; the PIN block is 1 TDES block.
    const tdesState = DukptTdesTerminal.load(randomBytes(16), Buffer.from('FFFF9876543210E00000', 'hex')).exportState();
    let tdes = DukptTdesTerminal.importState(tdesState);
    let tdesCount = 0;
    const tdesTx = (): void => {
      if (++tdesCount % CYCLE === 0) tdes = DukptTdesTerminal.importState(tdesState);
      const tx = tdes.nextTransaction();
      const pinKey = variantKey(tx.key, 'pin');
      const pin = PinBuffer.fromString('1234');
      wipe(encipherPinBlock(0, pin, pan, pinKey, undefined, true), pinKey, tx.key);
    };
    // AES-128: each fill is 1 AES block; the PIN key 1 block; the format 4 PIN block 2 blocks.
    const aesState = DukptAesTerminal.load(randomBytes(16), randomBytes(8)).exportState();
    let aes = DukptAesTerminal.importState(aesState);
    let aesCount = 0;
    const aesTx = (): void => {
      if (++aesCount % CYCLE === 0) aes = DukptAesTerminal.importState(aesState);
      const tx = aes.nextTransaction();
      const pinKey = deriveAesWorkingKey(tx.key, tx.ksn, 'pinEncryption');
      const pin = PinBuffer.fromString('1234');
      wipe(encipherPinBlock(4, pin, '4111111111111111', pinKey, undefined, true), pinKey, tx.key);
    };
    const mac304 = randomBytes(304);
    const macKey = randomBytes(16);
    const cbcFloor = (): void => {
      const c = createCipheriv('des-ede-cbc', Buffer.concat([macKey.subarray(0, 8), macKey.subarray(0, 8)]), Buffer.alloc(8));
      c.setAutoPadding(false);
      c.update(mac304);
      c.final();
    };
    const forge = (await import('node-forge')).default;
    const forgeKey = forge.util.createBuffer(randomBytes(8).toString('binary'));
    const forgeAesKey = forge.util.createBuffer(randomBytes(16).toString('binary'));
    const forgeDes = (): void => {
      const c = forge.cipher.createCipher('DES-ECB', forgeKey.copy());
      c.start();
      c.update(forge.util.createBuffer('\0'.repeat(8)));
      // The typings omit finish(pad); a pad function returning true means "no padding" (forge cipher.js).
      (c.finish as unknown as (pad: () => boolean) => boolean)(() => true);
    };
    const forgeAes = (): void => {
      const c = forge.cipher.createCipher('AES-ECB', forgeAesKey.copy());
      c.start();
      c.update(forge.util.createBuffer('\0'.repeat(16)));
      // The typings omit finish(pad); a pad function returning true means "no padding" (forge cipher.js).
      (c.finish as unknown as (pad: () => boolean) => boolean)(() => true);
    };

    const ops = compareOps({
      desBlock: singleBlock('des-ede-ecb', randomBytes(16), 8),
      aesBlock: singleBlock('aes-128-ecb', randomBytes(16), 16),
      cbcFloor,
      tdesTx,
      aesTx,
      mac: () => void x919Mac(macKey, mac304),
      forgeDes,
      forgeAes,
    });

    const tdesBlocks = blocksPerTransaction(2, 1, 10);
    const aesBlocks = blocksPerTransaction(1, 3, 16);
    // MAC floor: one CBC pass over the data plus the two single-block output transformation steps.
    const macFloor = 1 / (1 / ops.cbcFloor! + 2 / ops.desBlock!);
    const figure = (name: string, value: number, baseName: string, base: number): BenchFigure => ({
      name,
      value,
      unit: 'ops/s',
      baseline: { name: baseName, value: base },
      ratio: value / base,
      goal: 'ratio >= 0.67 (time <= 1.5x floor)',
      met: value / base >= 0.67,
    });
    return [
      figure(`DUKPT TDES transaction + ISO 0 PIN block (${tdesBlocks.toFixed(2)} blocks avg)`, ops.tdesTx!, `${tdesBlocks.toFixed(2)} x des-ede-ecb single block`, ops.desBlock! / tdesBlocks),
      figure(`DUKPT AES-128 transaction + PIN key + ISO 4 PIN block (${aesBlocks.toFixed(2)} blocks avg)`, ops.aesTx!, `${aesBlocks.toFixed(2)} x aes-128-ecb single block`, ops.aesBlock! / aesBlocks),
      figure('X9.19 MAC, 304 bytes', ops.mac!, 'des-ede-cbc 304 B + 2 single blocks', macFloor),
      { name: 'node-forge DES-ECB single block (info: forge vs node:crypto)', value: ops.forgeDes!, unit: 'ops/s', baseline: { name: 'node:crypto des-ede-ecb single block', value: ops.desBlock! } },
      { name: 'node-forge AES-128-ECB single block (info)', value: ops.forgeAes!, unit: 'ops/s', baseline: { name: 'node:crypto aes-128-ecb single block', value: ops.aesBlock! } },
    ];
  },
};
export default bench;
