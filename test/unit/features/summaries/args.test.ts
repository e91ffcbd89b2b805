import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_COUNT, parseSummarizeArgs, usageText } from '../../../../src/features/summaries/args.js';

test('no argument: the last 24 hours, privately', () => {
  const a = parseSummarizeArgs('');
  assert.equal(a.kind, 'summarize');
  if (a.kind !== 'summarize') return;
  assert.equal(a.public, false);
  assert.deepEqual(a.window, { kind: 'duration', seconds: 86_400, label: 'the last 24 hours', key: '24h' });
  assert.deepEqual(parseSummarizeArgs('   '), a);
});

test('counts, durations, public and help', () => {
  assert.deepEqual(parseSummarizeArgs('200'), {
    kind: 'summarize',
    public: false,
    window: { kind: 'count', count: 200, label: 'the last 200 messages', key: 'n200' },
  });
  const cases: Array<[string, number, string]> = [
    ['3h', 3 * 3600, 'the last 3 hours'],
    ['2d', 2 * 86_400, 'the last 2 days'],
    ['1w', 604_800, 'the last week'],
    ['90m', 90 * 60, 'the last 90 minutes'],
    ['3 hours', 3 * 3600, 'the last 3 hours'],
    ['1 day', 86_400, 'the last day'],
    ['2D', 2 * 86_400, 'the last 2 days'],
  ];
  for (const [text, seconds, label] of cases) {
    const a = parseSummarizeArgs(text);
    assert.ok(a.kind === 'summarize' && a.window.kind === 'duration', text);
    assert.equal(a.window.seconds, seconds, text);
    assert.equal(a.window.label, label, text);
  }
  const pub = parseSummarizeArgs('public 3h');
  assert.ok(pub.kind === 'summarize' && pub.public && pub.window.key === '3h');
  const pub2 = parseSummarizeArgs('200 PUBLIC');
  assert.ok(pub2.kind === 'summarize' && pub2.public && pub2.window.key === 'n200');
  assert.deepEqual(parseSummarizeArgs('help'), { kind: 'help' });
  assert.deepEqual(parseSummarizeArgs('HELP me'), { kind: 'help' });
});

test('message links select that thread, with or without Slack’s angle brackets', () => {
  const plain = parseSummarizeArgs('https://acme.slack.com/archives/C0GENERAL/p1732550400000100');
  assert.ok(plain.kind === 'summarize' && plain.window.kind === 'thread');
  assert.equal(plain.window.channelId, 'C0GENERAL');
  assert.equal(plain.window.ts, '1732550400.000100');
  // A link to a reply names the thread it belongs to.
  const reply = parseSummarizeArgs(
    '<https://acme.slack.com/archives/G0PRIVATE/p1732550500000200?thread_ts=1732550400.000100&cid=G0PRIVATE> public',
  );
  assert.ok(reply.kind === 'summarize' && reply.window.kind === 'thread' && reply.public);
  assert.equal(reply.window.ts, '1732550400.000100');
  assert.equal(reply.window.channelId, 'G0PRIVATE');
});

test('bad input gives a short reason, never a guess', () => {
  const bad = [
    '0',
    String(MAX_COUNT + 1),
    '-5',
    '3x',
    '0h',
    '91d',
    '14w',
    'yesterday',
    '200 3h',
    '3h 2d',
    'https://example.com/not-a-slack-link',
    'https://acme.slack.com/archives/C0GENERAL/p12',
    '<@U0ALICE>',
    'a b c d e f g',
  ];
  for (const text of bad) {
    const a = parseSummarizeArgs(text);
    assert.equal(a.kind, 'error', `${text} → ${JSON.stringify(a)}`);
    if (a.kind === 'error') assert.ok(a.message.length > 0 && a.message.length < 200, text);
  }
  assert.match(usageText(), /\/summarize 200/);
});

test('fuzz: any text gives a result and never throws', () => {
  // A small deterministic generator (no dependency): mixes pieces that look valid with noise.
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  const pieces = [
    '3',
    'h',
    ' ',
    'public',
    'help',
    '<',
    '>',
    '|',
    'https://x.slack.com/archives/C1/p',
    '9',
    '.',
    'd',
    '\u200B',
    '🙂',
    '\n',
    'w',
    '-',
    '?thread_ts=',
    'm',
  ];
  for (let i = 0; i < 2000; i++) {
    let text = '';
    const len = rand(12);
    for (let j = 0; j < len; j++) text += pieces[rand(pieces.length)];
    const a = parseSummarizeArgs(text);
    assert.ok(['summarize', 'help', 'error'].includes(a.kind), text);
    if (a.kind === 'summarize' && a.window.kind === 'count')
      assert.ok(a.window.count >= 1 && a.window.count <= MAX_COUNT);
  }
  for (const odd of [undefined, null, 42, {}, 'x'.repeat(100_000)] as unknown[]) {
    assert.doesNotThrow(() => parseSummarizeArgs(odd));
  }
});
