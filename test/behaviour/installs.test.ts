/**
 * Installs in many workspaces (OAuth, Bolt's InstallProvider): two workspaces installed through
 * /slack/install → /slack/oauth_redirect are each answered with their own token, a workspace that
 * never installed the app is not answered, an org-wide install serves the organization's
 * workspaces, and uninstalling deletes everything of the workspace from Redis and SQLite. Tokens
 * are never stored as plain text.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type TestContext, test } from 'node:test';
import type { Redis } from 'ioredis';
import type { SlackSim } from '../../sandbox/slack/sim.js';
import { startChild } from '../support/child.js';
import { heldClaude } from '../support/held-claude.js';
import { enableOAuth, installThroughBrowser, multiWorkspaceEnv, OAUTH_APP } from '../support/installs.js';
import { REDIS_URL, scratchRedis } from '../support/redis.js';
import { botEnv, type Rig, requestText, startFakes, startRig } from '../support/rig.js';
import { until } from '../support/until.js';
import { waitForReplies } from '../support/visible.js';

/** A workspace of its own in the simulated Slack: a channel with the bot and one person in it. */
function workspace(sim: SlackSim, id: string, enterpriseId?: string) {
  const tag = id.slice(1);
  sim.addTeam({ id, name: `Team ${tag}`, ...(enterpriseId ? { enterpriseId } : {}) });
  const user = `U${tag}1`;
  const channel = `C${tag}1`;
  sim.addUser({ id: user, name: `person-${tag.toLowerCase()}`, team_id: id });
  sim.addTeamConversation(id, { id: channel, name: `general-${tag.toLowerCase()}`, members: [user] });
  return { id, user, channel };
}

/** A mention in the workspace's channel, and the bot's reply once it is there. */
async function askIn(rig: Rig, w: { user: string; channel: string }, text: string) {
  const { message } = await rig.sim.post({
    user: w.user,
    channel: w.channel,
    text: `<@${rig.sim.botUserId}> ${text}`,
  });
  const [reply] = await waitForReplies(rig.sim, w.channel, message.ts);
  return { message, reply: reply! };
}

/** The workspaces (or organizations) whose tokens made the calls that wrote into a channel. */
function writersIn(sim: SlackSim, channel: string): Set<string | undefined> {
  return new Set(
    sim.calls
      .filter((c) => c.args.channel === channel && /^chat\./.test(c.method) && c.ok)
      .map((c) => c.team),
  );
}

function stateDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'scb-installs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The bot in multi-workspace mode with these settings, OAuth on in the simulated Slack. */
async function startOAuthRig(t: TestContext, env: Record<string, string>, rotation = {}) {
  const rig = await startRig(t, { env: multiWorkspaceEnv(env) });
  enableOAuth(rig.sim, rig.port, rotation);
  return rig;
}

/** Workspaces T0ACME and T0BETA, each installed through the browser. */
async function installAcmeAndBeta(rig: Rig) {
  const a = workspace(rig.sim, 'T0ACME');
  const b = workspace(rig.sim, 'T0BETA');
  await installThroughBrowser(rig.port, a.id);
  await installThroughBrowser(rig.port, b.id);
  return { a, b };
}

/** The tokens Slack issued to the installs (not the main workspace's own). */
const installTokens = (sim: SlackSim) =>
  [...sim.installs.grants.values()].filter((g) => g.teamId !== sim.team.id).map((g) => g.token);

/** A question in the workspace's channel that waits for Claude until `held.release()`. */
async function heldQuestion(rig: Rig, w: { user: string; channel: string }) {
  const held = heldClaude(rig.claude);
  const { message } = await rig.sim.post({
    user: w.user,
    channel: w.channel,
    text: `<@${rig.sim.botUserId}> slow one`,
  });
  return { held, message };
}

/** Resolves once the bot logged that it forgot the workspace (or organization) `team`. */
const forgotten = (rig: Rig, team: string, what = 'the workspace forgotten') =>
  until(what, () => rig.logEntries().some((e) => e.msg === 'workspace forgotten' && e.team === team));

/** Resolves once the bot logged that `team` is not installed (its mention not answered). */
const refused = (rig: Rig, team: string, why = /not installed/) =>
  until('the refusal logged', () => rig.logEntries().some((e) => e.team === team && why.test(String(e.msg))));

test('two workspaces installed through /slack/install are each answered with their own token', async (t) => {
  const dir = stateDir(t);
  // A profile limited to one workspace (team:), naming a channel of each.
  const profiles = join(dir, 'profiles.yml');
  writeFileSync(
    profiles,
    'profiles:\n  - name: acme-only\n    team: T0ACME\n    channels: [C0ACME1, C0BETA1]\n    model: claude-haiku-5-5\n',
  );
  const rig = await startOAuthRig(t, { STATE_DIR: dir, CLAUDE_PROFILES_FILE: profiles });
  const { sim, claude } = rig;
  const a = workspace(sim, 'T0ACME');
  const b = workspace(sim, 'T0BETA');
  for (const w of [a, b]) {
    const done = await installThroughBrowser(rig.port, w.id);
    assert.equal(done.status, 200);
    assert.match(done.body, /Thank you!/);
  }
  assert.equal(sim.callsTo('oauth.v2.access').filter((c) => c.ok).length, 2);

  claude.enqueue({ text: 'Answer for Acme.' });
  claude.enqueue({ text: 'Answer for Beta.' });
  const inA = await askIn(rig, a, 'what is the plan for acme?');
  const inB = await askIn(rig, b, 'what is the plan for beta?');
  assert.ok(inA.reply && inB.reply, 'both workspaces answered');
  const modelFor = (q: string) =>
    claude.requests.find((r) => JSON.stringify(r.body.messages).includes(q))?.body.model;
  assert.equal(modelFor('plan for acme'), 'claude-haiku-5-5', 'the workspace’s own profile');
  assert.notEqual(modelFor('plan for beta'), 'claude-haiku-5-5', 'not another workspace’s profile');
  // The simulated Slack refuses a token outside its workspace (channel_not_found): each reply was
  // written with that workspace's own token.
  assert.deepEqual([...writersIn(sim, a.channel)], [a.id]);
  assert.deepEqual([...writersIn(sim, b.channel)], [b.id]);
  assert.equal(
    sim.calls.filter((c) => c.error === 'channel_not_found' || c.error === 'invalid_auth').length,
    0,
  );
  assert.ok(
    rig.logEntries().some((e) => e.msg === 'app installed' && e.team === a.id),
    'each install is logged',
  );
  // No installation's token, nor the app's client secret, in any log line (LOG_LEVEL=debug).
  const secrets = [...sim.installs.grants.values()].map((g) => g.token).concat(OAUTH_APP.clientSecret);
  for (const line of rig.logs)
    for (const secret of secrets) assert.ok(!line.includes(secret), 'a secret in the logs');
});

test('a mention from a workspace that never installed the app gets no answer, and a log line', async (t) => {
  const rig = await startOAuthRig(t, { STATE_DIR: stateDir(t) });
  const { sim, claude } = rig;
  const installed = workspace(sim, 'T0ACME');
  const stranger = workspace(sim, 'T0NEVER');
  await installThroughBrowser(rig.port, installed.id);
  await sim.post({ user: stranger.user, channel: stranger.channel, text: `<@${sim.botUserId}> hello?` });
  await refused(rig, stranger.id, /not installed; not answered/);
  // Refused before any listener ran (Bolt says so)...
  await until('no listener run', () => rig.logs.some((l) => l.includes('No listeners will be called')));
  // ...and the installed workspace is answered all the same; by then nothing was written in the
  // other, nor asked of Claude for it.
  assert.ok((await askIn(rig, installed, 'still there?')).reply);
  assert.equal(sim.calls.filter((c) => c.args.channel === stranger.channel).length, 0);
  assert.equal(claude.requests.length, 1);
});

test('an org-wide install answers in two workspaces of the organization', async (t) => {
  const rig = await startOAuthRig(t, { STATE_DIR: stateDir(t) });
  const { sim } = rig;
  sim.addEnterprise({ id: 'E0GRID', name: 'Grid Org', teams: [] });
  const one = workspace(sim, 'T0GRIDA', 'E0GRID');
  const two = workspace(sim, 'T0GRIDB', 'E0GRID');
  const outside = workspace(sim, 'T0ELSE');
  const done = await installThroughBrowser(rig.port, 'E0GRID');
  assert.equal(done.status, 200);
  const [grant] = [...sim.installs.grants.values()].filter((g) => g.orgWide);
  assert.ok(grant, 'Slack issued an org-wide token');
  for (const w of [one, two]) {
    assert.ok((await askIn(rig, w, 'hello from the org')).reply);
    assert.deepEqual([...writersIn(sim, w.channel)], ['E0GRID'], 'written with the organization’s token');
  }
  // A workspace outside the organization is not served by its install.
  await sim.post({ user: outside.user, channel: outside.channel, text: `<@${sim.botUserId}> me too?` });
  await refused(rig, outside.id);
  assert.equal(writersIn(sim, outside.channel).size, 0);
});

/** Every key under `prefix`, with its value as text (strings, hashes, lists, sets, streams). */
async function dumpRedis(redis: Redis, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const key of await redis.keys(`${prefix}*`)) {
    const type = await redis.type(key);
    const value =
      type === 'string'
        ? await redis.getBuffer(key).then((b) => b?.toString('latin1') ?? '')
        : type === 'hash'
          ? JSON.stringify(await redis.hgetall(key))
          : type === 'list'
            ? JSON.stringify(await redis.lrange(key, 0, -1))
            : type === 'set'
              ? JSON.stringify(await redis.smembers(key))
              : type === 'zset'
                ? JSON.stringify(await redis.zrange(key, 0, -1))
                : type === 'stream'
                  ? JSON.stringify(await redis.xrange(key, '-', '+'))
                  : '';
    out.set(key, value);
  }
  return out;
}

/** The keys (or values) that name any of `ids`. */
function naming(dump: Map<string, string>, ids: string[]): string[] {
  return [...dump].filter(([k, v]) => ids.some((id) => k.includes(id) || v.includes(id))).map(([k]) => k);
}

test('with Redis: app_uninstalled deletes every key of the workspace; tokens are never stored as plain text', async (t) => {
  const { redis, prefix } = scratchRedis(t);
  const rig = await startOAuthRig(t, { REDIS_URL, REDIS_KEY_PREFIX: prefix, USER_REQUESTS_PER_HOUR: '100' });
  const { sim } = rig;
  const { a, b } = await installAcmeAndBeta(rig);
  await askIn(rig, a, 'what is in the plan?');
  await askIn(rig, b, 'what is in the plan?');

  const tokens = installTokens(sim);
  assert.equal(tokens.length, 2);
  const before = await dumpRedis(redis, prefix);
  const ofA = [a.id, a.channel, a.user];
  assert.ok(before.has(`${prefix}installation:${a.id}`), 'the installation is in Redis');
  assert.ok(
    naming(before, ofA).length > 2,
    `Redis holds the workspace's keys: ${naming(before, ofA).join(', ')}`,
  );
  t.diagnostic(`keys of the workspace before: ${naming(before, ofA).join(' ')}`);
  // At rest the installations are sealed: no token, no refresh token, in any key or value.
  for (const [key, value] of before) {
    for (const token of tokens)
      assert.ok(!value.includes(token) && !key.includes(token), `${key} holds a token`);
    assert.doesNotMatch(value, /xox[bpe]/, `${key} holds something token-like`);
  }

  // A question of A still waiting for Claude: its job is in the shared stream.
  const { held, message } = await heldQuestion(rig, a);
  await until('the question held in Redis', async () =>
    [...(await dumpRedis(redis, prefix)).values()].some((v) => v.includes(message.ts) && v.includes(a.id)),
  );

  await sim.uninstall({ teamId: a.id });
  await forgotten(rig, a.id);
  held.release();
  const after = await dumpRedis(redis, prefix);
  assert.deepEqual(naming(after, ofA), [], 'nothing of the workspace is left in Redis');
  assert.ok(after.has(`${prefix}installation:${b.id}`), 'the other workspace stays installed');
  assert.ok(naming(after, [b.id]).length > 1, 'and keeps its keys');

  // The other workspace is still answered; the uninstalled one is not.
  assert.ok((await askIn(rig, b, 'and now?')).reply);
  await sim.post({ user: a.user, channel: a.channel, text: `<@${sim.botUserId}> anyone?` });
  await refused(rig, a.id);
});

test('with STATE_DIR (SQLite): app_uninstalled deletes the installation and the journal rows; tokens are sealed', async (t) => {
  const dir = stateDir(t);
  const rig = await startOAuthRig(t, { STATE_DIR: dir });
  const { sim } = rig;
  const { a, b } = await installAcmeAndBeta(rig);
  await askIn(rig, a, 'first question');
  // A fact the channel asked the bot to remember (channel memory, in STATE_DIR without Redis).
  await askIn(rig, a, 'remember that the launch is on Friday');
  assert.match(readFileSync(join(dir, 'channel-memory.json'), 'utf8'), /T0ACME/);

  const rows = () => {
    const out: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.sqlite'))) {
      const db = new DatabaseSync(join(dir, file), { readOnly: true });
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{
        name: string;
      }>;
      for (const { name } of tables)
        for (const row of db.prepare(`SELECT * FROM ${name}`).all())
          out.push(`${file}/${name}: ${JSON.stringify(row)}`);
      db.close();
    }
    return out;
  };
  const before = rows();
  assert.ok(
    before.some((r) => r.includes(`installation:${a.id}`)),
    `the installation is in SQLite: ${before.join('\n')}`,
  );
  // A question of workspace A held in the journal while it waits for Claude (a held call).
  const { held, message } = await heldQuestion(rig, a);
  await until('the question in the journal', () =>
    rows().some((r) => r.includes('questions.sqlite/jobs') && r.includes(message.ts)),
  );
  assert.ok(
    rows().some((r) => r.includes('jobs') && r.includes(a.id)),
    'the journal holds a question of A',
  );

  // The tokens are sealed in the file itself (and its WAL), not only in what SQL returns.
  const bytes = readdirSync(dir)
    .filter((f) => f.startsWith('installations.sqlite'))
    .map((f) => readFileSync(join(dir, f)).toString('latin1'))
    .join('');
  for (const token of installTokens(sim)) assert.ok(!bytes.includes(token), 'no token in the SQLite file');
  assert.doesNotMatch(bytes, /xoxb-/);

  await sim.uninstall({ teamId: a.id });
  await forgotten(rig, a.id);
  held.release();
  const after = rows();
  assert.deepEqual(
    after.filter((r) => [a.id, a.channel, a.user].some((id) => r.includes(id))),
    [],
    'no row of the workspace is left',
  );
  assert.ok(
    after.some((r) => r.includes(`installation:${b.id}`)),
    'the other workspace stays installed',
  );
  assert.ok(existsSync(join(dir, 'installations.sqlite')));
  // Nor in the bytes of any file of STATE_DIR (deleted rows are overwritten, the WAL truncated).
  for (const file of readdirSync(dir)) {
    const bytes = readFileSync(join(dir, file)).toString('latin1');
    for (const id of [a.id, a.channel, a.user]) assert.ok(!bytes.includes(id), `${file} still names ${id}`);
  }
});

test('with token rotation, a token about to expire is refreshed and the new one used and stored', async (t) => {
  // An hour left: within the two hours before expiry in which InstallProvider refreshes.
  const rig = await startOAuthRig(
    t,
    { STATE_DIR: stateDir(t) },
    { tokenRotation: true, tokenLifetimeSeconds: 3600 },
  );
  const { sim } = rig;
  const a = workspace(sim, 'T0ACME');
  await installThroughBrowser(rig.port, a.id);
  const [first] = [...sim.installs.grants.values()].filter((g) => g.teamId === a.id);
  assert.ok(first?.refreshToken, 'Slack issued a rotating token');
  const usesBefore = first.uses;
  assert.ok((await askIn(rig, a, 'rotate?')).reply);
  const refreshed = sim
    .callsTo('oauth.v2.access')
    .filter((c) => c.args.grant_type === 'refresh_token' && c.ok);
  assert.ok(refreshed.length >= 1, 'the token was refreshed');
  assert.equal(first.uses, usesBefore, 'the old token wrote nothing');
  const latest = [...sim.installs.grants.values()].filter((g) => g.teamId === a.id).at(-1);
  assert.ok(latest && latest !== first && latest.uses > 0, 'the new token wrote the answer');
});

test('a question taken up again after a restart (STATE_DIR) is answered with its own workspace’s token', async (t) => {
  const { sim, claude } = await startFakes(t);
  const dir = stateDir(t);
  // The install pages go through the front's own thread, as src/main.ts runs it.
  const env = { ...botEnv(sim, claude), ...multiWorkspaceEnv({ STATE_DIR: dir }), FRONT_THREAD: '1' };
  const first = startChild(t, 'test/support/child-bot.ts', env);
  const port = await first.ready;
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${port}/slack/events` });
  enableOAuth(sim, port);
  const a = workspace(sim, 'T0ACME');
  const b = workspace(sim, 'T0BETA');
  await installThroughBrowser(port, a.id);
  await installThroughBrowser(port, b.id);
  let restarted = false;
  claude.setResponder((req) =>
    restarted
      ? { text: `Answer to ${requestText(req.body).includes('acme') ? 'acme' : 'beta'}.` }
      : { hang: true },
  );
  const inA = await sim.post({
    user: a.user,
    channel: a.channel,
    text: `<@${sim.botUserId}> question of acme`,
  });
  const inB = await sim.post({
    user: b.user,
    channel: b.channel,
    text: `<@${sim.botUserId}> question of beta`,
  });
  await claude.waitForRequests(2);
  first.child.kill('SIGKILL');
  await first.exited;
  restarted = true;
  // Started again: the journal's questions are taken up outside any event, each in its workspace.
  const second = startChild(t, 'test/support/child-bot.ts', env);
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${await second.ready}/slack/events` });
  await waitForReplies(sim, a.channel, inA.message.ts, 1, 30_000);
  await waitForReplies(sim, b.channel, inB.message.ts, 1, 30_000);
  assert.deepEqual([...writersIn(sim, a.channel)], [a.id]);
  assert.deepEqual([...writersIn(sim, b.channel)], [b.id]);
});

test('with Redis: uninstalling an org-wide install deletes the keys of every workspace it served', async (t) => {
  const { redis, prefix } = scratchRedis(t);
  const rig = await startOAuthRig(t, { REDIS_URL, REDIS_KEY_PREFIX: prefix });
  const { sim } = rig;
  sim.addEnterprise({ id: 'E0GRID', name: 'Grid Org', teams: [] });
  const one = workspace(sim, 'T0GRIDA', 'E0GRID');
  const two = workspace(sim, 'T0GRIDB', 'E0GRID');
  const other = workspace(sim, 'T0BETA');
  await installThroughBrowser(rig.port, 'E0GRID');
  await installThroughBrowser(rig.port, other.id);
  for (const w of [one, two, other]) await askIn(rig, w, 'hello?');
  const ofOrg = [one, two].flatMap((w) => [w.id, w.channel, w.user]).concat('E0GRID');
  assert.ok(naming(await dumpRedis(redis, prefix), ofOrg).length > 4, 'the org’s workspaces have keys');

  await sim.uninstall({ enterpriseId: 'E0GRID' });
  await forgotten(rig, 'E0GRID', 'the organization forgotten');
  const after = await dumpRedis(redis, prefix);
  assert.deepEqual(naming(after, ofOrg), [], 'nothing of the organization’s workspaces is left');
  assert.ok(naming(after, [other.id]).length > 1, 'another workspace keeps its keys');
  await sim.post({ user: one.user, channel: one.channel, text: `<@${sim.botUserId}> anyone?` });
  await refused(rig, one.id);
});
