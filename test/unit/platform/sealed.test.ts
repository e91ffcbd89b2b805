/** Installations at rest: AES-256-GCM, bound to their key, refused when changed. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Sealer } from '../../../src/platform/sealed.js';

test('sealed text opens only with its key and its context; a changed byte fails', () => {
  const key = randomBytes(32).toString('base64');
  const sealer = new Sealer(key);
  const plain = JSON.stringify({ bot: { token: 'xoxb-123-secret', refreshToken: 'xoxe-1-r' } });
  const sealed = sealer.seal(plain, 'installation:T1');
  assert.doesNotMatch(sealed, /xoxb|xoxe|secret/);
  assert.notEqual(sealer.seal(plain, 'installation:T1'), sealed, 'a fresh nonce each time');
  assert.equal(sealer.open(sealed, 'installation:T1'), plain);
  assert.throws(() => sealer.open(sealed, 'installation:T2'), 'another record’s key');
  assert.throws(
    () => new Sealer(randomBytes(32).toString('base64')).open(sealed, 'installation:T1'),
    'another key',
  );
  const parts = sealed.split('.');
  const body = Buffer.from(parts[3] as string, 'base64');
  body[0] = (body[0] as number) ^ 1;
  parts[3] = body.toString('base64');
  assert.throws(() => sealer.open(parts.join('.'), 'installation:T1'), 'a changed byte');
});
