import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { FileRoutineBook } from '../../../src/features/routines/book.js';
import { FileBatchBook } from '../../../src/limits/batched-calls.js';
import { readJsonFile, UnreadableFile } from '../../../src/platform/json-file.js';

test('a damaged state file is never taken for an empty one: reads throw naming it, writes leave it as it was', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'scb-json-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal(readJsonFile(path.join(dir, 'none.json')), undefined, 'no file: nothing');
  const cut = '{"daily":{"handled":17';
  for (const [name, book] of [
    ['routines.json', new FileRoutineBook(dir)],
    ['batches.json', new FileBatchBook(dir)],
  ] as const) {
    const file = path.join(dir, name);
    writeFileSync(file, cut);
    const named = (e: unknown) => e instanceof UnreadableFile && e.file === file && e.message.includes(file);
    await assert.rejects(book.get('daily'), named);
    await assert.rejects(
      name === 'routines.json'
        ? (book as FileRoutineBook).put('daily', { handled: 1, coveredTo: 1 })
        : (book as FileBatchBook).put('daily', { batchId: 'b', customId: 'c', submittedAt: Date.now() }),
      named,
    );
    assert.equal(readFileSync(file, 'utf8'), cut, `${name} left as it was`);
  }
});
