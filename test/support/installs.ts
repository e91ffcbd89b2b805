import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { SlackSim } from '../../sandbox/slack/sim.js';

/** The app's OAuth settings, as the simulated Slack and the bot both know them. */
export const OAUTH_APP = {
  clientId: '1111111111.2222222222',
  clientSecret: 'sim-client-secret-0123456789',
  stateSecret: 'sim-state-secret-0123456789abcdef',
};

/** A fresh SLACK_INSTALLATION_KEY (32 bytes, base64). */
export const newInstallationKey = () => randomBytes(32).toString('base64');

/** The bot's settings for installs in many workspaces (no SLACK_BOT_TOKEN). */
export function multiWorkspaceEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: '',
    SLACK_CLIENT_ID: OAUTH_APP.clientId,
    SLACK_CLIENT_SECRET: OAUTH_APP.clientSecret,
    SLACK_STATE_SECRET: OAUTH_APP.stateSecret,
    SLACK_INSTALLATION_KEY: newInstallationKey(),
    ...extra,
  };
}

/** Turns on OAuth in the simulated Slack, its redirect URL the bot's /slack/oauth_redirect. */
export function enableOAuth(
  sim: SlackSim,
  botPort: number | undefined,
  rotation: { tokenRotation?: boolean; tokenLifetimeSeconds?: number } = {},
): void {
  sim.enableOAuth({
    clientId: OAUTH_APP.clientId,
    clientSecret: OAUTH_APP.clientSecret,
    redirectUrls: [`http://127.0.0.1:${botPort}/slack/oauth_redirect`],
    ...rotation,
  });
}

/**
 * What a person's browser does to install the app: opens the bot's /slack/install, follows "Add to
 * Slack" to Slack's authorize page, picks where (`on`: a workspace, or an organization for an
 * org-wide install), and comes back to /slack/oauth_redirect with the state cookie. Returns the
 * page the bot showed at the end.
 */
export async function installThroughBrowser(
  botPort: number | undefined,
  on: string,
): Promise<{ status: number; body: string }> {
  const start = await fetch(`http://127.0.0.1:${botPort}/slack/install`, { redirect: 'manual' });
  assert.equal(start.status, 200, 'the install page');
  const page = await start.text();
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  assert.match(cookie, /^slack-app-oauth-state=/, 'the state is kept in a cookie');
  const link = /href="([^"]*\/oauth\/v2\/authorize[^"]*)"/.exec(page)?.[1];
  assert.ok(link, 'the page links to Slack’s authorize page');
  const authorize = new URL(link.replaceAll('&amp;', '&'));
  authorize.searchParams.set('install_on', on);
  const allowed = await fetch(authorize, { redirect: 'manual' });
  assert.equal(allowed.status, 302, `Slack redirects back (${await allowed.clone().text()})`);
  const back = allowed.headers.get('location') ?? '';
  const done = await fetch(back, { headers: { cookie }, redirect: 'manual' });
  return { status: done.status, body: await done.text() };
}
