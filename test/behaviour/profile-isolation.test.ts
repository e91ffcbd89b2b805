/**
 * A profile's secrets and tools stay with the profile: an MCP server's token reaches Claude only
 * for questions in the channels of the profile that declares it (two profiles may name one server
 * with different tokens), and never appears in a log or a key; a reload takes effect at once, also
 * for a channel shared with another organization since it was last looked at.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import type { RecordedRequest } from '../../sandbox/claude/fake-anthropic.js';
import { REDIS_URL, uniquePrefix } from '../support/redis.js';
import { startRig } from '../support/rig.js';
import { waitForReplies } from '../support/visible.js';

const SALES_TOKEN = 'mcp-token-sales-0123456789';
const SUPPORT_TOKEN = 'mcp-token-support-9876543210';

/** Two profiles naming one MCP server (same name, same URL), each with its own token file. */
function twoProfiles(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-two-'));
  writeFileSync(path.join(dir, 'sales.token'), `${SALES_TOKEN}\n`);
  writeFileSync(path.join(dir, 'support.token'), SUPPORT_TOKEN);
  const file = path.join(dir, 'profiles.yml');
  writeFileSync(
    file,
    `profiles:
  - name: sales
    channels: [C0SALES]
    mcp_servers:
      - { name: crm, url: 'https://mcp.example.com/sse', token_file: sales.token }
  - name: support
    channels: [C0SUPPORT]
    mcp_servers:
      - { name: crm, url: 'https://mcp.example.com/sse', token_file: support.token }
`,
  );
  return file;
}

type Rig = Awaited<ReturnType<typeof startRig>>;

/** Mentions the bot in `channel`; resolves with the request Claude received for it. */
async function ask(r: Rig, channel: string, text: string): Promise<RecordedRequest> {
  const before = r.claude.requests.length;
  const { message } = await r.sim.post({ user: 'U0ALICE', channel, text: `<@${r.sim.botUserId}> ${text}` });
  await waitForReplies(r.sim, channel, message.ts);
  const req = r.claude.requests[before];
  assert.ok(req, `a request to Claude for ${channel}`);
  return req;
}

const tokensOf = (req: RecordedRequest) =>
  ((req.body.mcp_servers as Array<{ authorization_token?: string }> | undefined) ?? []).map(
    (s) => s.authorization_token,
  );

async function rig(t: TestContext, env: Record<string, string> = {}) {
  const file = twoProfiles();
  const r = await startRig(t, { env: { CLAUDE_PROFILES_FILE: file, ...env } });
  for (const id of ['C0SALES', 'C0SUPPORT'])
    r.sim.addConversation({ id, name: id.slice(2).toLowerCase(), members: ['U0ALICE', r.sim.botUserId] });
  return { ...r, file };
}

test('two profiles, one MCP server URL, two tokens: each channel’s questions carry only its profile’s token', async (t) => {
  const r = await rig(t);
  // Support first: a lookup by URL (first match wins) would have handed it the sales token.
  assert.deepEqual(tokensOf(await ask(r, 'C0SUPPORT', 'open tickets?')), [SUPPORT_TOKEN]);
  assert.deepEqual(tokensOf(await ask(r, 'C0SALES', 'open deals?')), [SALES_TOKEN]);
  // The same question in both channels at once: two calls, each with its own token.
  await Promise.all([ask(r, 'C0SALES', 'status?'), ask(r, 'C0SUPPORT', 'status?')]);
  const both = r.claude.requests.slice(2).flatMap(tokensOf).sort();
  assert.deepEqual(both, [SALES_TOKEN, SUPPORT_TOKEN].sort());
  assert.equal(r.claude.requests.length, 4, 'nothing shared between the profiles');
  for (const line of r.logs) {
    assert.doesNotMatch(line, /mcp-token-(sales|support)/, 'no log line has a token');
  }
});

test('with Redis: answers and flights are keyed without the token, and a rotated token is not served the old token’s answer', async (t) => {
  const prefix = uniquePrefix();
  const r = await rig(t, { REDIS_URL, REDIS_KEY_PREFIX: prefix });
  const first = await ask(r, 'C0SALES', 'pipeline this quarter?');
  assert.deepEqual(tokensOf(first), [SALES_TOKEN]);
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS_URL);
  t.after(() => redis.quit());
  const keys = await redis.keys(`${prefix}*`);
  assert.ok(keys.length > 0, 'the answer was cached in Redis');
  for (const key of keys) {
    assert.ok(!key.includes(SALES_TOKEN), `a Redis key has the token: ${key}`);
    const type = await redis.type(key);
    if (type === 'string')
      assert.ok(!(await redis.get(key))?.includes(SALES_TOKEN), `${key} holds the token`);
  }
  // Same question again: from the cache, no second call.
  const before = r.claude.requests.length;
  const { message } = await r.sim.post({
    user: 'U0ALICE',
    channel: 'C0SALES',
    text: `<@${r.sim.botUserId}> pipeline this quarter?`,
  });
  await waitForReplies(r.sim, 'C0SALES', message.ts);
  assert.equal(r.claude.requests.length, before, 'cached for the same token');
  // The token is rotated: the same question is asked again with the new token, not served the
  // answer the old token's server gave.
  writeFileSync(path.join(path.dirname(r.file), 'sales.token'), 'mcp-token-sales-rotated-42');
  assert.equal(r.bot.reloadProfiles('SIGHUP'), true);
  assert.deepEqual(tokensOf(await ask(r, 'C0SALES', 'pipeline this quarter?')), [
    'mcp-token-sales-rotated-42',
  ]);
});

test('a reload takes effect at once: a channel shared with another organization since it was read loses the tools', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'profiles-shared-'));
  const file = path.join(dir, 'profiles.yml');
  writeFileSync(file, `profiles:\n  - name: everyone\n    channels: ['#*']\n    web_search: true\n`);
  const r = await startRig(t, { env: { CLAUDE_PROFILES_FILE: file } });
  const partners = r.sim.addConversation({
    id: 'C0PARTNERS',
    name: 'partners',
    members: ['U0ALICE', r.sim.botUserId],
  });
  const toolsOf = (req: RecordedRequest) => (req.body.tools as unknown[] | undefined)?.length ?? 0;
  assert.equal(toolsOf(await ask(r, 'C0PARTNERS', 'first')), 1, 'not shared yet: web search on');
  // The channel is shared with another organization; the operator reloads the profiles.
  partners.is_ext_shared = true;
  assert.equal(r.bot.reloadProfiles('SIGHUP'), true);
  assert.equal(toolsOf(await ask(r, 'C0PARTNERS', 'second')), 0, 'shared now: no tools, at once');
});
