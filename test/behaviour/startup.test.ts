/**
 * Start-up names the real cause in one line: Slack not reached, a scope not granted, the Anthropic
 * key refused, an unknown model. What Anthropic cannot say at start is a warning, not a stop.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { type TestContext, test } from 'node:test';
import { type FakeAnthropic, startFakeAnthropic } from '../../sandbox/claude/fake-anthropic.js';
import { manifestScopes } from '../../sandbox/slack/scopes.js';
import { SlackSim } from '../../sandbox/slack/sim.js';
import { createBot } from '../../src/bot.js';
import { parseConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { botEnv } from '../support/rig.js';

async function fakes(
  t: TestContext,
  scopes?: string[],
  knowsModel?: (id: string) => boolean,
): Promise<{ sim: SlackSim; claude: FakeAnthropic }> {
  const sim = await SlackSim.start(scopes ? { scopes } : {});
  const claude = await startFakeAnthropic(knowsModel ? { knowsModel } : {});
  t.after(async () => {
    await sim.close();
    await claude.close();
  });
  return { sim, claude };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts the bot; resolves with how start-up ended and the log lines. */
async function start(t: TestContext, env: Record<string, string>) {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const bot = createBot(parseConfig({ ...env, PORT: '0', SHUTDOWN_GRACE_MS: '0' }), {
    logger: createLogger({ level: 'info', secrets: [], destination }),
  });
  t.after(() => bot.stop());
  try {
    await bot.start();
    return { error: undefined, logs };
  } catch (err) {
    return { error: (err as Error).message, logs };
  }
}

test('Slack not reachable: start-up names SLACK_API_URL and the network, not the token', async (t) => {
  const { sim, claude } = await fakes(t);
  const url = `http://127.0.0.1:${await closedPort()}/api/`;
  const r = await start(t, { ...botEnv(sim, claude), SLACK_API_URL: url });
  assert.equal(
    r.error,
    `SLACK_API_URL: could not reach Slack at ${url} (ECONNREFUSED); check the network, DNS or HTTPS_PROXY`,
  );
});

test('a required scope not granted stops start-up naming it and the reinstall', async (t) => {
  const { sim, claude } = await fakes(
    t,
    manifestScopes().filter((s) => s !== 'users:read'),
  );
  const r = await start(t, botEnv(sim, claude));
  assert.equal(
    r.error,
    'SLACK_BOT_TOKEN: the app lacks the scopes users:read; add them (manifest.yml lists every scope), then reinstall the app to the workspace',
  );
});

test('an optional scope not granted is a warning: the bot starts', async (t) => {
  const { sim, claude } = await fakes(
    t,
    manifestScopes().filter((s) => s !== 'assistant:write'),
  );
  const r = await start(t, botEnv(sim, claude));
  assert.equal(r.error, undefined);
  assert.ok(
    r.logs.some((l) =>
      l.includes('the app lacks optional scopes: assistant:write (suggested prompts in DMs)'),
    ),
  );
});

test('an Anthropic key that is refused stops start-up naming ANTHROPIC_API_KEY', async (t) => {
  const { sim, claude } = await fakes(t);
  const r = await start(t, { ...botEnv(sim, claude), ANTHROPIC_API_KEY: 'invalid-key' });
  assert.equal(r.error, 'ANTHROPIC_API_KEY: Anthropic did not accept the key (401 authentication_error)');
});

test('an unknown model stops start-up naming CLAUDE_MODEL', async (t) => {
  const { sim, claude } = await fakes(t, undefined, (id) => id === 'claude-sonnet-5-5');
  const r = await start(t, { ...botEnv(sim, claude), CLAUDE_MODEL: 'claude-sonet-5-5' });
  assert.match(r.error ?? '', /^CLAUDE_MODEL: Anthropic does not know the model "claude-sonet-5-5"/);
});

test('Anthropic not reachable at start: a warning naming ANTHROPIC_BASE_URL, and the bot starts', async (t) => {
  const { sim, claude } = await fakes(t);
  const url = `http://127.0.0.1:${await closedPort()}`;
  const r = await start(t, { ...botEnv(sim, claude), ANTHROPIC_BASE_URL: url });
  assert.equal(r.error, undefined);
  assert.ok(
    r.logs.some((l) => l.includes(`ANTHROPIC_BASE_URL: could not reach Anthropic at ${url} (ECONNREFUSED)`)),
    r.logs.join('\n'),
  );
});

test('the simulated Slack answers missing_scope for a method the manifest does not cover', async (t) => {
  const { sim } = await fakes(
    t,
    manifestScopes().filter((s) => s !== 'chat:write'),
  );
  const r = await fetch(`${sim.apiUrl}chat.postMessage`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.botToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'C0GENERAL', text: 'hi' }),
  });
  const body = (await r.json()) as { ok: boolean; error?: string; needed?: string };
  assert.deepEqual([body.ok, body.error, body.needed], [false, 'missing_scope', 'chat:write']);
  assert.doesNotMatch(r.headers.get('x-oauth-scopes') ?? '', /chat:write/);
});
