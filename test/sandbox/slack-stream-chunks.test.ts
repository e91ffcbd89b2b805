import assert from 'node:assert/strict';
import { test } from 'node:test';
import { streamPlan } from '../../sandbox/slack/api-stream.js';
import { failsWith, startSimClient } from '../support/sim-client.js';

test('stream chunks: task_update and plan_update as documented, task_display_mode timeline|plan; tasks update in place', async (t) => {
  const { sim, client } = await startSimClient(t);
  const parent = sim.seedMessage({ channel: 'D0ALICE', user: 'U0ALICE', text: 'summarize' });
  const start = { channel: 'D0ALICE', thread_ts: parent.ts };
  const task = { type: 'task_update', id: 'read', title: 'Reading', status: 'in_progress' } as const;
  await failsWith(client.chat.startStream({ ...start, task_display_mode: 'list' }), 'invalid_arguments');
  for (const bad of [
    { ...task, status: 'done' },
    { ...task, id: '' },
    { ...task, title: undefined },
    { ...task, details: 'x'.repeat(257) },
    { ...task, output: 'x'.repeat(257) },
    { ...task, sources: [{ type: 'url', url: 'https://example.com' }] },
    { type: 'plan_update' },
    { type: 'thinking', text: 'hmm' },
  ])
    await failsWith(client.chat.startStream({ ...start, chunks: [bad as never] }), 'invalid_chunks');
  const { ts = '' } = await client.chat.startStream({
    ...start,
    task_display_mode: 'plan',
    chunks: [
      { type: 'plan_update', title: 'Summary of #general' },
      task,
      { ...task, id: 'write', title: 'Write', status: 'pending' },
    ],
  });
  await failsWith(
    client.chat.appendStream({ channel: 'D0ALICE', ts, chunks: [{ ...task, status: 'finished' } as never] }),
    'invalid_chunks',
  );
  await client.chat.appendStream({
    channel: 'D0ALICE',
    ts,
    chunks: [{ ...task, title: 'Read 1,000 messages', status: 'complete', details: '3 people' }],
  });
  await client.chat.stopStream({ channel: 'D0ALICE', ts, markdown_text: 'The summary.' });
  const m = sim.message('D0ALICE', ts);
  assert.ok(m);
  assert.deepEqual(streamPlan(m), {
    mode: 'plan',
    title: 'Summary of #general',
    tasks: [
      { id: 'read', title: 'Read 1,000 messages', status: 'complete', details: '3 people' },
      { id: 'write', title: 'Write', status: 'pending' },
    ],
  });
  assert.equal(m.text, 'The summary.');
});

test('plan blocks in a message: a title and task cards (task_id, title, status, rich_text details), checked on post and update', async (t) => {
  const { sim, client } = await startSimClient(t);
  const card = { task_id: 'read', title: 'Reading', status: 'in_progress' };
  const plan = (tasks: unknown[], title: unknown = 'Digest of #general') => [{ type: 'plan', title, tasks }];
  for (const bad of [
    plan([card], ''),
    plan([{ ...card, status: 'done' }]),
    plan([{ ...card, task_id: '' }]),
    plan([{ ...card, title: undefined }]),
    plan([{ ...card, details: 'Read it all' }]),
    plan([{ ...card, type: 'section' }]),
  ])
    await failsWith(
      client.chat.postMessage({ channel: 'C0GENERAL', text: 'x', blocks: bad as never }),
      'invalid_blocks',
    );
  const details = {
    type: 'rich_text',
    elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: '3 people' }] }],
  };
  const { ts = '' } = await client.chat.postMessage({
    channel: 'C0GENERAL',
    text: 'Writing the digest…',
    blocks: plan([
      { ...card, details },
      { task_id: 'write', title: 'Write' },
    ]) as never,
  });
  await failsWith(
    client.chat.update({
      channel: 'C0GENERAL',
      ts,
      blocks: plan([{ ...card, status: 'finished' }]) as never,
    }),
    'invalid_blocks',
  );
  await client.chat.update({
    channel: 'C0GENERAL',
    ts,
    blocks: plan([{ ...card, status: 'complete' }]) as never,
  });
  const shown = sim.messages('C0GENERAL').find((m) => m.ts === ts);
  assert.deepEqual(shown?.blocks, plan([{ ...card, status: 'complete' }]));
});
