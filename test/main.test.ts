import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SlackSim } from '../src/sandbox/slack-sim.js';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Runs `src/main.ts` in a clean directory (no .env) with only `env`. */
function runMain(env: Record<string, string>, untilLine?: RegExp) {
  const child = spawn(process.execPath, ['--import', tsx, main], {
    cwd: mkdtempSync(join(tmpdir(), 'main-')),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
    if (untilLine?.test(stdout)) child.kill('SIGTERM');
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  // Never outlive the test, whatever it waits for.
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

test('start-up without settings fails with one line naming the variable, and points to the sandbox', async () => {
  const r = await runMain({});
  assert.equal(r.code, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(
    lines[0],
    'Configuration error: SLACK_BOT_TOKEN: required (the bot token from OAuth & Permissions, xoxb-…)',
  );
  assert.match(lines[1] ?? '', /npm run sandbox/);
});

test('a malformed setting stops start-up with a clear line', async () => {
  const r = await runMain({
    SLACK_BOT_TOKEN: 'xoxb-1',
    SLACK_SIGNING_SECRET: 's3cret-value',
    ANTHROPIC_API_KEY: 'sk-ant-x',
    CLAUDE_MAX_CONCURRENT: 'five',
  });
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^Configuration error: CLAUDE_MAX_CONCURRENT: expected a whole number from 1 to 1000, got "five"/,
  );
});

test('a token Slack rejects stops start-up naming SLACK_BOT_TOKEN; a good one starts and exits 0 on SIGTERM', async (t) => {
  const sim = await SlackSim.start();
  t.after(() => sim.close());
  const env = {
    SLACK_BOT_TOKEN: 'xoxb-wrong-token',
    SLACK_SIGNING_SECRET: 's3cret-value',
    SLACK_API_URL: sim.apiUrl,
    ANTHROPIC_API_KEY: 'sk-ant-x',
    PORT: '0',
  };
  const bad = await runMain(env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /SLACK_BOT_TOKEN: Slack did not accept the token \(invalid_auth\)/);
  assert.doesNotMatch(bad.stderr + bad.stdout, /xoxb-wrong-token/);
  const good = await runMain({ ...env, SLACK_BOT_TOKEN: sim.botToken }, /"msg":"ready"/);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /"msg":"stopped"/);
});

test('SIGHUP re-reads secrets from *_FILE: new Claude calls use the rotated key, which never reaches the logs', async (t) => {
  const { startFakeAnthropic } = await import('../src/sandbox/fake-anthropic.js');
  const { startChild } = await import('./support/child.js');
  const { waitForReplies } = await import('./support/visible.js');
  const { writeFileSync } = await import('node:fs');
  const sim = await SlackSim.start();
  const claude = await startFakeAnthropic();
  t.after(async () => {
    await sim.close();
    await claude.close();
  });
  const keyFile = join(mkdtempSync(join(tmpdir(), 'key-')), 'anthropic');
  writeFileSync(keyFile, 'sk-ant-first-key-000000\n');
  const bot = startChild(t, 'src/main.ts', {
    SLACK_BOT_TOKEN: sim.botToken,
    SLACK_SIGNING_SECRET: sim.signingSecret,
    SLACK_API_URL: sim.apiUrl,
    ANTHROPIC_API_KEY_FILE: keyFile,
    ANTHROPIC_BASE_URL: claude.url,
    PORT: '0',
    LOG_LEVEL: 'debug',
  });
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${await bot.ready}/slack/events` });
  const ask = async (text: string) => {
    const { message } = await sim.post({
      user: 'U0ALICE',
      channel: 'C0GENERAL',
      text: `<@${sim.botUserId}> ${text}`,
    });
    await waitForReplies(sim, 'C0GENERAL', message.ts);
  };
  await ask('one');
  writeFileSync(keyFile, 'sk-ant-second-key-00000\n');
  bot.child.kill('SIGHUP');
  await sim.waitFor(() => /secrets rotated/.test(bot.output()) || undefined, {
    what: 'the rotation log line',
  });
  await ask('two');
  const auth = claude.requests.map((r) => String(r.headers.authorization ?? r.headers['x-api-key']));
  assert.match(auth[0] ?? '', /sk-ant-first-key/);
  assert.match(auth[1] ?? '', /sk-ant-second-key/);
  assert.doesNotMatch(bot.output(), /sk-ant-(first|second)-key/);
});
