import assert from 'node:assert/strict';
import { once } from 'node:events';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { SlackSim } from '../../sandbox/slack/sim.js';
import { startChild } from '../support/child.js';
import { botEnv, startFakes } from '../support/rig.js';
import { until } from '../support/until.js';
import { waitForReplies } from '../support/visible.js';

/** Runs `src/main.ts` in a clean directory (no .env) with only `env`; SIGTERM once `untilLine` is printed. */
async function runMain(t: TestContext, env: Record<string, string>, untilLine?: RegExp) {
  const bot = startChild(t, 'src/main.ts', env);
  if (untilLine) bot.child.stdout.on('data', () => untilLine.test(bot.stdout()) && bot.child.kill('SIGTERM'));
  const code = await bot.exited;
  return { code, stdout: bot.stdout(), stderr: bot.stderr() };
}

test('start-up without settings fails with one line naming the variable, and points to the sandbox', async (t) => {
  const r = await runMain(t, {});
  assert.equal(r.code, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(
    lines[0],
    'Configuration error: SLACK_BOT_TOKEN: required (the bot token from OAuth & Permissions, xoxb-…), or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET for installs in many workspaces',
  );
  assert.match(lines.at(-1) ?? '', /npm run sandbox/);
});

test('several bad settings are all named at once, one line each', async (t) => {
  const r = await runMain(t, {
    SLACK_BOT_TOKEN: 'xoxp-a-user-token',
    SLACK_SIGNING_SECRET: 's3cret-value',
    CLAUDE_MAX_CONCURRENT: 'five',
    PORT: '70000',
    LOG_LEVEL: 'loud',
  });
  assert.equal(r.code, 1);
  assert.deepEqual(r.stderr.trim().split('\n'), [
    'Configuration error: SLACK_BOT_TOKEN: expected a value starting with "xoxb-"',
    'Configuration error: ANTHROPIC_API_KEY: required (your Anthropic API key)',
    'Configuration error: CLAUDE_MAX_CONCURRENT: expected a whole number from 1 to 1000, got "five"',
    'Configuration error: PORT: expected a whole number from 0 to 65535, got "70000"',
    'Configuration error: LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    'See .env.example for every setting, or run `npm run sandbox` to try the bot without a Slack workspace.',
  ]);
  assert.doesNotMatch(r.stderr, /xoxp-a-user-token/, 'a bad secret is named, not shown');
});

test('a .env copied from .env.example names its three placeholders in one start', async (t) => {
  const bot = startChild(
    t,
    'src/main.ts',
    {},
    readFileSync(new URL('../../.env.example', import.meta.url), 'utf8'),
  );
  assert.equal(await bot.exited, 1);
  assert.deepEqual(bot.stderr().trim().split('\n').slice(0, -1), [
    'Configuration error: SLACK_BOT_TOKEN: still has the placeholder value from .env.example',
    'Configuration error: SLACK_APP_TOKEN: still has the placeholder value from .env.example',
    'Configuration error: ANTHROPIC_API_KEY: still has the placeholder value from .env.example',
  ]);
});

test('ALLOWED_CHANNEL_IDS=#general in .env (read by dotenv as empty) stops start-up with the fix, with the other errors', async (t) => {
  const dotenv =
    'SLACK_BOT_TOKEN=xoxb-1-abc\nSLACK_SIGNING_SECRET=s3cret-value\nALLOWED_CHANNEL_IDS=#general\n';
  const bot = startChild(t, 'src/main.ts', {}, dotenv);
  assert.equal(await bot.exited, 1);
  assert.deepEqual(bot.stderr().trim().split('\n').slice(0, -1), [
    'Configuration error: ALLOWED_CHANNEL_IDS: in .env its value is cut at "#", which starts a comment there; quote it or use the channel id (C012ABC), not its name',
    'Configuration error: ANTHROPIC_API_KEY: required (your Anthropic API key)',
  ]);
});

test('inside the Docker image the hint names docker -e and secret files, not .env.example or the sandbox', async (t) => {
  const r = await runMain(t, { SLACK_CLAUDE_BOT_IMAGE: '1' });
  assert.equal(r.code, 1);
  const last = r.stderr.trim().split('\n').at(-1) ?? '';
  assert.match(last, /docker run -e NAME=value/);
  assert.doesNotMatch(r.stderr, /\.env\.example|npm run sandbox/);
});

test('on a Node.js older than the dependencies need, start-up stops with one line naming the version needed', async (t) => {
  // Posing as Node 22.12: undici (Socket Mode, the proxy) needs 22.19 and would fail with a TypeError.
  const pose = "Object.defineProperty(process.versions,'node',{value:'22.12.0'})";
  const r = await runMain(t, { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(pose)}` });
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr.trim(),
    'Node.js 22.19.0 or newer is needed; this is 22.12.0. The Docker image uses Node 24.',
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
  const bad = await runMain(t, env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /SLACK_BOT_TOKEN: Slack did not accept the token \(invalid_auth\)/);
  assert.doesNotMatch(bad.stderr + bad.stdout, /xoxb-wrong-token/);
  const good = await runMain(t, { ...env, SLACK_BOT_TOKEN: sim.botToken }, /"msg":"ready"/);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /"msg":"stopped"/);
});

/** The real process with its Anthropic key in `keyFile` only; `ask` mentions it and waits for the answer. */
async function startWithKeyFile(t: TestContext, keyFile: string, env: Record<string, string> = {}) {
  const { sim, claude } = await startFakes(t);
  const { ANTHROPIC_API_KEY: _inline, ...connection } = botEnv(sim, claude);
  const bot = startChild(t, 'src/main.ts', { ...connection, ANTHROPIC_API_KEY_FILE: keyFile, ...env });
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${await bot.ready}/slack/events` });
  return {
    bot,
    ask: async (text: string) => {
      const { message } = await sim.post({
        user: 'U0ALICE',
        channel: 'C0GENERAL',
        text: `<@${sim.botUserId}> ${text}`,
      });
      await waitForReplies(sim, 'C0GENERAL', message.ts);
    },
    rotated: (timeoutMs?: number) =>
      sim.waitFor(() => /secrets rotated/.test(bot.output()) || undefined, {
        what: 'the rotation log line',
        ...(timeoutMs ? { timeoutMs } : {}),
      }),
    /** The key each Claude call was sent with, in order. */
    keysUsed: () => claude.requests.map((r) => String(r.headers.authorization ?? r.headers['x-api-key'])),
  };
}

test('SIGHUP re-reads secrets from *_FILE: new Claude calls use the rotated key, which never reaches the logs', async (t) => {
  const keyFile = join(mkdtempSync(join(tmpdir(), 'key-')), 'anthropic');
  writeFileSync(keyFile, 'sk-ant-first-key-000000\n');
  const { bot, ask, rotated, keysUsed } = await startWithKeyFile(t, keyFile, { LOG_LEVEL: 'debug' });
  await ask('one');
  writeFileSync(keyFile, 'sk-ant-second-key-00000\n');
  bot.child.kill('SIGHUP');
  await rotated();
  await ask('two');
  const [first, second] = keysUsed();
  assert.match(first ?? '', /sk-ant-first-key/);
  assert.match(second ?? '', /sk-ant-second-key/);
  assert.doesNotMatch(bot.output(), /sk-ant-(first|second)-key/);
});

test('a Secret updated the way Kubernetes does it (the ..data link swapped) is used without a restart or signal', async (t) => {
  // The kubelet's layout: <dir>/anthropic-api-key -> ..data/anthropic-api-key, ..data -> ..<version>.
  const dir = mkdtempSync(join(tmpdir(), 'secret-'));
  const version = (name: string, key: string) => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'anthropic-api-key'), key);
    symlinkSync(name, join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  };
  version('..v1', 'sk-ant-first-key-000000');
  symlinkSync('..data/anthropic-api-key', join(dir, 'anthropic-api-key'));
  const { ask, rotated, keysUsed } = await startWithKeyFile(t, join(dir, 'anthropic-api-key'));
  await ask('one');
  version('..v2', 'sk-ant-second-key-00000');
  // The files are checked every 10 s.
  await rotated(20_000);
  await ask('two');
  const [first, second] = keysUsed();
  assert.match(first ?? '', /sk-ant-first-key/);
  assert.match(second ?? '', /sk-ant-second-key/);
});

test('the real process acks in a thread of its own: a mention is answered, its ack counted in /metrics, and the answering thread yields CPU to acks', async (t) => {
  const { sim, claude } = await startFakes(t);
  const bot = startChild(t, 'src/main.ts', botEnv(sim, claude));
  const port = await bot.ready;
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${port}/slack/events` });
  const { message, deliveries } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> hello from the main test`,
  });
  assert.deepEqual(
    deliveries.map((d) => d.status),
    [200, 200],
  );
  const replies = await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.ok(replies.length > 0);
  assert.equal(claude.requests.length, 1);
  // Acks are counted where they happen (the front's thread) and shown with the rest. The answer
  // is counted once its last Slack call has returned, a moment after the reply shows.
  let metrics = '';
  await until(
    'the answer counted in /metrics',
    async () => {
      metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return /^slackbot_answers_total\{/m.test(metrics);
    },
    { timeoutMs: 15_000, everyMs: 25 },
  );
  assert.match(metrics, /^slackbot_ack_seconds_count\{type="event"\} 2$/m);
  assert.match(metrics, /^slackbot_answers_total\{outcome="ok",source="claude"\} 1$/m);
  // The receiving thread's warnings reach the one log stream: a forged request is refused and said.
  const forged = await fetch(`http://127.0.0.1:${port}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
      'x-slack-signature': 'v0=forged',
    },
    body: '{"type":"event_callback"}',
  });
  assert.equal(forged.status, 401);
  await sim.waitFor(() => /"thread":"front".*Failed to verify the request/.test(bot.stdout()) || undefined, {
    what: 'the front thread warning in the log',
  });
  // Linux keeps a nice value per thread (field 19 of /proc/<pid>/task/<tid>/stat): the main
  // thread, which writes answers, and V8's collector threads run below the front's.
  const pid = bot.child.pid as number;
  const threads = readdirSync(`/proc/${pid}/task`).map((tid) => ({
    name: readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(),
    nice: Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]),
  }));
  const niceOf = (name: string) => threads.filter((th) => th.name === name).map((th) => th.nice);
  assert.deepEqual(niceOf('MainThread'), [10]);
  assert.ok(
    niceOf('V8Worker').length > 0 && niceOf('V8Worker').every((n) => n === 10),
    JSON.stringify(threads),
  );
  // The front's (tsx, under which this test runs it, adds worker threads of its own).
  assert.ok(niceOf('WorkerThread').includes(0), JSON.stringify(threads));
});

test('a PORT already in use stops start-up with one line naming PORT', async (t) => {
  const { sim, claude } = await startFakes(t);
  const taken = createServer().listen(0, '127.0.0.1');
  await once(taken, 'listening');
  t.after(() => taken.close());
  const port = (taken.address() as AddressInfo).port;
  const r = await runMain(t, { ...botEnv(sim, claude), PORT: String(port) });
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    new RegExp(`^Start-up failed: PORT: ${port} is already in use by another program\\n$`),
  );
});
