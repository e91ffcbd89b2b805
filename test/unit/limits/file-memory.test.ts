import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FileMemory } from '../../../src/limits/file-memory.js';

test('holds wait in order until their bytes fit; a hold larger than the budget runs alone', async () => {
  const memory = new FileMemory(100);
  const order: string[] = [];
  const a = await memory.hold(60);
  let waited = 0;
  const started = (name: string) => (release: () => void) => {
    order.push(name);
    return release;
  };
  const b = memory.hold(60, { onWait: () => waited++ }).then(started('b'));
  const huge = memory.hold(1000, { onWait: () => waited++ }).then(started('huge'));
  assert.equal(waited, 2, 'both told at once that they wait');
  a();
  const releaseB = await b;
  assert.equal(memory.held, 60);
  assert.deepEqual(order, ['b'], 'the whole budget waits for b');
  releaseB();
  const releaseHuge = await huge;
  assert.equal(memory.held, 100, 'clamped to the whole budget');
  releaseHuge();
  releaseHuge();
  assert.equal(memory.held, 0, 'a second release gives nothing back twice');
  assert.deepEqual(order, ['b', 'huge']);
});

test('a hold aborted while waiting rejects and holds nothing once its turn comes', async () => {
  const memory = new FileMemory(100);
  const a = await memory.hold(100);
  const controller = new AbortController();
  const waiting = memory.hold(50, { signal: controller.signal });
  controller.abort(new Error('stopped'));
  await assert.rejects(waiting, /stopped/);
  a();
  const next = await memory.hold(100);
  assert.equal(memory.held, 100, 'the aborted hold took nothing');
  next();
});

test('a hold stopped before it starts, or while it waits, never blocks those behind it', async () => {
  const memory = new FileMemory(100);
  const stopped = AbortSignal.abort(new Error('stopped before'));
  await assert.rejects(memory.hold(10, { signal: stopped }), /stopped before/);
  const a = await memory.hold(60);
  const controller = new AbortController();
  const big = memory.hold(80, { signal: controller.signal });
  const small = memory.hold(40);
  controller.abort(new Error('stopped while waiting'));
  await assert.rejects(big, /stopped while waiting/);
  const releaseSmall = await small; // fits beside a's 60 once the big one left the line
  assert.equal(memory.held, 100);
  releaseSmall();
  a();
  assert.equal(memory.held, 0);
});
