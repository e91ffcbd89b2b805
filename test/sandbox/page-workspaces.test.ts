/**
 * The sandbox page with two workspaces: the rail switches to Globex, and what a person does there
 * (a mention, a thread reply, /summarize, the "Summarize thread" shortcut, feedback buttons and the
 * reason modal) happens in Globex, answered with the token Globex's install issued.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OFFLINE_MODEL_NOTE } from '../../sandbox/claude/offline-model.js';
import type { SimCall } from '../../sandbox/slack/sim.js';
import { GLOBEX, GLOBEX_LAUNCH } from '../../sandbox/workspaces.js';
import { until } from '../support/until.js';
import { screenshot, type Visit, visitForFile, WAIT } from './browser.js';

let { sandbox, page, errors } = {} as Visit;
visitForFile((visit) => {
  ({ sandbox, page, errors } = visit);
});

const thread = () => page.locator('#thread-messages');
const botIn = (root: string) =>
  page.locator(`${root} .message:not(.ephemeral)`, { has: page.locator('.badge') });

/** Calls the bot made naming Globex's channel. */
const callsInLaunch = (): SimCall[] =>
  sandbox.sim.calls.filter(
    (c) => c.args.channel === GLOBEX_LAUNCH.id || c.args.channel_id === GLOBEX_LAUNCH.id,
  );

/** The workspaces whose tokens made these calls; a token outside its workspace would be refused. */
function whoseTokens(calls: SimCall[]): string[] {
  assert.ok(calls.length > 0, 'some calls');
  assert.deepEqual(
    calls.filter((c) => !c.ok).map((c) => `${c.method}: ${c.error}`),
    [],
    'every call succeeded',
  );
  return [...new Set(calls.map((c) => c.team ?? '(no token)'))].sort();
}

/** Globex's install: the bot token Slack issued it at start, through /slack/oauth_redirect. */
function globexGrant() {
  const grants = [...sandbox.sim.installs.grants.values()].filter((g) => g.teamId === GLOBEX.id);
  assert.equal(grants.length, 1, 'installed once in Globex');
  return grants[0]!;
}

test('the rail shows both workspaces; Globex shows its own channel and people', async () => {
  const rail = page.locator('#teams');
  assert.deepEqual(await rail.locator('.rail-name').allTextContents(), ['Sandbox', 'Globex']);
  assert.equal(await page.locator('#team-name').textContent(), 'Sandbox');
  await page.locator('#messages').getByText('Release notes draft is up for review').waitFor(WAIT);
  await rail.getByRole('button', { name: 'Globex workspace' }).click();
  assert.equal(await page.locator('#team-name').textContent(), 'Globex');
  assert.equal(await page.locator('#channel-title').textContent(), '# launch');
  await page.locator('#messages').getByText('Warehouse confirmed 4,000 units').waitFor(WAIT);
  assert.deepEqual(await page.locator('#channels .nav-item:not([data-dm])').allTextContents(), ['# launch']);
  assert.deepEqual(await page.locator('#me option').allTextContents(), [
    'Nora Lindqvist (@nora)',
    'Omar Haddad (@omar.h)',
  ]);
  assert.equal(
    await page.locator('#messages').getByText('Release notes draft').count(),
    0,
    'nothing of the other workspace',
  );
  assert.equal(
    await page.locator('#try').isVisible(),
    false,
    'the steps of the other workspace are not shown',
  );
});

test('a mention in Globex is answered there, with the token of Globex’s install', async () => {
  const sim = sandbox.sim;
  const usesBefore = globexGrant().uses;
  await page.fill('#composer-text', '@claude do we ship to Norway on day one?');
  await page.press('#composer-text', 'Enter');
  const answer = botIn('#thread-messages').filter({ hasText: OFFLINE_MODEL_NOTE });
  await answer.waitFor(WAIT);
  await thread()
    .locator('.message.streaming')
    .waitFor({ state: 'detached', ...WAIT });
  assert.match(String(await answer.textContent()), /do we ship to Norway on day one\?/);
  await screenshot(page, 'workspaces-globex-answer.png');

  // In Slack: the question and its answer are in Globex's #launch, asked by Nora.
  const asked = sim.messages(GLOBEX_LAUNCH.id).find((m) => m.text.includes('ship to Norway on day one?'));
  assert.ok(asked, 'the question is in #launch');
  assert.equal(asked.user, 'U0NORA');
  assert.equal(asked.text, `<@${sim.botUserId}> do we ship to Norway on day one?`);
  const replies = sim.thread(GLOBEX_LAUNCH.id, asked.ts).filter((m) => m.bot_id);
  assert.equal(replies.length, 1, 'one answer, in its thread');
  // Not in any conversation of the other workspace.
  for (const c of sim.conversations().filter((c) => sim.installs.teamOf(c.id) !== GLOBEX.id))
    assert.ok(!sim.state.all(c.id).some((m) => m.text.includes('Norway')), `nothing in ${c.name}`);
  // Written with Globex's token: the simulated Slack refuses a token outside its workspace.
  const writes = callsInLaunch().filter((c) => /^chat\./.test(c.method));
  assert.deepEqual(whoseTokens(writes), [GLOBEX.id]);
  assert.ok(globexGrant().uses > usesBefore, 'Globex’s token was used');
});

test('a reply in the Globex thread, and the feedback buttons and reason modal, act in Globex', async () => {
  await page.fill('#thread-text', 'and what about Denmark?');
  await page.press('#thread-text', 'Enter');
  // The channel follows the threads it answered: no mention needed.
  const second = botIn('#thread-messages').filter({ hasText: 'what about Denmark?' });
  await second.waitFor(WAIT);
  const answer = botIn('#thread-messages').filter({ hasText: OFFLINE_MODEL_NOTE }).first();
  await answer.getByRole('button', { name: 'Good answer' }).click();
  const votes = () => sandbox.bot.metrics.registry.getSingleMetricAsString('slackbot_feedback_total');
  await until('the vote counted', async () => /vote="up"[^\n]*change="new"\} 1/.test(await votes()));
  await answer.getByRole('button', { name: 'Bad answer' }).click();
  const modal = page.locator('#modal .modal');
  await modal.waitFor(WAIT);
  await modal.getByLabel('Outdated').check();
  await modal.getByRole('button', { name: 'Send' }).click();
  const reasons = () =>
    sandbox.bot.metrics.registry.getSingleMetricAsString('slackbot_feedback_reasons_total');
  await until('the reason counted', async () => /reason="outdated"[^\n]*\} 1/.test(await reasons()));
  await page.locator('#modal').waitFor({ state: 'hidden', ...WAIT });
  // The modal was opened with Globex's token, for the click that came from Globex.
  const opened = sandbox.sim.callsTo('views.open');
  assert.deepEqual(whoseTokens(opened), [GLOBEX.id]);
  assert.deepEqual(whoseTokens(callsInLaunch()), [GLOBEX.id]);
  await page.locator('#close-thread').click();
});

test('/summarize and “Summarize thread” in Globex summarize Globex’s #launch', async () => {
  await page.fill('#composer-text', '/summarize 1d');
  await page.press('#composer-text', 'Enter');
  const summary = page.locator('#messages .message.ephemeral', { hasText: 'Summary of' });
  await summary.getByRole('button', { name: 'Share in channel' }).waitFor(WAIT);
  assert.match(String(await summary.textContent()), /#launch/);
  assert.match(String(await summary.textContent()), /Warehouse confirmed|press release|Norway/);
  assert.doesNotMatch(String(await summary.textContent()), /payments|dark mode/, 'only Globex’s channel');
  const parent = page.locator('#messages .message', { hasText: 'Launch checklist' }).first();
  await parent.hover();
  await parent.locator('.summarize-thread').click();
  const ofThread = page.locator('#thread-messages .message.ephemeral', { hasText: 'Summary of a thread' });
  await ofThread.getByRole('button', { name: 'Share in channel' }).waitFor(WAIT);
  assert.match(String(await ofThread.textContent()), /legal signs it off Monday/);
  await screenshot(page, 'workspaces-globex-summary.png');
  assert.deepEqual(whoseTokens(callsInLaunch()), [GLOBEX.id]);
  await page.locator('#close-thread').click();
});

test('Nora’s DM with the bot is in Globex: its greeting is written with Globex’s token', async () => {
  await page.locator('[data-dm="1"]').click();
  await page.locator('#messages').getByText('Hi! I’m').waitFor(WAIT);
  const sim = sandbox.sim;
  const dm = sim.conversations().find((c) => c.is_im && c.user === 'U0NORA');
  assert.ok(dm, 'Nora’s DM');
  assert.equal(dm.team_id, GLOBEX.id);
  const calls = sim.calls.filter((c) => c.args.channel === dm.id || c.args.channel_id === dm.id);
  assert.deepEqual(whoseTokens(calls), [GLOBEX.id]);
  await page.locator(`[data-channel="${GLOBEX_LAUNCH.id}"]`).click();
});

test('back in the Sandbox workspace, #general is as it was and shows nothing of Globex', async () => {
  await page.locator('#teams').getByRole('button', { name: 'Sandbox workspace' }).click();
  assert.equal(await page.locator('#team-name').textContent(), 'Sandbox');
  assert.equal(await page.locator('#channel-title').textContent(), '# general');
  await page.locator('#messages').getByText('Release notes draft is up for review').waitFor(WAIT);
  assert.equal(await page.locator('#messages').getByText('Norway').count(), 0);
  assert.match(String(await page.locator('#me option:checked').textContent()), /^Alice Chen/);
  assert.ok(await page.locator('#try').isVisible(), 'its “Try this first” steps');
  await screenshot(page, 'workspaces-back-in-sandbox.png');
  // Back in Globex: where you were.
  await page.locator('#teams').getByRole('button', { name: 'Globex workspace' }).click();
  assert.equal(await page.locator('#channel-title').textContent(), '# launch');
  await page.locator('#teams').getByRole('button', { name: 'Sandbox workspace' }).click();
});

test('the page server acts only with a person and a conversation of the workspace named', async () => {
  const post = (body: Record<string, unknown>) =>
    fetch(new URL('/api/message', sandbox.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello', ...body }),
    });
  const before = sandbox.sim.messages(GLOBEX_LAUNCH.id).length;
  const wrongPerson = await post({ team: GLOBEX.id, user: 'U0ALICE', channel: GLOBEX_LAUNCH.id });
  assert.equal(wrongPerson.status, 400);
  assert.match(String(((await wrongPerson.json()) as { error: string }).error), /unknown person U0ALICE/);
  const wrongChannel = await post({ team: sandbox.sim.team.id, user: 'U0ALICE', channel: GLOBEX_LAUNCH.id });
  assert.equal(wrongChannel.status, 400);
  const unknownTeam = await post({ team: 'T0NOPE', user: 'U0NORA', channel: GLOBEX_LAUNCH.id });
  assert.equal(unknownTeam.status, 400);
  assert.equal(sandbox.sim.messages(GLOBEX_LAUNCH.id).length, before, 'nothing posted');
});

test('no script errors on the page', () => {
  assert.deepEqual(errors, []);
});
