/**
 * The ask pipeline on its own: no Slack, the real limits and Claude client against the fake
 * Anthropic API on loopback, and a sink that collects what a person would be told.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { startFakeAnthropic } from '../../../sandbox/claude/fake-anthropic.js';
import { STOPPED } from '../../../src/ask/failure.js';
import { createAsk } from '../../../src/ask/index.js';
import type { AskFailure, AskSession, AskStatus } from '../../../src/ask/types.js';
import { AskRefused } from '../../../src/ask/types.js';
import type { ClaudeRequest } from '../../../src/claude/client.js';
import type { ClaudeProfile } from '../../../src/claude/profile.js';
import { parseConfig } from '../../../src/config/config.js';
import { createLimits } from '../../../src/limits/index.js';
import { createPlatform } from '../../../src/platform/index.js';
import { baseEnv } from '../../support/config.js';
import { until } from '../../support/until.js';

const PROFILE: ClaudeProfile = {
  name: 'default',
  model: 'claude-haiku-4-5',
  maxTokens: 500,
  contextTokens: 8000,
  systemPrompt: undefined,
  cacheTtlSeconds: 0,
  userTokensPerDay: 0,
  budgetPool: '',
};

async function setup(t: TestContext, env: Record<string, string> = {}, profile: Partial<ClaudeProfile> = {}) {
  const claude = await startFakeAnthropic();
  t.after(() => claude.close());
  const config = parseConfig({
    ...baseEnv,
    ANTHROPIC_BASE_URL: claude.url,
    LOG_LEVEL: 'silent',
    CLAUDE_MAX_RETRIES: '0',
    ...env,
  });
  const platform = createPlatform(config);
  const limits = createLimits(config, platform, { apiKey: () => 'sk-ant-test' });
  t.after(async () => {
    await limits.stop();
    await platform.close();
  });
  const ask = createAsk(
    limits,
    { forPlace: async () => ({ ...PROFILE, ...profile }) },
    {
      summariesMaxConcurrent: 1,
      log: platform.log,
    },
  );
  return { claude, ask, limits };
}

/** A sink that keeps what the person would be told. */
function collect() {
  const statuses: AskStatus[] = [];
  const failures: AskFailure[] = [];
  return {
    statuses,
    failures,
    sink: {
      status: (s: AskStatus) => statuses.push(s),
      fail: async (f: AskFailure) => void failures.push(f),
    },
  };
}

const request = (text: string): ClaudeRequest => ({
  model: PROFILE.model,
  maxTokens: PROFILE.maxTokens,
  system: [{ type: 'text', text: 'You are a test.' }],
  messages: [{ role: 'user', content: text }],
});

const input = (userId: string, lane: 'question' | 'summary' = 'question', signal?: AbortSignal) => ({
  ref: `ref-${userId}`,
  userId,
  where: { teamId: 'T1', channelId: 'C1', kind: 'channel' as const },
  lane,
  ...(signal ? { signal } : {}),
});

/** The work of a plain question: one Claude call, its text streamed to `out`. */
const oneCall = (text: string, out: string[]) => async (s: AskSession) => {
  const a = await s.claude(request(text), { onText: (d) => out.push(d) });
  return a.text;
};

test('a question reaches Claude once, its text streams to the feature, its tokens are counted', async (t) => {
  const { claude, ask } = await setup(t);
  claude.enqueue({ text: 'Forty-two.' });
  const told = collect();
  const out: string[] = [];
  const outcome = await ask.run(input('U1'), told.sink, oneCall('What is the answer?', out));
  assert.equal(outcome.ok, true);
  assert.equal(outcome.ok && outcome.value, 'Forty-two.');
  assert.equal(out.join(''), 'Forty-two.');
  assert.equal(claude.requests.length, 1);
  assert.equal(outcome.calls[0]?.source, 'claude');
  assert.ok((outcome.calls[0]?.usage?.inputTokens ?? 0) > 0, 'the usage of the call is kept');
  assert.deepEqual(told.statuses, [{ kind: 'working' }]);
  assert.deepEqual(told.failures, []);
});

test("a person over the profile's daily tokens is told why, and Claude is not asked", async (t) => {
  const { claude, ask } = await setup(t, {}, { userTokensPerDay: 10 });
  claude.enqueue({ text: 'A long enough answer to spend the day.' });
  const first = await ask.run(input('U1'), collect().sink, oneCall('First question', []));
  assert.equal(first.ok, true);
  const told = collect();
  const second = await ask.run(input('U1'), told.sink, oneCall('Second question', []));
  assert.equal(second.ok, false);
  assert.equal(told.failures[0]?.kind, 'budget');
  assert.match(told.failures[0]?.kind === 'budget' ? told.failures[0].message : '', /budget of 10 tokens/);
  assert.equal(claude.requests.length, 1, 'the second question never reached Claude');
  // Someone else's budget is their own.
  const other = await ask.run(input('U2'), collect().sink, oneCall('Third question', []));
  assert.equal(other.ok, true);
});

test('summaries wait their turn in their own line; questions are not held behind them', async (t) => {
  const { claude, ask } = await setup(t);
  claude.setResponder(() => ({ text: 'ok', chunkDelayMs: 5 }));
  let release!: () => void;
  const held = new Promise<void>((r) => {
    release = r;
  });
  // The first summary holds its turn until told to go on.
  const first = ask.run(input('U1', 'summary'), collect().sink, async (s) => {
    await s.claude(request('Summary one'));
    await held;
  });
  const waiting = collect();
  const second = ask.run(input('U2', 'summary'), waiting.sink, oneCall('Summary two', []));
  const question = await ask.run(input('U3'), collect().sink, oneCall('A question', []));
  assert.equal(question.ok, true, 'a question is answered while summaries wait');
  assert.deepEqual(waiting.statuses[0], { kind: 'queued', ahead: 0, for: 'turn' });
  assert.equal(claude.requests.length, 2, 'the second summary has not reached Claude yet');
  release();
  assert.equal((await first).ok, true);
  assert.equal((await second).ok, true);
  assert.equal(claude.requests.length, 3);
});

test('a stopped question ends as stopped, not as an error, and its Claude request is aborted', async (t) => {
  const { claude, ask } = await setup(t);
  claude.enqueue({ hang: true });
  const controller = new AbortController();
  const told = collect();
  const run = ask.run(
    input('U1', 'question', controller.signal),
    told.sink,
    oneCall('Tell me a long story', []),
  );
  await claude.waitForRequests(1);
  controller.abort(STOPPED);
  const outcome = await run;
  assert.equal(outcome.ok, false);
  assert.deepEqual(told.failures, [{ kind: 'stopped' }]);
  await until("Claude's request aborted", () => claude.requests[0]?.closedByClient === true);
});

test('failures reach the sink as kinds: Claude refusing the request, a question that cannot be asked', async (t) => {
  const { claude, ask } = await setup(t);
  claude.enqueue({ status: 400, errorMessage: 'messages: text content blocks must be non-empty' });
  const bad = collect();
  await ask.run(input('U1'), bad.sink, oneCall('Hello', []));
  assert.equal(bad.failures[0]?.kind, 'invalid_request');
  const refused = collect();
  await ask.run(input('U1'), refused.sink, async () => {
    throw new AskRefused('message_too_long', 'Your message is too long.');
  });
  assert.deepEqual(refused.failures, [
    { kind: 'refused', code: 'message_too_long', text: 'Your message is too long.' },
  ]);
  assert.equal(claude.requests.length, 1, 'the refused question never reached Claude');
});
