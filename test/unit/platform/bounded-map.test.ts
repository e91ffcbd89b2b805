import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedMap } from '../../../src/platform/bounded-map.js';

test('BoundedMap keeps at most max entries, dropping the one set longest ago', () => {
  const m = new BoundedMap<string, number>({ max: 3 });
  for (let i = 0; i < 1000; i++) m.set(`k${i}`, i);
  assert.equal(m.size, 3);
  assert.deepEqual(
    [...m],
    [
      ['k997', 997],
      ['k998', 998],
      ['k999', 999],
    ],
  );
  // Setting again makes an entry the newest: it outlives the others.
  m.set('k997', 1);
  m.set('new', 2);
  assert.equal(m.get('k998'), undefined);
  assert.equal(m.get('k997'), 1);
});

test('BoundedMap entries expire after the map’s ttl or their own', () => {
  let now = 0;
  const m = new BoundedMap<string, string>({ max: 10, ttlMs: 100, now: () => now });
  m.set('a', 'x');
  m.set('b', 'y', 1000);
  now = 99;
  assert.equal(m.get('a'), 'x');
  now = 100;
  assert.equal(m.get('a'), undefined);
  assert.equal(m.has('a'), false);
  assert.deepEqual([...m], [['b', 'y']]);
  now = 1000;
  assert.equal(m.size, 1, 'an expired entry still counts until read or pushed out');
  assert.deepEqual([...m], []);
  assert.throws(() => new BoundedMap({ max: 0 }), RangeError);
});
