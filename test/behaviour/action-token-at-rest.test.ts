/**
 * The person's `action_token` (Slack's permission to search as them) is never kept readable with a
 * waiting question: with SLACK_INSTALLATION_KEY it is sealed in the job (Redis), and a replica
 * that takes the job over still searches with it; without a key it is not kept at all (STATE_DIR's
 * journal), and a question taken up after a restart is answered without search, saying why once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type TestContext, test } from 'node:test';
import { Redis } from 'ioredis';
import { offlineToolReply } from '../../sandbox/claude/offline-search.js';
import { startChild } from '../support/child.js';
import { newInstallationKey } from '../support/installs.js';
import { REDIS_URL, uniquePrefix } from '../support/redis.js';
import { childAndSurvivor } from '../support/replicas.js';
import { botEnv, requestText, startFakes } from '../support/rig.js';
import { until } from '../support/until.js';
import { visibleText, waitForReplies } from '../support/visible.js';

const SECRET = 'The billing migration is owned by Dana; cutover on 12 March.';

function profilesFile(t: TestContext): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'scb-token-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'profiles.yml');
  writeFileSync(file, 'default:\n  workspace_search: true\n  cache_ttl_seconds: 0\n');
  return { dir, file };
}

/** Every value under `prefix` in Redis, as text (strings, streams, lists, sets, hashes). */
async function redisText(redis: Redis, prefix: string): Promise<string> {
  const out: string[] = [];
  for (const key of await redis.keys(`${prefix}*`)) {
    const type = await redis.type(key);
    if (type === 'string') out.push((await redis.get(key)) ?? '');
    else if (type === 'stream') out.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    else if (type === 'list') out.push(JSON.stringify(await redis.lrange(key, 0, -1)));
    else if (type === 'set') out.push(JSON.stringify(await redis.smembers(key)));
    else if (type === 'hash') out.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === 'zset') out.push(JSON.stringify(await redis.zrange(key, 0, -1)));
  }
  return out.join('\n');
}

test('with Redis and SLACK_INSTALLATION_KEY: the waiting job holds the action_token sealed, and the replica that takes it over searches with it', async (t) => {
  const { sim, claude } = await startFakes(t);
  const { file } = profilesFile(t);
  const prefix = uniquePrefix();
  const shared = {
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    CLAUDE_PROFILES_FILE: file,
    SLACK_INSTALLATION_KEY: newInstallationKey(),
  };
  const { child: doomed } = await childAndSurvivor(t, {
    sim,
    claude,
    entry: 'test/support/child-bot.ts',
    shared,
    childEnv: { CLAIM_LEASE_MS: '1500' },
    claimLeaseMs: 1500,
  });
  const redis = new Redis(REDIS_URL);
  t.after(() => redis.disconnect());
  let killed = false;
  // Hangs in the doomed replica's Claude call; the offline model (which searches) after it died.
  claude.setResponder((req) => (killed ? (offlineToolReply(req.body) ?? {}) : { hang: true }));
  const found = sim.seedMessage({ channel: 'C0RANDOM', user: 'U0BOB', text: SECRET });
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> who owns the billing migration?`,
  });
  await claude.waitForRequests(1);
  const tokens = sim.state.actionTokens.live();
  assert.ok(tokens.length > 0, 'the event carried an action_token');
  const stored = await redisText(redis, prefix);
  assert.match(stored, /"sealedActionToken":"v1\./, 'the job is in Redis, its token sealed');
  for (const token of tokens) assert.ok(!stored.includes(token), 'no action_token readable in Redis');

  doomed.child.kill('SIGKILL');
  await doomed.exited;
  killed = true;
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts, 1, 15_000);
  const searches = sim.callsTo('assistant.search.context');
  assert.equal(searches.length, 1, 'the replica that took it over searched');
  assert.ok(tokens.includes(String(searches[0]?.args.action_token)), 'with the asker’s own token');
  assert.equal(searches[0]?.error, undefined);
  const text = visibleText(reply!);
  assert.ok(text.includes(`/archives/C0RANDOM/p${found.ts.replace('.', '')}`), text);
  assert.doesNotMatch(text, /Workspace search is off/);
});

test('with STATE_DIR and no key: the journal never holds the action_token; answered at once it searches, taken up after a restart it says once why it did not', async (t) => {
  const { sim, claude } = await startFakes(t);
  const { dir, file } = profilesFile(t);
  const env = { ...botEnv(sim, claude), STATE_DIR: dir, CLAUDE_PROFILES_FILE: file };
  const first = startChild(t, 'test/support/child-bot.ts', env);
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${await first.ready}/slack/events` });
  let restarted = false;
  claude.setResponder((req) =>
    !restarted && requestText(req.body).includes('when is the cutover')
      ? { hang: true }
      : (offlineToolReply(req.body) ?? {}),
  );
  sim.seedMessage({ channel: 'C0RANDOM', user: 'U0BOB', text: SECRET });
  // Answered at once: searched with the token the event carried.
  const now = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> who owns the billing migration?`,
  });
  const [answered] = await waitForReplies(sim, 'C0GENERAL', now.message.ts, 1);
  assert.match(visibleText(answered!), /Dana/);
  const [search] = sim.callsTo('assistant.search.context');
  assert.ok(search?.args.action_token && search.ok, 'searched as the asker');

  const later = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> when is the cutover?`,
  });
  await until('the second question in a Claude call', () =>
    claude.requests.some((r) => requestText(r.body).includes('when is the cutover')),
  );
  const journal = new DatabaseSync(join(dir, 'questions.sqlite'));
  const rows = journal.prepare('SELECT payload FROM jobs').all() as Array<{ payload: string }>;
  journal.close();
  assert.equal(rows.length, 1, 'the waiting question is in the journal');
  assert.match(rows[0]?.payload ?? '', /"actionTokenNotKept":true/);
  for (const token of sim.state.actionTokens.live())
    assert.ok(!rows[0]?.payload.includes(token), 'no action_token in the journal');
  assert.doesNotMatch(rows[0]?.payload ?? '', /action_token|"actionToken"/);

  first.child.kill('SIGKILL');
  await first.exited;
  restarted = true;
  const second = startChild(t, 'test/support/child-bot.ts', env);
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${await second.ready}/slack/events` });
  const [reply] = await waitForReplies(sim, 'C0GENERAL', later.message.ts, 1, 15_000);
  const text = visibleText(reply!);
  assert.equal(text.match(/Workspace search is off for this answer/g)?.length, 1, text);
  assert.match(text, /answered after a restart/);
  assert.equal(sim.callsTo('assistant.search.context').length, 1, 'no search without the token');
});
