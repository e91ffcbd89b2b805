/**
 * One answer's workspace search without Slack or Claude: what Claude may read of each result,
 * the Sources under the answer (cited ones, or every one given when none is cited), the cap, and
 * the off note once per thread.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SearchResultBlockParam } from '@anthropic-ai/sdk/resources/messages';
import type { AskAnswer } from '../../../../src/ask/types.js';
import { TEXTS } from '../../../../src/features/language.js';
import { WorkspaceSearch } from '../../../../src/features/search/workspace-search.js';
import { createLogger } from '../../../../src/platform/logger.js';
import type { ChannelKind } from '../../../../src/slack/read/search.js';

const HITS = [
  {
    channel_id: 'CPUB',
    message_ts: '1.1',
    content: 'public words',
    author_user_id: 'U1',
    permalink: 'https://s/archives/CPUB/p11',
  },
  {
    channel_id: 'GPRIV',
    message_ts: '2.2',
    content: 'private words',
    author_user_id: 'U2',
    permalink: 'https://s/archives/GPRIV/p22',
  },
];
const KINDS: Record<string, ChannelKind> = {
  CPUB: { public: true, shared: false, name: 'pub' },
  GPRIV: { public: false, shared: false },
  CHERE: { public: true, shared: false, name: 'here' },
  CEXT: { public: true, shared: true, name: 'ext' },
};

function search(granted: string[] | undefined = ['search:read.public', 'search:read.private']) {
  const calls: Record<string, unknown>[] = [];
  const ws = new WorkspaceSearch({
    client: {
      apiCall: async (_m: string, args?: Record<string, unknown>) => {
        calls.push(args ?? {});
        return { ok: true, results: { messages: HITS } };
      },
    } as never,
    kinds: { of: async (id: string) => KINDS[id] ?? { public: false, shared: true } },
    directory: { name: async (id: string) => `name-${id}` },
    grantedScopes: () => granted,
    log: createLogger({ level: 'silent' }),
  });
  return { ws, calls };
}

const place = (channelId: string, kind: 'channel' | 'dm' = 'channel') => ({
  teamId: 'T1',
  channelId,
  threadTs: '9.9',
  kind,
});
const settings = { maxSearches: 1, maxResults: 5 };

test('in a public channel a private result is linked, not quoted; none cited lists every result given', async () => {
  const { ws, calls } = search();
  const one = ws.begin({ ref: 'r', place: place('CHERE'), actionToken: 'tok' }, settings);
  const blocks = (await one?.tool?.run({ query: 'words' })) as SearchResultBlockParam[];
  assert.deepEqual(calls[0], {
    query: 'words',
    action_token: 'tok',
    channel_types: 'public_channel,private_channel',
    content_types: 'messages',
    include_bots: false,
    limit: 5,
  });
  assert.deepEqual(
    blocks.map((b) => [b.title, b.content[0]?.text.includes('words')]),
    [
      ['#pub, name-U1', true],
      ['a private conversation', false],
    ],
  );
  const closing = one?.closing({ text: 'x', source: 'claude', stopReason: 'end_turn' }, false) ?? '';
  assert.match(
    closing,
    /\*\*Sources\*\*\n- \[#pub, name-U1\]\(https:\/\/s\/archives\/CPUB\/p11\)\n- \[a private conversation\]\(https:\/\/s\/archives\/GPRIV\/p22\)$/,
  );
  await assert.rejects(one?.tool?.run({ query: 'again' }) ?? Promise.resolve(), /No searches are left/);
  assert.equal(calls.length, 1, 'the cap holds');
});

test('cited results only are listed; in a DM everything is quoted; a shared channel quotes only its own', async () => {
  const { ws } = search();
  const dm = ws.begin({ ref: 'r', place: place('D1', 'dm'), actionToken: 'tok' }, settings);
  const blocks = (await dm?.tool?.run({ query: 'words' })) as SearchResultBlockParam[];
  assert.ok(blocks.every((b) => b.content[0]?.text.includes('words')));
  const cited: AskAnswer = {
    text: 'x',
    source: 'claude',
    stopReason: 'end_turn',
    content: [
      {
        type: 'text',
        text: 'x',
        citations: [
          {
            type: 'search_result_location',
            source: 'https://s/archives/GPRIV/p22',
            title: null,
            cited_text: 'private words',
            search_result_index: 1,
            start_block_index: 0,
            end_block_index: 1,
          },
        ],
      },
    ],
  };
  const listed = dm?.closing(cited, false) ?? '';
  assert.ok(listed.includes('GPRIV') && !listed.includes('CPUB'), listed);
  assert.match(listed, /\*\*Sources\*\*/);
  // In the asker's language: the heading and the note under it.
  assert.match(
    dm?.closing(cited, true, TEXTS.de.search) ?? '',
    /\*\*Quellen\*\*[\s\S]*Limit dieser Antwort von/,
  );
  assert.match(dm?.closing(cited, false, TEXTS.ja.search) ?? '', /\*\*出典\*\*/);

  const ext = ws.begin({ ref: 'r', place: place('CEXT'), actionToken: 'tok' }, settings);
  const extBlocks = (await ext?.tool?.run({ query: 'words' })) as SearchResultBlockParam[];
  assert.ok(
    extBlocks.every((b) => !b.content[0]?.text.includes('words')),
    'shared channel: nothing quoted',
  );
});

test('without the scopes or the token: no tool, and the note once per thread', () => {
  const { ws } = search(['chat:write']);
  const first = ws.begin({ ref: 'r', place: place('CHERE'), actionToken: 'tok' }, settings);
  assert.equal(first?.tool, undefined);
  assert.match(first?.closing(undefined, false) ?? '', /lacks the `search:read` scopes/);
  const again = ws.begin({ ref: 'r', place: place('CHERE'), actionToken: 'tok' }, settings);
  assert.equal(again?.closing(undefined, false), '');
  const noToken = search().ws.begin({ ref: 'r', place: place('CHERE') }, settings);
  assert.equal(noToken?.tool, undefined);
  assert.match(noToken?.closing(undefined, false) ?? '', /Slack gave no search permission/);
  assert.equal(search().ws.begin({ ref: 'r', place: place('CHERE') }, undefined), undefined, 'profile off');
});
