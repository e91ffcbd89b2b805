/** The simulated Slack's workspaces, OAuth endpoints and token rules (sandbox/slack/installs.ts). */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import { CODE_TTL_MS } from '../../sandbox/slack/installs.js';
import { SlackSim } from '../../sandbox/slack/sim.js';

const APP = { clientId: '111.222', clientSecret: 'shh-secret', redirectUrls: ['http://127.0.0.1:9/back'] };

async function sim(t: TestContext): Promise<SlackSim> {
  const s = await SlackSim.start();
  t.after(() => s.close());
  s.enableOAuth(APP);
  s.addTeam({ id: 'T0OTHER', name: 'Other' });
  s.addTeamConversation('T0OTHER', { id: 'C0OTHER', name: 'other-general' });
  return s;
}

async function api(
  s: SlackSim,
  method: string,
  body: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const r = await fetch(`${s.apiUrl}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body),
  });
  return (await r.json()) as Record<string, unknown>;
}

/** Slack's authorize page with a person's choice: the code it redirects back with. */
async function codeFor(s: SlackSim, on: string, extra: Record<string, string> = {}): Promise<string> {
  const url = new URL(`${s.url}/oauth/v2/authorize`);
  for (const [k, v] of Object.entries({
    client_id: APP.clientId,
    scope: 'chat:write',
    state: 'st',
    install_on: on,
    ...extra,
  }))
    url.searchParams.set(k, v);
  const r = await fetch(url, { redirect: 'manual' });
  assert.equal(r.status, 302);
  const back = new URL(r.headers.get('location') ?? '');
  assert.equal(back.searchParams.get('state'), 'st', 'the state comes back as given');
  return back.searchParams.get('code') ?? '';
}

test('oauth.v2.access: a code once, with the client secret in the body or as HTTP Basic; Slack’s answer shape', async (t) => {
  const s = await sim(t);
  const code = await codeFor(s, 'T0OTHER');
  const basic = `Basic ${Buffer.from(`${APP.clientId}:${APP.clientSecret}`).toString('base64')}`;
  const got = await api(s, 'oauth.v2.access', { code }, { authorization: basic });
  assert.equal(got.ok, true);
  assert.match(String(got.access_token), /^xoxb-/);
  assert.deepEqual(
    [got.token_type, got.bot_user_id, got.team, got.enterprise, got.is_enterprise_install],
    ['bot', s.botUserId, { id: 'T0OTHER', name: 'Other' }, null, false],
  );
  assert.deepEqual(await api(s, 'oauth.v2.access', { code }, { authorization: basic }), {
    ok: false,
    error: 'invalid_code',
  });
  const second = await codeFor(s, 'T0OTHER');
  assert.equal(
    (await api(s, 'oauth.v2.access', { code: second, client_id: APP.clientId, client_secret: 'wrong' }))
      .error,
    'bad_client_secret',
  );
  const third = await codeFor(s, 'T0OTHER');
  assert.equal(
    (await api(s, 'oauth.v2.access', { code: third, client_id: '999.999', client_secret: APP.clientSecret }))
      .error,
    'invalid_client_id',
  );
});

test('a code expires after ten minutes, and needs the redirect_uri it was issued for', async (t) => {
  const s = await sim(t);
  const creds = { client_id: APP.clientId, client_secret: APP.clientSecret };
  const late = await codeFor(s, 'T0OTHER');
  const now = Date.now();
  s.installs.now = () => now + CODE_TTL_MS + 1;
  assert.equal((await api(s, 'oauth.v2.access', { ...creds, code: late })).error, 'invalid_code');
  s.installs.now = Date.now;
  const withUri = await codeFor(s, 'T0OTHER', { redirect_uri: APP.redirectUrls[0] as string });
  assert.equal((await api(s, 'oauth.v2.access', { ...creds, code: withUri })).error, 'bad_redirect_uri');
  const page = await fetch(
    `${s.url}/oauth/v2/authorize?client_id=${APP.clientId}&scope=chat:write&redirect_uri=http://evil.example/`,
  );
  assert.equal(page.status, 400, 'a redirect URL the app does not list is refused');
});

test('a token works only in its own workspace; revoked, it is refused', async (t) => {
  const s = await sim(t);
  const code = await codeFor(s, 'T0OTHER');
  const { access_token } = await api(s, 'oauth.v2.access', {
    code,
    client_id: APP.clientId,
    client_secret: APP.clientSecret,
  });
  const token = String(access_token);
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  assert.equal((await api(s, 'conversations.info', { channel: 'C0OTHER' }, bearer(token))).ok, true);
  assert.equal(
    (await api(s, 'conversations.info', { channel: 'C0GENERAL' }, bearer(token))).error,
    'channel_not_found',
  );
  assert.equal(
    (await api(s, 'conversations.info', { channel: 'C0OTHER' }, bearer(s.botToken))).error,
    'channel_not_found',
  );
  assert.equal((await api(s, 'auth.test', {}, bearer(token))).team_id, 'T0OTHER');
  assert.equal((await api(s, 'auth.test', {}, bearer('xoxb-never-issued'))).error, 'invalid_auth');
  await s.uninstall({ teamId: 'T0OTHER' });
  assert.equal(
    (await api(s, 'conversations.info', { channel: 'C0OTHER' }, bearer(token))).error,
    'token_revoked',
  );
});

test('an org-wide install covers the organization’s workspaces and no other', async (t) => {
  const s = await sim(t);
  s.addEnterprise({ id: 'E0ORG', name: 'Org', teams: [{ id: 'T0ORGA', name: 'A' }] });
  s.addTeamConversation('T0ORGA', { id: 'C0ORGA', name: 'org-a' });
  const code = await codeFor(s, 'E0ORG');
  const got = await api(s, 'oauth.v2.access', {
    code,
    client_id: APP.clientId,
    client_secret: APP.clientSecret,
  });
  assert.deepEqual(
    [got.team, got.enterprise, got.is_enterprise_install],
    [null, { id: 'E0ORG', name: 'Org' }, true],
  );
  const bearer = { authorization: `Bearer ${String(got.access_token)}` };
  assert.equal((await api(s, 'conversations.info', { channel: 'C0ORGA' }, bearer)).ok, true);
  assert.equal(
    (await api(s, 'conversations.info', { channel: 'C0OTHER' }, bearer)).error,
    'channel_not_found',
  );
});

test('a command, a click and a modal from another workspace carry its ids; its people’s DMs are in it', async (t) => {
  const s = await sim(t);
  s.addUser({ id: 'U0OTHER', name: 'other-person', team_id: 'T0OTHER' });
  const bodies: string[] = [];
  const app = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => app.close(() => resolve())));
  s.connectHttp({ eventsUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}/slack/events` });
  const payload = () => JSON.parse(new URLSearchParams(bodies.at(-1)).get('payload') ?? '{}');

  await s.slashCommand({ user: 'U0OTHER', channel: 'C0OTHER', command: '/summarize', text: '' });
  const command = new URLSearchParams(bodies.at(-1));
  assert.deepEqual([command.get('team_id'), command.get('team_domain')], ['T0OTHER', 't0other']);
  await s.blockAction({ user: 'U0OTHER', channel: 'C0OTHER', actionId: 'a', value: 'v' });
  assert.deepEqual(payload().team, { id: 'T0OTHER', domain: 't0other' });
  // A modal opened with the click's trigger, by the app installed there: submitted, it is that workspace's.
  const { access_token } = await api(s, 'oauth.v2.access', {
    code: await codeFor(s, 'T0OTHER'),
    client_id: APP.clientId,
    client_secret: APP.clientSecret,
  });
  const view = { type: 'modal', title: { type: 'plain_text', text: 'Why?' }, blocks: [] };
  const opened = await api(
    s,
    'views.open',
    { trigger_id: String(payload().trigger_id), view: JSON.stringify(view) },
    { authorization: `Bearer ${String(access_token)}` },
  );
  assert.equal(opened.ok, true);
  await s.submitView({ user: 'U0OTHER', viewId: String((opened.view as { id: string }).id), values: {} });
  assert.deepEqual(
    [payload().type, payload().team.id, payload().view.team_id],
    ['view_submission', 'T0OTHER', 'T0OTHER'],
  );
  // The sim's own workspace is unchanged.
  await s.slashCommand({ user: 'U0ALICE', channel: 'C0GENERAL', command: '/summarize', text: '' });
  assert.equal(new URLSearchParams(bodies.at(-1)).get('team_id'), s.team.id);
  assert.equal(s.state.imWith('U0OTHER').team_id, 'T0OTHER');
  assert.equal(s.installs.teamOf(s.state.imWith('U0ALICE').id), s.team.id);
});
