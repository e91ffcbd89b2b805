import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Fact, FileFacts } from '../../../../src/features/memory/facts.js';
import { createLogger } from '../../../../src/platform/logger.js';

const fact = (text: string): Fact => ({ text, by: 'U0ALICE', at: new Date(0).toISOString() });

test('STATE_DIR facts: changes in two channels of one workspace made at once both stay, after a restart too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'facts-'));
  const log = createLogger({ level: 'silent' });
  const book = new FileFacts(dir, log);
  await Promise.all(
    ['C1', 'C2', 'C3'].map((channel) =>
      book.update('T1', channel, (facts) => [...facts, fact(`in ${channel}`)]),
    ),
  );
  const again = new FileFacts(dir, log);
  for (const channel of ['C1', 'C2', 'C3'])
    assert.deepEqual(
      (await again.list('T1', channel)).map((f) => f.text),
      [`in ${channel}`],
    );
});
