import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FakeReply } from '../../sandbox/claude/fake-anthropic.js';
import { startRig } from '../support/rig.js';
import { botReplies, mention, visibleText } from '../support/visible.js';

const cases: Array<{ name: string; replies: FakeReply[]; expect: RegExp; env?: Record<string, string> }> = [
  {
    name: 'rate limit (429)',
    replies: [{ status: 429, headers: { 'retry-after': '1' } }],
    expect: /more requests than/,
  },
  { name: 'overload (529)', replies: [{ status: 529 }, { status: 529 }], expect: /overloaded/ },
  {
    name: 'server error (500)',
    replies: [{ status: 500 }, { status: 500 }],
    expect: /unavailable right now/,
  },
  {
    name: 'invalid request (400)',
    replies: [{ status: 400, errorMessage: 'messages: bad' }],
    expect: /could not process/,
  },
  { name: 'rejected key (401)', replies: [{ status: 401 }], expect: /API key was rejected/ },
  {
    name: 'time to first token',
    replies: [{ hang: true }, { hang: true }],
    expect: /took too long/,
    env: { CLAUDE_FIRST_TOKEN_TIMEOUT_MS: '1000' },
  },
];

for (const c of cases) {
  test(`${c.name} → a short friendly message in the thread, with a reference`, async (t) => {
    const { sim, claude } = await startRig(t, { env: c.env });
    claude.enqueue(...c.replies);
    const message = await mention(sim, 'hello?');
    const reply = await sim.waitFor(
      () => botReplies(sim, 'C0GENERAL', message.ts).find((m) => c.expect.test(visibleText(m))),
      {
        what: `the ${c.name} message`,
      },
    );
    const seen = visibleText(reply);
    assert.match(seen, /Reference: Ev/);
    assert.doesNotMatch(seen, /Error:|\bat \w+ \(|\{"|stack/i, 'no stack trace or raw JSON');
    assert.ok(seen.length < 300, 'short');
    assert.equal(botReplies(sim, 'C0GENERAL', message.ts).length, 1, 'one message, no half-written answer');
  });
}

for (const fault of ['breakAfterChars', 'sseErrorAfterChars'] as const) {
  test(`a stream that breaks midway (${fault}) keeps the text shown, marks it interrupted and says why`, async (t) => {
    const { sim, claude } = await startRig(t);
    const text = 'The first part of the answer arrives. '.repeat(5);
    claude.enqueue({ text, chunkSize: 10, [fault]: 60 });
    const message = await mention(sim, 'explain');
    const replies = await sim.waitFor(
      () => {
        const r = botReplies(sim, 'C0GENERAL', message.ts);
        return r.length >= 2 && r.every((m) => !m.streaming) ? r : undefined;
      },
      { what: 'partial answer and error notice' },
    );
    const partial = visibleText(replies[0]!);
    assert.ok(partial.startsWith('The first part of the answer'), 'shown text kept');
    assert.match(partial, /interrupted/);
    assert.match(visibleText(replies[1]!), /Reference:/);
    assert.equal(claude.requests.length, 1, 'a stream that already showed text is not retried');
  });
}

test('a stream that goes silent midway ends within the first-token limit, not the overall one, keeping the text shown', async (t) => {
  const { sim, claude } = await startRig(t, {
    env: { CLAUDE_FIRST_TOKEN_TIMEOUT_MS: '1000', CLAUDE_TIMEOUT_MS: '600000' },
  });
  const text = 'The first part of the answer arrives. '.repeat(5);
  claude.enqueue({ text, chunkSize: 10, stallAfterChars: 60 });
  const message = await mention(sim, 'explain slowly');
  const replies = await sim.waitFor(
    () => {
      const r = botReplies(sim, 'C0GENERAL', message.ts);
      return r.length >= 2 && r.every((m) => !m.streaming) ? r : undefined;
    },
    { what: 'partial answer and error notice', timeoutMs: 10_000 },
  );
  const partial = visibleText(replies[0]!);
  assert.ok(partial.startsWith('The first part of the answer'), 'shown text kept');
  assert.match(partial, /interrupted/);
  assert.match(visibleText(replies[1]!), /Reference:/);
  assert.equal(claude.requests.length, 1);
});

test('a stream that breaks before any text is retried once, and the user sees only the answer', async (t) => {
  const { sim, claude } = await startRig(t, { env: { CLAUDE_MAX_RETRIES: '1' } });
  claude.enqueue({ text: 'never shown', breakAfterChars: 0 }, { text: 'Second time lucky.' });
  const message = await mention(sim, 'try');
  const reply = await sim.waitFor(
    () =>
      botReplies(sim, 'C0GENERAL', message.ts).find(
        (m) => !m.streaming && visibleText(m) === 'Second time lucky.',
      ),
    { what: 'the retried answer' },
  );
  assert.ok(reply);
  assert.equal(claude.requests.length, 2);
  assert.equal(botReplies(sim, 'C0GENERAL', message.ts).length, 1);
});

test('a single message too large for the context budget gets a clear reply and no Claude call', async (t) => {
  const { sim, claude } = await startRig(t, { env: { CLAUDE_CONTEXT_TOKENS: '2000' } });
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> ${'please read all of this. '.repeat(600)}`,
  });
  const reply = await sim.waitFor(
    () =>
      botReplies(sim, 'C0GENERAL', message.ts).find((m) => /too long for me to read/.test(visibleText(m))),
    { what: 'the too-long reply' },
  );
  assert.match(visibleText(reply), /shorten it/);
  assert.equal(claude.requests.length, 0);
});

test('a 429 is retried through the queue after retry-after, within CLAUDE_MAX_RETRIES', async (t) => {
  const { sim, claude } = await startRig(t, { env: { CLAUDE_MAX_RETRIES: '2' } });
  claude.enqueue(
    { status: 429, headers: { 'retry-after': '0' } },
    { status: 529 },
    { status: 529 },
    { text: 'never reached' },
  );
  const message = await mention(sim, 'busy?');
  const reply = await sim.waitFor(
    () => botReplies(sim, 'C0GENERAL', message.ts).find((m) => /Reference:/.test(visibleText(m))),
    { what: 'the overloaded message after the retries', timeoutMs: 15_000 },
  );
  assert.match(visibleText(reply), /overloaded/);
  assert.equal(claude.requests.length, 3, 'one attempt plus two retries, no more');
});
