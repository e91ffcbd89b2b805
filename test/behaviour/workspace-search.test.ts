/**
 * Workspace search (profile `workspace_search`): asked what the thread does not say, Claude
 * searches Slack as the asking person (assistant.search.context with their action_token), gets
 * the results as search_result blocks and the reply lists the message it relied on under
 * **Sources**. What the asker cannot read never reaches Claude or the reply; a private message is
 * linked, not quoted, in a channel; without the scopes or the token the answer comes from the
 * thread with one line saying why; searches per answer are capped.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import type { RecordedRequest } from '../../sandbox/claude/fake-anthropic.js';
import { SEARCH_TOOL } from '../../sandbox/claude/offline-search.js';
import { manifestScopes } from '../../sandbox/slack/scopes.js';
import { SlackSim } from '../../sandbox/slack/sim.js';
import { requestText, startRig } from '../support/rig.js';
import { addSharedChannel } from '../support/seed.js';
import { visibleText, waitForReplies } from '../support/visible.js';

const SECRET = 'The billing migration is owned by Dana; cutover on 12 March.';
const QUESTION = 'who owns the billing migration?';

async function rig(t: TestContext, opts: { profile?: string; scopes?: string[] } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'profiles-'));
  const file = path.join(dir, 'profiles.yml');
  writeFileSync(file, opts.profile ?? 'default:\n  workspace_search: true\n  cache_ttl_seconds: 0\n');
  const sim = await SlackSim.start(opts.scopes ? { scopes: opts.scopes } : {});
  t.after(() => sim.close());
  return startRig(t, { sim, env: { CLAUDE_PROFILES_FILE: file } });
}

/** `user` asks in `channel` (a new thread); resolves with what the reply shows and Claude's requests. */
async function ask(r: Awaited<ReturnType<typeof rig>>, user: string, channel = 'C0GENERAL', thread?: string) {
  const before = r.claude.requests.length;
  const { message } = await r.sim.post({
    user,
    channel,
    text: `<@${r.sim.botUserId}> ${QUESTION}`,
    ...(thread ? { thread_ts: thread } : {}),
  });
  const replies = await waitForReplies(r.sim, channel, thread ?? message.ts, thread ? 2 : 1);
  const reply = replies.at(-1);
  assert.ok(reply);
  return { text: visibleText(reply), requests: r.claude.requests.slice(before), ts: message.ts };
}

const permalinkOf = (r: Awaited<ReturnType<typeof rig>>, channel: string, ts: string) =>
  `${r.sim.url}/archives/${channel}/p${ts.replace('.', '')}`;

const sentText = (requests: RecordedRequest[]) => requests.map((q) => requestText(q.body)).join('\n');

test('an answer found in another channel the asker can read is given with its permalink under Sources', async (t) => {
  const r = await rig(t);
  // #random is public; the bot is not in it, Alice is not either: workspace members find public channels.
  const found = r.sim.seedMessage({ channel: 'C0RANDOM', user: 'U0BOB', text: SECRET });
  const { text, requests } = await ask(r, 'U0ALICE');

  const searches = r.sim.callsTo('assistant.search.context');
  assert.equal(searches.length, 1, 'Claude searched once');
  assert.match(String(searches[0]?.args.query), /billing/);
  assert.ok(searches[0]?.args.action_token, "searched with the asker's action_token");
  const token = String(searches[0]?.args.action_token);
  assert.ok(!r.logs.some((l) => l.includes(token)), 'the action_token is in no log line');
  assert.equal(requests.length, 2, 'the search round and the answer');
  const offered = requests[0]?.body.tools as Array<{ name?: string }> | undefined;
  assert.deepEqual(
    offered?.map((x) => x.name),
    [SEARCH_TOOL],
  );
  // Claude read the message as a search result, with its permalink as the source.
  const link = permalinkOf(r, 'C0RANDOM', found.ts);
  const back = JSON.stringify(requests[1]?.body.messages.at(-1));
  assert.match(back, /"type":"search_result"/);
  assert.ok(back.includes(link) && back.includes('Dana'), back);
  // The reply quotes what Claude wrote and links the message it cited.
  assert.match(text, /Dana/);
  assert.match(text, /\*\*Sources\*\*/);
  assert.ok(text.includes(link), text);
});

test('the same question from someone who cannot read the channel gets none of its text; a private message is linked, not quoted, in a channel', async (t) => {
  const r = await rig(t);
  // #project-x is private: Alice and Bob are in it, Carla is not.
  const found = r.sim.seedMessage({ channel: 'G0PRIVATE', user: 'U0BOB', text: SECRET });
  const link = permalinkOf(r, 'G0PRIVATE', found.ts);

  const carla = await ask(r, 'U0CARLA');
  assert.equal(r.sim.callsTo('assistant.search.context').length, 1, 'Carla searched');
  assert.ok(!sentText(carla.requests).includes('Dana'), 'Claude never received the private text');
  assert.ok(!sentText(carla.requests).includes(link));
  assert.ok(!carla.text.includes('Dana') && !carla.text.includes(link), carla.text);

  // Alice can read #project-x, but the answer goes to #general, where not everyone can: the
  // message is linked under the answer, and its text is not given to Claude.
  const alice = await ask(r, 'U0ALICE');
  const sent = sentText(alice.requests);
  assert.ok(sent.includes(link), 'Claude got the link');
  assert.ok(!sent.includes('Dana'), 'but not the text');
  assert.ok(!alice.text.includes('Dana'), alice.text);
  assert.ok(alice.text.includes(link), alice.text);

  // In her DM with the bot only Alice reads the answer: the text is given.
  const dm = r.sim.state.imWith('U0ALICE');
  const before = r.claude.requests.length;
  const { message } = await r.sim.post({ user: 'U0ALICE', channel: dm.id, text: QUESTION });
  const [reply] = await waitForReplies(r.sim, dm.id, message.ts);
  assert.ok(sentText(r.claude.requests.slice(before)).includes('Dana'));
  assert.ok(reply && visibleText(reply).includes(link));
});

test('without the search scopes the answer comes from the thread, with one line saying why, once per thread', async (t) => {
  const r = await rig(t, { scopes: manifestScopes().filter((s) => !s.startsWith('search:read')) });
  r.sim.seedMessage({ channel: 'C0RANDOM', user: 'U0BOB', text: SECRET });
  const first = await ask(r, 'U0ALICE');
  assert.equal(r.sim.callsTo('assistant.search.context').length, 0);
  assert.equal(first.requests.length, 1);
  assert.equal(first.requests[0]?.body.tools, undefined, 'no search tool offered');
  assert.ok(!first.text.includes('Dana'));
  const notes = first.text.match(/Workspace search is off for this answer: [^\n]*search:read[^\n]*/g);
  assert.equal(notes?.length, 1, first.text);

  const again = await ask(r, 'U0ALICE', 'C0GENERAL', first.ts);
  assert.doesNotMatch(again.text, /Workspace search is off/, 'said once per thread');
});

test('without an action_token (a person of another organization) the answer says search is off and why', async (t) => {
  const r = await rig(t, {
    profile: 'profiles:\n  - name: shared\n    channels: [C0SHARED]\n    workspace_search: true\n',
  });
  addSharedChannel(r.sim, { external: { id: 'U0EXT', name: 'ext', team: 'T0OTHER' } });
  r.sim.seedMessage({ channel: 'C0RANDOM', user: 'U0BOB', text: SECRET });
  const { text, requests } = await ask(r, 'U0EXT', 'C0SHARED');
  assert.equal(r.sim.callsTo('assistant.search.context').length, 0);
  assert.equal(requests[0]?.body.tools, undefined);
  assert.match(
    text,
    /Workspace search is off for this answer: Slack gave no search permission with your message/,
  );
});

test('searches per answer are capped at the profile’s max_searches', async (t) => {
  const r = await rig(t, {
    profile: 'default:\n  workspace_search: { max_searches: 2 }\n  cache_ttl_seconds: 0\n',
  });
  r.sim.seedMessage({ channel: 'C0RANDOM', user: 'U0BOB', text: SECRET });
  // A model that never stops searching.
  r.claude.setResponder(() => ({
    text: '',
    toolUse: { name: SEARCH_TOOL, input: { query: 'billing migration' } },
  }));
  const { text, requests } = await ask(r, 'U0ALICE');
  assert.equal(r.sim.callsTo('assistant.search.context').length, 2, 'two searches, no more');
  assert.equal(requests.length, 4, 'two searches, a call told none is left, and the last');
  const refused = JSON.stringify(requests[3]?.body.messages.at(-1));
  assert.match(refused, /"is_error":true/);
  assert.match(refused, /No searches are left for this answer/);
  assert.match(text, /I stopped searching at this answer’s limit of 2 searches/);
});
