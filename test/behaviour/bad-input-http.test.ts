import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { slackSignature } from '../../sandbox/slack/sim.js';
import { type Rig, startRig } from '../support/rig.js';
import { visibleText, waitForReplies } from '../support/visible.js';

/**
 * Bad input, transport side: raw request bodies (signed correctly, so they pass the signature check
 * and reach the parser) and odd slash command text. Each case asserts the HTTP status or the
 * ephemeral text the person sees, that Claude got no call, and that a normal question is answered after it.
 */

type Body = string | Buffer;

/** POSTs a body signed with the workspace's signing secret (over the exact bytes sent). */
async function signedPost(
  r: Rig,
  body: Body,
  contentType: string | undefined,
  path = '/slack/events',
  chunked = false,
) {
  const ts = Math.floor(Date.now() / 1000);
  const signature =
    typeof body === 'string'
      ? slackSignature(r.sim.signingSecret, ts, body)
      : `v0=${createHmac('sha256', r.sim.signingSecret).update(`v0:${ts}:`).update(body).digest('hex')}`;
  const headers: Record<string, string> = {
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': signature,
  };
  if (contentType) headers['content-type'] = contentType;
  // A stream body goes out chunked, without content-length: the size is only known while reading.
  const sent = chunked ? new Blob([body]).stream() : body;
  const res = await fetch(`http://127.0.0.1:${r.port}${path}`, {
    method: 'POST',
    headers,
    body: sent,
    duplex: 'half',
  });
  return { status: res.status, text: await res.text() };
}

interface HttpCase {
  name: string;
  body: (r: Rig) => Body;
  contentType?: string;
  path?: string;
  chunked?: boolean;
  /** Accepted statuses: what Slack (or a client) would see. */
  status: number[];
  /** Text the response must contain. */
  contains?: string;
}

const json = 'application/json';
const form = 'application/x-www-form-urlencoded';
const event = (e: unknown) =>
  JSON.stringify({ type: 'event_callback', team_id: 'T0SIM', event_id: 'Ev0RAW', event: e });

const httpCases: HttpCase[] = [
  {
    name: 'malformed JSON',
    body: () => '{"type": "event_callback", "event": {',
    contentType: json,
    status: [400, 500],
  },
  {
    name: 'JSON that is a string',
    body: () => '"just a string"',
    contentType: json,
    status: [200, 400, 404, 500],
  },
  { name: 'JSON null', body: () => 'null', contentType: json, status: [400, 404, 500] },
  { name: 'an empty body', body: () => '', contentType: json, status: [400, 500] },
  {
    name: 'wrong content type (text/plain) with JSON',
    body: () => event({ type: 'x' }),
    contentType: 'text/plain',
    status: [200, 400, 404, 500],
  },
  {
    name: 'no content type',
    body: () => event({ type: 'x' }),
    contentType: undefined,
    status: [200, 400, 404, 500],
  },
  {
    name: 'form body whose payload is not JSON',
    body: () => 'payload=%7Bnot-json',
    contentType: form,
    status: [400, 500],
  },
  {
    name: 'form body without a payload',
    body: () => 'a=1&b=2',
    contentType: form,
    status: [200, 400, 404, 500],
  },
  {
    name: 'non-UTF-8 bytes',
    body: () => Buffer.from([0xff, 0xfe, 0x7b, 0x22, 0xc3, 0x28, 0xa0, 0xa1, 0x7d]),
    contentType: json,
    status: [400, 401, 500],
  },
  {
    name: 'a 2 MB body',
    body: () => event({ type: 'app_mention', text: 'x'.repeat(2 * 1024 * 1024) }),
    contentType: json,
    status: [413],
  },
  {
    name: 'a 2 MB body sent chunked (no content-length)',
    body: () => event({ type: 'app_mention', text: 'y'.repeat(2 * 1024 * 1024) }),
    contentType: json,
    chunked: true,
    status: [413],
  },
  { name: 'form body with payload=null', body: () => 'payload=null', contentType: form, status: [400] },
  {
    name: 'JSON nested 100,000 levels deep (under the size limit)',
    body: () => `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    contentType: json,
    status: [400, 404, 500],
  },
  {
    name: 'an event with 50,000 extra fields',
    body: () =>
      event({
        type: 'app_mention',
        ...Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i])),
      }),
    contentType: json,
    status: [200],
  },
  {
    name: 'url_verification (Slack checking the request URL)',
    body: () => JSON.stringify({ type: 'url_verification', challenge: 'chal-123', token: 'x' }),
    contentType: json,
    status: [200],
    contains: 'chal-123',
  },
  {
    name: 'an unknown envelope type',
    body: () => JSON.stringify({ type: 'mystery_envelope' }),
    contentType: json,
    status: [200, 400, 404, 500],
  },
  {
    name: 'a POST to an unknown path',
    body: () => event({ type: 'x' }),
    contentType: json,
    path: '/slack/other',
    status: [404],
  },
];

interface CommandCase {
  name: string;
  text: string;
  /** What the person sees privately. */
  expect: RegExp;
}

const commandCases: CommandCase[] = [
  { name: 'unknown word', text: 'banana', expect: /did not understand “banana”[\s\S]*\/summarize/ },
  { name: 'help', text: 'help', expect: /summarizes recent conversation/ },
  { name: 'count 0', text: '0', expect: /between 1 and 1000/ },
  { name: 'count too large', text: '99999', expect: /between 1 and 1000/ },
  { name: 'window too long', text: '1000d', expect: /between 1 minute and 90 days/ },
  { name: 'two windows', text: '2h 3d', expect: /one window at most/ },
  { name: 'too many words', text: 'a b c d e f g', expect: /more arguments than I understand/ },
  {
    name: 'a mass mention as the argument',
    text: '<!channel>',
    expect: /did not understand “&lt;!channel&gt;”/,
  },
  { name: '@here as the argument', text: '@here', expect: /did not understand “@\u200bhere”/ },
  { name: '10,000 characters', text: 'z'.repeat(10_000), expect: /did not understand “z{80}”/ },
  { name: 'control characters', text: '\u0000\u0007', expect: /did not understand/ },
  {
    name: 'a link to a non-Slack site',
    text: 'https://example.com/archives/C0GENERAL/p1700000000000100x',
    expect: /did not understand/,
  },
];

async function stillAnswers(r: Rig, label: string) {
  const { message } = await r.sim.post({
    user: 'U0BOB',
    channel: 'C0GENERAL',
    text: `<@${r.sim.botUserId}> ok after ${label}?`,
  });
  const [reply] = await waitForReplies(r.sim, 'C0GENERAL', message.ts);
  assert.ok(reply && visibleText(reply).length > 0);
}

test(`bad input: ${httpCases.length} raw HTTP bodies → a 4xx/5xx or a harmless 200, no Claude call, still answering`, async (t) => {
  const r = await startRig(t, { env: { CLAUDE_REQUESTS_PER_MINUTE: '10000' } });
  r.claude.setResponder(() => ({ text: 'Still here.' }));
  for (const c of httpCases) {
    await t.test(c.name, async () => {
      const before = r.claude.requests.length;
      const res = await signedPost(r, c.body(r), c.contentType, c.path, c.chunked);
      assert.ok(c.status.includes(res.status), `status ${res.status}, expected one of ${c.status}`);
      if (c.contains) assert.ok(res.text.includes(c.contains));
      await stillAnswers(r, c.name);
      assert.equal(r.claude.requests.length - before, 1, 'only the follow-up reached Claude');
    });
  }
});

test(`bad input: ${commandCases.length} odd /summarize arguments → the usage answer, privately, no Claude call`, async (t) => {
  const r = await startRig(t, { env: { CLAUDE_REQUESTS_PER_MINUTE: '10000' } });
  r.claude.setResponder(() => ({ text: 'Still here.' }));
  for (const c of commandCases) {
    await t.test(c.name, async () => {
      const before = r.claude.requests.length;
      const res = await r.sim.slashCommand({
        user: 'U0ALICE',
        channel: 'C0GENERAL',
        command: '/summarize',
        text: c.text,
      });
      assert.equal(res.status, 200);
      const seen = r.sim.ephemerals({ user: 'U0ALICE' }).at(-1);
      assert.equal(seen?.via, 'ack');
      assert.match(seen?.text ?? '', c.expect);
      assert.doesNotMatch(seen?.text ?? '', /<!|@(channel|here|everyone)\b/);
      await stillAnswers(r, c.name);
      assert.equal(r.claude.requests.length - before, 1, 'only the follow-up reached Claude');
    });
  }
});
