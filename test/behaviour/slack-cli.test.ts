/**
 * The Slack CLI runs the commands slack.json names (its hooks) in the project's folder: what
 * `slack manifest` / `slack deploy` read, and what `slack run` starts with the tokens of the
 * development app it created (SLACK_CLI_XOXB, SLACK_CLI_XAPP).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { type TestContext, test } from 'node:test';
import { parse } from 'yaml';
import { gatherOutput } from '../support/child.js';
import { startFakes, TEST_ANTHROPIC_KEY } from '../support/rig.js';
import { until } from '../support/until.js';
import { visibleText, waitForReplies } from '../support/visible.js';

const root = new URL('../../', import.meta.url);
const hooks = (
  JSON.parse(readFileSync(new URL('slack.json', root), 'utf8')) as { hooks: Record<string, string> }
).hooks;

/** Runs a hook's command as the CLI does: through the shell, in the project's folder. */
function runHook(t: TestContext, name: string, env: Record<string, string>) {
  const command = hooks[name];
  assert.ok(command, `slack.json has a ${name} hook`);
  const child = spawn('sh', ['-c', command], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own, as in a terminal: Ctrl-C signals the shell and what it started.
    detached: true,
  });
  const output = gatherOutput(child);
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid ?? 0), 'SIGKILL');
  });
  return { child, ...output };
}

test('the get-manifest hook prints manifest.yml as JSON, Socket Mode on', async (t) => {
  const hook = runHook(t, 'get-manifest', {});
  const [code] = await once(hook.child, 'exit');
  assert.equal(code, 0, hook.stderr());
  const printed = JSON.parse(hook.stdout());
  assert.deepEqual(printed, parse(readFileSync(new URL('manifest.yml', root), 'utf8')));
  assert.equal(printed.settings.socket_mode_enabled, true);
});

test("the start hook runs the bot in Socket Mode with the CLI's tokens in place of SLACK_BOT_TOKEN and SLACK_APP_TOKEN", async (t) => {
  const { sim, claude } = await startFakes(t);
  const hook = runHook(t, 'start', {
    SLACK_CLI_XOXB: sim.botToken,
    SLACK_CLI_XAPP: sim.appToken,
    // What .env would hold: the placeholders are replaced by the CLI's tokens.
    SLACK_BOT_TOKEN: 'xoxb-your-bot-token',
    SLACK_APP_TOKEN: 'xapp-your-app-token',
    SLACK_API_URL: sim.apiUrl,
    ANTHROPIC_API_KEY: TEST_ANTHROPIC_KEY,
    ANTHROPIC_BASE_URL: claude.url,
    PORT: '0',
  });
  await until(
    'the bot ready in Socket Mode',
    () => /"mode":"socket"[^\n]*"msg":"ready"/.test(hook.stdout()),
    {
      timeoutMs: 60_000,
    },
  ).catch((err) => assert.fail(`${err.message}: ${hook.stderr()}`));
  await sim.waitFor(() => sim.socketCount > 0 || undefined, { what: 'a socket connection' });
  claude.enqueue({ text: 'Started by slack run.' });
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> hi`,
  });
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.equal(visibleText(reply!), 'Started by slack run.');
  // `slack run` ends with Ctrl-C: the bot shuts down as on SIGINT and closes its connection.
  process.kill(-(hook.child.pid ?? 0), 'SIGINT');
  await until('the bot shutting down', () =>
    /"signal":"SIGINT"[^\n]*"msg":"shutdown requested"/.test(hook.stdout()),
  );
  await sim.waitFor(() => sim.socketCount === 0 || undefined, { what: 'the socket closed on shutdown' });
});
