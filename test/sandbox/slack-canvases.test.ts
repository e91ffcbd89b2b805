import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canvasMarkdown } from '../../src/slack/write/canvas.js';
import { startSimClient } from '../support/sim-client.js';

async function start(t: { after(fn: () => Promise<void>): void }, scopes?: string[]) {
  const { sim, client } = await startSimClient(t, scopes ? { scopes } : {});
  const call = (method: string, args: Record<string, unknown>) =>
    client.apiCall(method, args).then(
      (r) => r as unknown as Record<string, unknown>,
      (e: { data?: Record<string, unknown> }) => e.data ?? {},
    );
  return { sim, call };
}

const md = (markdown: string) => ({ type: 'markdown', markdown });

test('canvases as Slack documents them: shapes, one change per edit, sections by heading, lookup criteria, 1 MiB', async (t) => {
  const { sim, call } = await start(t);
  const made = await call('canvases.create', {
    title: 'Notes',
    channel_id: 'C0GENERAL',
    document_content: md('# Notes\n\n## Monday\nfirst'),
  });
  assert.equal(made.ok, true);
  const id = made.canvas_id as string;
  assert.match(id, /^F[A-Z0-9]+$/);
  assert.equal(sim.canvases()[0]?.channelId, 'C0GENERAL');
  // The bot must be in the channel it tabs a canvas in; document_content is markdown only.
  assert.equal((await call('canvases.create', { channel_id: 'C0RANDOM' })).error, 'not_in_channel');
  assert.equal(
    (await call('canvases.create', { document_content: { type: 'blocks', blocks: [] } })).error,
    'invalid_arguments',
  );

  const lookup = (criteria: unknown) => call('canvases.sections.lookup', { canvas_id: id, criteria });
  const h1 = (await lookup({ section_types: ['h1'] })).sections as Array<{ id: string }>;
  assert.equal(h1.length, 1);
  assert.equal(
    ((await lookup({ section_types: ['any_header'], contains_text: 'Monday' })).sections as []).length,
    1,
  );
  assert.equal((await lookup({})).error, 'invalid_arguments', 'criteria needs a type or a text');
  assert.equal(
    (await lookup({ section_types: ['h1', 'h2', 'h3', 'any_header'] })).error,
    'invalid_arguments',
  );

  const edit = (changes: unknown) => call('canvases.edit', { canvas_id: id, changes });
  const insert = {
    operation: 'insert_after',
    section_id: h1[0]?.id,
    document_content: md('## Tuesday\nsecond'),
  };
  assert.equal((await edit([insert, insert])).error, 'invalid_arguments', 'one operation per call');
  assert.equal(
    (await edit([{ operation: 'insert_after', document_content: md('x') }])).error,
    'invalid_arguments',
  );
  assert.equal((await edit([{ ...insert, section_id: 'temp:C:NOPE' }])).error, 'canvas_editing_failed');
  assert.equal((await edit([insert])).ok, true);
  assert.deepEqual(
    sim.canvases()[0]?.sections.map((s) => s.markdown.split('\n')[0]),
    ['# Notes', '## Tuesday', '## Monday'],
    'inserted right after the title',
  );
  assert.equal(
    (await edit([{ operation: 'insert_at_end', document_content: md('x'.repeat(1_048_576)) }])).error,
    'canvas_editing_failed',
  );
  assert.equal(
    (await call('canvases.edit', { canvas_id: 'F0NONE', changes: [insert] })).error,
    'canvas_not_found',
  );

  // One channel canvas per channel.
  assert.equal((await call('conversations.canvases.create', { channel_id: 'C0GENERAL' })).ok, true);
  assert.equal(
    (await call('conversations.canvases.create', { channel_id: 'C0GENERAL' })).error,
    'channel_canvas_already_exists',
  );
  const info = await call('conversations.info', { channel: 'C0GENERAL' });
  assert.ok((info.channel as { properties?: { canvas?: unknown } }).properties?.canvas);

  // What a canvas would show literally is noted; the bot's conversion leaves none of it.
  const slackish = '#### Deep\nSee <https://example.com|the page> by <@U0BOB>.';
  await call('canvases.create', { document_content: md(slackish) });
  assert.equal(sim.canvases().at(-1)?.unrendered.length, 2);
  await call('canvases.create', { document_content: md(canvasMarkdown(slackish)) });
  assert.deepEqual(sim.canvases().at(-1)?.unrendered, []);
  assert.match(
    sim.canvasMarkdown(sim.canvases().at(-1)?.id ?? ''),
    /\[the page\]\(https:\/\/example.com\) by !\[\]\(@U0BOB\)/,
  );
});

test('canvases need canvases:write, and canvases:read to look sections up', async (t) => {
  const { call } = await start(t, ['chat:write', 'channels:read']);
  const made = await call('canvases.create', { title: 'x' });
  assert.equal(made.error, 'missing_scope');
  assert.equal(made.needed, 'canvases:write');
  const lookup = await call('canvases.sections.lookup', {
    canvas_id: 'F1',
    criteria: { contains_text: 'x' },
  });
  assert.equal(lookup.needed, 'canvases:read');
});
