/**
 * The fake Messages API with client tools and search results: it plays a tool call, takes the
 * tool's result back, cites search results as the real API does, and refuses with a 400 what the
 * real API refuses (a tool call left unanswered, a result for no call, a malformed search result,
 * citations on for some results and off for others). The offline model uses the bot's search
 * tool when the thread does not speak of the question.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { type FakeAnthropic, startFakeAnthropic } from '../../sandbox/claude/fake-anthropic.js';
import { SEARCH_TOOL } from '../../sandbox/claude/offline-search.js';

const TOOL: Anthropic.Tool = {
  name: SEARCH_TOOL,
  description: 'Search Slack',
  input_schema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
};

async function fake(t: TestContext): Promise<{ fake: FakeAnthropic; client: Anthropic }> {
  const f = await startFakeAnthropic();
  t.after(() => f.close());
  return { fake: f, client: new Anthropic({ apiKey: 'k', baseURL: f.url, maxRetries: 0 }) };
}

const result = (source: string, text: string, citations = true): Anthropic.SearchResultBlockParam => ({
  type: 'search_result',
  source,
  title: `#general, ${source.slice(-2)}`,
  content: [{ type: 'text', text }],
  citations: { enabled: citations },
});

const question = '<message author="Alice">\nWhen is the launch?\n</message>';

/** The conversation so far when the tool's result answers Claude's call `id` in its turn `turn`. */
const withToolResult = (
  asked: string,
  turn: Anthropic.MessageParam['content'],
  content: Anthropic.ToolResultBlockParam['content'],
  id: string,
): Anthropic.MessageParam[] => [
  { role: 'user', content: asked },
  { role: 'assistant', content: turn },
  { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content }] },
];

test('a tool call ends the turn; its search results come back and the answer cites them', async (t) => {
  const { fake: f, client } = await fake(t);
  f.enqueue({ text: '', toolUse: { name: SEARCH_TOOL, input: { query: 'launch date' } } });
  const first = await client.messages
    .stream({
      model: 'claude-x',
      max_tokens: 100,
      tools: [TOOL],
      messages: [{ role: 'user', content: question }],
    })
    .finalMessage();
  assert.equal(first.stop_reason, 'tool_use');
  const use = first.content.find((b) => b.type === 'tool_use');
  assert.deepEqual(use && [use.name, use.input], [SEARCH_TOOL, { query: 'launch date' }]);
  assert.equal(
    first.content.some((b) => b.type === 'text'),
    false,
    'a turn that only calls a tool has no text',
  );

  f.enqueue({ text: 'It is in March.', citeSearchResults: 'all' });
  const second = await client.messages
    .stream({
      model: 'claude-x',
      max_tokens: 100,
      tools: [TOOL],
      messages: withToolResult(
        question,
        first.content,
        [result('https://x.slack.com/archives/C1/p11', 'Launch moves to March')],
        use?.id ?? '',
      ),
    })
    .finalMessage();
  assert.equal(second.stop_reason, 'end_turn');
  const text = second.content.find((b) => b.type === 'text');
  assert.deepEqual(
    text?.citations?.map((c) => c.type === 'search_result_location' && [c.source, c.search_result_index]),
    [['https://x.slack.com/archives/C1/p11', 0]],
  );
});

test('what the real API refuses is refused with a 400', async (t) => {
  const { client } = await fake(t);
  const use: Anthropic.ToolUseBlockParam = { type: 'tool_use', id: 'toolu_1', name: SEARCH_TOOL, input: {} };
  const ask = (messages: Anthropic.MessageParam[], tools: Anthropic.ToolUnion[] = [TOOL]) =>
    client.messages.create({ model: 'claude-x', max_tokens: 50, tools, messages }).then(
      () => '200',
      (err: InstanceType<typeof Anthropic.APIError>) => `${err.status} ${err.message}`,
    );
  const answered = (content: Anthropic.ToolResultBlockParam['content'], id = 'toolu_1') =>
    withToolResult(question, [use], content, id);
  assert.equal(await ask(answered([result('https://s/1', 'ok')])), '200');
  assert.match(await ask(answered('x'), []), /^400 .*must define tools/);
  assert.match(
    await ask([
      { role: 'user', content: question },
      { role: 'assistant', content: [use] },
      { role: 'user', content: 'and?' },
    ]),
    /^400 .*`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1/,
  );
  const stray = answered('x');
  stray[2] = {
    role: 'user',
    content: [
      { type: 'tool_result', tool_use_id: 'toolu_1', content: 'x' },
      { type: 'tool_result', tool_use_id: 'toolu_9', content: 'y' },
    ],
  };
  assert.match(await ask(stray), /^400 .*unexpected `tool_use_id` found in `tool_result` blocks: toolu_9/);
  assert.match(
    await ask(answered([{ ...result('https://s/1', 'ok'), title: '' }])),
    /^400 .*content\.0\.content\.0\.title: Field required/,
  );
  assert.match(await ask(answered([result('https://s/1', ' ')])), /^400 .*must be non-empty/);
  assert.match(
    await ask(answered([result('https://s/1', 'a'), result('https://s/2', 'b', false)])),
    /^400 .*citations must be enabled for all or none/,
  );
  assert.match(
    await ask(
      [{ role: 'user', content: question }],
      [{ name: 'bad name!', input_schema: { type: 'object' } } as Anthropic.Tool],
    ),
    /^400 .*tools\.0\.custom\.name/,
  );
  assert.match(
    await ask([
      { role: 'user', content: question },
      { role: 'assistant', content: [use] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'first' },
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'r' },
        ],
      },
    ]),
    /^400 .*tool_result blocks must come before any other content/,
  );
});

test('the offline model searches for what the thread does not say, then cites what it found', async (t) => {
  const { client } = await fake(t);
  const thread = '<message author="Bob">\nThe launch is in March.\n</message>';
  const ask = (messages: Anthropic.MessageParam[]) =>
    client.messages.create({ model: 'claude-x', max_tokens: 500, tools: [TOOL], messages });
  const knows = await ask([{ role: 'user', content: `${thread}\n\n${question}` }]);
  assert.equal(knows.stop_reason, 'end_turn', 'the thread speaks of the launch: no search');

  const asked = '<message author="Alice">\nWho owns the billing migration?\n</message>';
  const first = await ask([{ role: 'user', content: `${thread}\n\n${asked}` }]);
  assert.equal(first.stop_reason, 'tool_use');
  const use = first.content.find((b) => b.type === 'tool_use');
  assert.match(String((use?.input as { query?: string } | undefined)?.query), /billing/);
  const second = await ask(
    withToolResult(
      `${thread}\n\n${asked}`,
      first.content,
      [result('https://s/archives/C2/p22', 'Dana owns the billing migration')],
      use?.id ?? '',
    ),
  );
  const text = second.content.find((b) => b.type === 'text');
  assert.match(text?.text ?? '', /Dana owns the billing migration/);
  assert.equal(text?.citations?.[0]?.type, 'search_result_location');
});
