import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_STREAM_BYTES } from '../../sandbox/slack/api-stream.js';
import { failsWith, startSimClient } from '../support/sim-client.js';

test('a streamed message is capped in UTF-8 bytes, not characters; a refused call keeps it streaming', async (t) => {
  const { sim, client } = await startSimClient(t);
  const parent = sim.seedMessage({ channel: 'D0ALICE', user: 'U0ALICE', text: '解释一下' });
  const start = { channel: 'D0ALICE', thread_ts: parent.ts };
  // 3,600 CJK characters: far below 12,000 characters, but 10,800 bytes.
  await failsWith(client.chat.startStream({ ...start, markdown_text: '字'.repeat(3600) }), 'msg_too_long');
  const held = '字'.repeat(3000); // 9,000 bytes
  const { ts = '' } = await client.chat.startStream({ ...start, markdown_text: held });
  const rest = MAX_STREAM_BYTES - Buffer.byteLength(held);
  await failsWith(
    client.chat.appendStream({ channel: 'D0ALICE', ts, markdown_text: '😀'.repeat(rest / 4 + 1) }),
    'msg_too_long',
  );
  await failsWith(
    client.chat.stopStream({ channel: 'D0ALICE', ts, markdown_text: 'é'.repeat(rest) }),
    'msg_too_long',
  );
  assert.equal(sim.message('D0ALICE', ts)?.streaming, true, 'a refused stop leaves the message streaming');
  await failsWith(
    client.chat.appendStream({
      channel: 'D0ALICE',
      ts,
      markdown_text: 'a',
      chunks: [{ type: 'markdown_text', text: 'b' }],
    }),
    'invalid_arguments',
  );
  await client.chat.appendStream({ channel: 'D0ALICE', ts, markdown_text: 'x'.repeat(rest - 1) });
  await client.chat.stopStream({ channel: 'D0ALICE', ts, markdown_text: '!' });
  const msg = sim.message('D0ALICE', ts);
  assert.equal(msg?.streaming, false);
  assert.equal(Buffer.byteLength(msg?.text ?? ''), MAX_STREAM_BYTES, 'exactly the cap is accepted');
});
