import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startRig } from '../support/rig.js';
import { until } from '../support/until.js';
import { waitForReplies } from '../support/visible.js';

/** One sample's value from Prometheus text, matched by name and (a subset of) its labels. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const wanted = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (wanted) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

test('after a mention, /metrics shows ack time, the Claude call, tokens, cost, cache, queue, breaker and Slack calls', async (t) => {
  const { sim, claude, port } = await startRig(t, {
    env: { CLAUDE_MODEL: 'claude-sonnet-5-5', CLAUDE_PRICES: 'claude-sonnet-5-5=3:15' },
  });
  claude.enqueue({ text: 'Forty-two.', firstTokenDelayMs: 50 });
  // The first stream start is rate limited: the bot posts the answer instead, with no error.
  sim.failNext('chat.startStream', { status: 429, retryAfter: 1 });
  const ask = () =>
    sim.post({ user: 'U0ALICE', channel: 'C0GENERAL', text: `<@${sim.botUserId}> the answer?` });
  const first = await ask();
  await waitForReplies(sim, 'C0GENERAL', first.message.ts);
  const second = await ask();
  await waitForReplies(sim, 'C0GENERAL', second.message.ts);

  // An answer is counted once it is complete, just after its text shows.
  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(res.status, 200);
    return res.text();
  };
  await until('both answers counted', async () => (await scrape()).includes('source="cache"} 1'));
  const text = await scrape();
  const m = { model: 'claude-sonnet-5-5' };
  assert.ok((sample(text, 'slackbot_ack_seconds_count', { type: 'event' }) ?? 0) >= 2, 'acks timed');
  // Every ack within Slack's limit, and in practice far below it.
  assert.equal(
    sample(text, 'slackbot_ack_seconds_bucket', { type: 'event', le: '0.5' }),
    sample(text, 'slackbot_ack_seconds_count', { type: 'event' }),
  );
  assert.equal(sample(text, 'slackbot_claude_requests_total', { ...m, outcome: 'ok' }), 1);
  assert.equal(claude.requests.length, 1, 'the second, identical question came from the cache');
  assert.equal(sample(text, 'slackbot_answer_cache_total', { result: 'miss' }), 1);
  assert.equal(sample(text, 'slackbot_answer_cache_total', { result: 'hit' }), 1);
  assert.equal(sample(text, 'slackbot_single_flight_joins_total'), 0);
  const ttft = sample(text, 'slackbot_claude_first_token_seconds_sum', m) ?? 0;
  const total = sample(text, 'slackbot_claude_generation_seconds_sum', m) ?? 0;
  assert.ok(ttft >= 0.05 && ttft <= total, `first token ${ttft}s, generation ${total}s`);
  const input = sample(text, 'slackbot_claude_tokens_total', { ...m, type: 'input' }) ?? 0;
  const output = sample(text, 'slackbot_claude_tokens_total', { ...m, type: 'output' }) ?? 0;
  assert.ok(input > 0 && output > 0, `tokens in ${input}, out ${output}`);
  const cost = sample(text, 'slackbot_claude_cost_usd_total', m) ?? 0;
  assert.ok(Math.abs(cost - (input * 3 + output * 15) / 1e6) < 1e-9, `cost ${cost}`);
  assert.equal(sample(text, 'slackbot_claude_queue_wait_seconds_count'), 1);
  assert.equal(sample(text, 'slackbot_claude_queue_waiting'), 0);
  assert.equal(sample(text, 'slackbot_claude_queue_running'), 0);
  assert.equal(sample(text, 'slackbot_claude_breaker_state'), 0);
  assert.equal(sample(text, 'slackbot_slack_api_rate_limited_total', { method: 'chat.startStream' }), 1);
  assert.equal(
    sample(text, 'slackbot_slack_api_calls_total', { method: 'chat.startStream', outcome: 'error' }),
    1,
  );
  // Past a refused start the workspace's stream budget counts as spent: both answers are posted.
  assert.equal(
    sample(text, 'slackbot_slack_api_calls_total', { method: 'chat.startStream', outcome: 'ok' }),
    undefined,
  );
  assert.equal(
    sample(text, 'slackbot_slack_api_calls_total', { method: 'chat.postMessage', outcome: 'ok' }),
    2,
  );
  assert.equal(sample(text, 'slackbot_answers_total', { outcome: 'ok', source: 'claude' }), 1);
  assert.equal(sample(text, 'slackbot_answers_total', { outcome: 'ok', source: 'cache' }), 1);
  assert.equal(sample(text, 'slackbot_events_total', { kind: 'mention' }), 2);
});

test('a failed Claude call is counted by its error kind, and the breaker opens after repeated failures', async (t) => {
  const { sim, claude, port } = await startRig(t, { env: { CLAUDE_MODEL: 'claude-haiku-5-5' } });
  claude.setResponder(() => ({ status: 529 }));
  for (let i = 0; i < 6; i++) {
    const { message } = await sim.post({
      user: 'U0BOB',
      channel: 'C0GENERAL',
      text: `<@${sim.botUserId}> q${i}`,
    });
    await waitForReplies(sim, 'C0GENERAL', message.ts);
  }
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const overloaded = sample(text, 'slackbot_claude_requests_total', {
    model: 'claude-haiku-5-5',
    outcome: 'overloaded',
  });
  assert.ok((overloaded ?? 0) >= 5, `overloaded calls counted: ${overloaded}`);
  assert.equal(sample(text, 'slackbot_claude_breaker_state'), 2, 'breaker open');
  assert.equal(
    sample(text, 'slackbot_claude_requests_total', { model: 'claude-haiku-5-5', outcome: 'ok' }),
    undefined,
  );
});
