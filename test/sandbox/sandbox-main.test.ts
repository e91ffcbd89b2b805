import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startFakeAnthropic } from '../../sandbox/claude/fake-anthropic.js';

const MAIN = fileURLToPath(new URL('../../sandbox/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

interface Running {
  proc: ChildProcess;
  url: string;
  /** Milliseconds from spawn to the printed URL. */
  urlMs: number;
  startedAt: number;
  output: () => string;
}

/**
 * What `npm run sandbox` runs (tsx on sandbox/main.ts), as node itself so signals reach it,
 * in an empty temporary directory with exactly `env` as the environment.
 */
async function runSandbox(t: TestContext, env: Record<string, string>, files: Record<string, string> = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'sandbox-main-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(cwd, name), text);
  const startedAt = performance.now();
  const proc = spawn(process.execPath, ['--import', TSX, MAIN, '--port', '0'], { cwd, env, stdio: 'pipe' });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  proc.stderr.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = once(proc, 'exit');
  t.after(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
    rmSync(cwd, { recursive: true, force: true });
  });
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /Sandbox ready in \d+ ms: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    };
    proc.stdout.on('data', check);
    proc.once('exit', (code) => reject(new Error(`sandbox exited (${code}) before it was ready:\n${out}`)));
  });
  return { proc, url, urlMs: performance.now() - startedAt, startedAt, output: () => out } satisfies Running;
}

async function stop(run: Running): Promise<number | null> {
  const exited = once(run.proc, 'exit');
  run.proc.kill('SIGTERM');
  const [code] = await exited;
  return code as number | null;
}

test('with an empty environment and no .env it serves the page with the offline model, and stops on SIGTERM', async (t) => {
  const run = await runSandbox(t, {});
  const page = await fetch(run.url);
  const readyMs = performance.now() - run.startedAt;
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<title>Claude for Slack · sandbox<\/title>/);
  const state = (await (await fetch(new URL('api/state', run.url))).json()) as {
    workspace: { messages: Record<string, unknown[]> };
    panel: { model: { mode: string; label: string } };
  };
  assert.equal(state.panel.model.mode, 'offline');
  assert.ok((state.workspace.messages.C0GENERAL?.length ?? 0) > 20, 'a day of #general is seeded');
  assert.match(run.output(), /Offline demo model — set ANTHROPIC_API_KEY to use Claude/);
  t.diagnostic(`url printed after ${Math.round(run.urlMs)} ms; page served after ${Math.round(readyMs)} ms`);
  assert.equal(await stop(run), 0);
});

test('Slack settings in a .env never reach the sandbox: it runs against the simulated Slack', async (t) => {
  // A Socket Mode token and an unreachable API URL: used, they would make start-up fail.
  const dotenv =
    'SLACK_BOT_TOKEN=xoxb-real-workspace\nSLACK_APP_TOKEN=xapp-real\nSLACK_API_URL=http://127.0.0.1:9/api/\n';
  const run = await runSandbox(t, {}, { '.env': dotenv });
  const state = (await (await fetch(new URL('api/state', run.url))).json()) as {
    panel: { settings: Array<[string, string]> };
  };
  const setting = (name: string) => state.panel.settings.find(([k]) => k === name)?.[1];
  assert.match(setting('slack.apiUrl') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  assert.notEqual(setting('slack.apiUrl'), 'http://127.0.0.1:9/api/');
  assert.equal(setting('slack.appToken'), '(unset)');
  assert.equal(await stop(run), 0);
});

test('with a rejected ANTHROPIC_API_KEY the sandbox stops at start with one line naming it', async (t) => {
  const claude = await startFakeAnthropic();
  t.after(() => claude.close());
  const run = runSandbox(t, { ANTHROPIC_API_KEY: 'invalid-key', ANTHROPIC_BASE_URL: claude.url });
  await assert.rejects(run, (err: Error) => {
    assert.match(
      err.message,
      /Sandbox failed to start: ANTHROPIC_API_KEY: Anthropic did not accept the key \(401 authentication_error\)/,
    );
    assert.doesNotMatch(err.message, /invalid-key/);
    return true;
  });
});

test('an untouched copy of .env.example runs the sandbox with the offline model: placeholders count as unset', async (t) => {
  const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
  const run = await runSandbox(t, {}, { '.env': example });
  assert.match(run.output(), /Offline demo model — set ANTHROPIC_API_KEY to use Claude/);
  assert.equal(await stop(run), 0);
});
