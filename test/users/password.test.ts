import t from 'tap';
import { scryptSync } from 'node:crypto';
import { checkPasswordPolicy, checkPinPolicy, hashPassword, verifyPassword, type PasswordHash } from '../../src/users/password.js';

t.test('RFC 7914 section 12 scrypt vector verifies through a stored hash', async (t) => {
  // scrypt(P="password", S="NaCl", N=1024, r=8, p=16, dkLen=64): the first 32 bytes (PBKDF2 blocks are independent).
  const rfc = 'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640';
  const stored: PasswordHash = { alg: 'scrypt', N: 1024, r: 8, p: 16, salt: Buffer.from('NaCl').toString('base64'), hash: Buffer.from(rfc.slice(0, 64), 'hex').toString('base64') };
  t.equal(await verifyPassword('password', stored), true);
  t.equal(await verifyPassword('Password', stored), false);
  t.equal(scryptSync('password', 'NaCl', 64, { N: 1024, r: 8, p: 16 }).toString('hex'), rfc, 'node:crypto agrees with the RFC');
});

t.test('hashes carry their own salt and parameters', async (t) => {
  const params = { N: 1 << 10, r: 8, p: 1 };
  const a = await hashPassword('Correct-Horse-9', params);
  const b = await hashPassword('Correct-Horse-9', params);
  t.not(a.salt, b.salt, 'per-hash random salt');
  t.not(a.hash, b.hash);
  t.match(a, { alg: 'scrypt', N: 1024, r: 8, p: 1 });
  t.equal(Buffer.from(a.salt, 'base64').length, 16);
  t.equal(await verifyPassword('Correct-Horse-9', a), true);
  t.equal(await verifyPassword('Correct-Horse-8', a), false);
  t.notMatch(JSON.stringify(a), /Correct-Horse/);
});

t.test('password policy', async (t) => {
  const tech = { userId: 'tech1', role: 'technician' as const };
  t.same(checkPasswordPolicy('Xq7!mzPa2v', tech), [], '10 characters, 4 classes');
  t.match(checkPasswordPolicy('Xq7!mzPa2', tech), [/at least 10 characters/], 'admin and technician need 10');
  t.same(checkPasswordPolicy('Xq7!mzPa', { userId: 'sup1', role: 'supervisor' }), [], 'others need 8');
  t.match(checkPasswordPolicy('Password123', { userId: 'x1', role: 'finance' }), [/commonly used/]);
  t.match(checkPasswordPolicy('my-TECH1-pass', tech), [/user ID/]);
  t.match(checkPasswordPolicy('alllowercaseletters', tech), [/three of/]);
  t.same(checkPasswordPolicy('lowercase-and-1', tech), [], 'lower, digit and symbol are three classes');
  t.equal(checkPasswordPolicy('short', tech).length, 2, 'every rule broken is listed');
});

t.test('operator PIN policy', async (t) => {
  t.same(checkPinPolicy('2580'), []);
  t.same(checkPinPolicy('123'), ['4 to 8 digits']);
  t.same(checkPinPolicy('12a4'), ['4 to 8 digits']);
  t.same(checkPinPolicy('7777'), ['not one digit repeated']);
  t.same(checkPinPolicy('3456'), ['not a run of consecutive digits']);
  t.same(checkPinPolicy('9876'), ['not a run of consecutive digits']);
  t.same(checkPinPolicy('8901'), ['not a run of consecutive digits'], 'runs wrap 9 -> 0');
});
