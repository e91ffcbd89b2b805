import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  MAX_COUNT,
  MAX_DURATION_SECONDS,
  parseSummarizeArgs,
  usageText,
} from '../../../../src/features/summaries/args.js';
import { MASS_MENTION } from '../../../support/mass-mention.js';

const TOKENS = [
  'help',
  'public',
  '200',
  '0',
  '1000',
  '1001',
  '3h',
  '3 h',
  '90d',
  '91d',
  '2w',
  '15min',
  '1m',
  '999999d',
  '<!channel>',
  '<!here>',
  '@here',
  '@channel',
  '@everyone',
  '<!subteam^S1|@team>',
  '<',
  '>',
  '&',
  'https://acme.slack.com/archives/C0GENERAL/p1700000000000100',
  '<https://acme.slack.com/archives/C0GENERAL/p1700000000000100?thread_ts=1700000000.000100&cid=C0GENERAL|link>',
  'https://acme.slack.com/archives/D0ALICE/p1700000000000100',
  '-h',
  '?',
  '--help',
  '😀',
  '\uD83D',
  '\u0000',
];

const args = fc
  .array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ unit: 'binary', maxLength: 20 })), { maxLength: 9 })
  .map((parts) => parts.join(' '));

test('parseSummarizeArgs never throws, on any value', () => {
  fc.assert(
    fc.property(fc.oneof(args, fc.anything()), (input) => {
      const r = parseSummarizeArgs(input);
      assert.ok(['help', 'summarize', 'error'].includes(r.kind));
    }),
    { numRuns: 500 },
  );
});

test('what /summarize answers never contains a mass mention and fits one Slack message', () => {
  const usage = usageText();
  fc.assert(
    fc.property(args, (text) => {
      const r = parseSummarizeArgs(text);
      const shown =
        r.kind === 'error' ? `${r.message}\n\n${usage}` : r.kind === 'summarize' ? r.window.label : usage;
      assert.doesNotMatch(shown, MASS_MENTION, JSON.stringify({ text, shown }));
      // An ephemeral ack shows up to 3,000 characters of text without truncation.
      assert.ok(shown.length <= 3000);
    }),
    { numRuns: 500 },
  );
});

test('accepted windows stay within the documented bounds', () => {
  fc.assert(
    fc.property(args, (text) => {
      const r = parseSummarizeArgs(text);
      if (r.kind !== 'summarize') return;
      const w = r.window;
      if (w.kind === 'count') assert.ok(w.count >= 1 && w.count <= MAX_COUNT);
      if (w.kind === 'duration') assert.ok(w.seconds >= 60 && w.seconds <= MAX_DURATION_SECONDS);
      if (w.kind === 'thread') assert.match(w.ts, /^\d{10}\.\d{6}$/);
      assert.match(w.key, /^[\w:.]+$/);
    }),
    { numRuns: 500 },
  );
});
