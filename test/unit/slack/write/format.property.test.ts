import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  createStreamFormatter,
  formatMarkdownForSlack,
  markdownToMrkdwn,
} from '../../../../src/slack/write/format.js';
import { splitMarkdown } from '../../../../src/slack/write/split.js';
import { MASS_MENTION } from '../../../support/mass-mention.js';

/**
 * Properties of the Markdown → Slack conversion over generated input: it never throws, never lets
 * a mass mention through, streams to the same result however the text is cut, and splits within
 * the limit. Inputs are built from the pieces that matter (mention syntax, Markdown markers, tables,
 * fences, surrogates) mixed with arbitrary text.
 */

const PIECES = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!here|here>',
  '<!channel|@channel>',
  '<!subteam^S0TEAM|@team>',
  '<!subteam^S0TEAM>',
  '<!group>',
  '<!date^1700000000^{date}|today>',
  '<!',
  '<',
  '>',
  '!',
  '@',
  '|',
  '^',
  '@channel',
  '@here',
  '@everyone',
  '@ChAnNeL',
  'channel',
  'here',
  'everyone',
  'subteam',
  '[',
  ']',
  '(',
  ')',
  '[@here](https://x.test)',
  '<https://x.test|@channel>',
  '<mailto:a@b.test|@here>',
  '<@U0BOB>',
  '<#C0GEN|general>',
  '*',
  '**',
  '_',
  '__',
  '~~',
  '`',
  '```',
  '```js',
  '~~~',
  '\n',
  '\n\n',
  ' ',
  '  ',
  '\t',
  '| a | b |',
  '|---|---|',
  '| @here | <!channel> |',
  '# ',
  '- ',
  '> ',
  '1. ',
  '---',
  'https://example.test/a_b*c',
  '&',
  '&amp;',
  '&lt;',
  '重要',
  '**重要**です',
  '😀',
  '👩‍💻',
  '\uD83D',
  '\uDE00',
  '\u200B',
  '\\',
  '\\*',
  'text',
  'word ',
];

const markdown = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...PIECES) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
    ),
    {
      maxLength: 60,
    },
  )
  .map((parts) => parts.join(''));

const RUNS = { numRuns: 400 };

/**
 * Hostile model output: long runs of one piece (past the 2,000-character line and 1,000-character
 * token bounds) between ordinary pieces, so lines and tokens cross those bounds at any point.
 */
const HOSTILE_PIECES = [
  '@',
  '*',
  '_',
  '`',
  '|',
  '>',
  '~',
  '[',
  '(',
  '<',
  '&',
  '\\',
  ' ',
  '<!',
  '[@',
  '`a',
  '**a',
  '| ',
];
const hostile = fc
  .array(
    fc.oneof(
      fc
        .tuple(fc.constantFrom(...HOSTILE_PIECES), fc.integer({ min: 1, max: 2600 }))
        .map(([p, n]) => p.repeat(n)),
      fc.constantFrom(...PIECES),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((parts) => parts.join(''));

test('the mass-mention detector used below catches every form', () => {
  for (const m of [
    '<!channel>',
    '<!here|here>',
    '<!EVERYONE>',
    '<!subteam^S1|@t>',
    '@here',
    'hi @channel!',
    '(@everyone)',
  ])
    assert.match(m, MASS_MENTION, m);
  for (const m of [`@\u200Bhere`, 'mail@here.test', '&lt;!channel&gt;', '@hereafter'])
    assert.doesNotMatch(m, MASS_MENTION, m);
});

for (const convert of [formatMarkdownForSlack, markdownToMrkdwn]) {
  test(`${convert.name} never throws and never emits a mass mention`, () => {
    fc.assert(
      fc.property(markdown, (md) => {
        const out = convert(md);
        assert.doesNotMatch(out, MASS_MENTION, JSON.stringify({ md, out }));
      }),
      RUNS,
    );
  });
}

test('the stream formatter gives the same text however the stream is cut, and no mass mention', () => {
  fc.assert(
    fc.property(markdown, fc.array(fc.nat(), { maxLength: 12 }), (md, cuts) => {
      const points = [...new Set(cuts.map((c) => c % (md.length + 1)))].sort((a, b) => a - b);
      const f = createStreamFormatter();
      let out = '';
      let from = 0;
      for (const at of [...points, md.length]) {
        out += f.push(md.slice(from, at));
        from = at;
      }
      out += f.end();
      assert.equal(out, formatMarkdownForSlack(md));
      assert.doesNotMatch(out, MASS_MENTION);
    }),
    RUNS,
  );
});

test('hostile output: streamed in deltas or cut anywhere, the same text as whole, no mass mention', () => {
  fc.assert(
    fc.property(
      hostile,
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.integer({ min: 1, max: 64 }),
      (md, cuts, delta) => {
        const whole = formatMarkdownForSlack(md);
        assert.doesNotMatch(whole, MASS_MENTION);
        assert.doesNotMatch(markdownToMrkdwn(md), MASS_MENTION);
        const inDeltas = createStreamFormatter();
        let out = '';
        for (let at = 0; at < md.length; at += delta) out += inDeltas.push(md.slice(at, at + delta));
        assert.equal(out + inDeltas.end(), whole);
        const points = [...new Set(cuts.map((c) => c % (md.length + 1)))].sort((a, b) => a - b);
        const cut = createStreamFormatter();
        out = '';
        let from = 0;
        for (const at of [...points, md.length]) {
          out += cut.push(md.slice(from, at));
          from = at;
        }
        assert.equal(out + cut.end(), whole);
      },
    ),
    { numRuns: 60 },
  );
});

/** A lone surrogate: half a character. */
const HALF_CHARACTER = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

test('splitMarkdown keeps every part within the limits, drops only whitespace, never a blank part', () => {
  const bytes = fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 4, max: 120 }));
  fc.assert(
    fc.property(markdown, fc.integer({ min: 1, max: 60 }), bytes, (md, max, maxBytes) => {
      const parts = splitMarkdown(md, max, maxBytes);
      for (const p of parts) {
        assert.ok(p.length <= max, `part of ${p.length} > ${max}`);
        assert.ok(Buffer.byteLength(p) <= maxBytes, `part of ${Buffer.byteLength(p)} bytes > ${maxBytes}`);
        assert.notEqual(p.trim(), '', 'no whitespace-only part');
        // Only a one-character limit may split a surrogate pair the input had.
        if (max > 1 && !HALF_CHARACTER.test(md)) assert.doesNotMatch(p, HALF_CHARACTER);
      }
      // Nothing but whitespace and the fence lines added at split points may differ.
      const words = (s: string) => s.replace(/\s+/g, '');
      const joined = words(parts.join(''));
      if (!/```|~~~/.test(md)) assert.equal(joined, words(md));
    }),
    RUNS,
  );
});

test('a formatted answer split at the Slack markdown limit stays safe in every part', () => {
  fc.assert(
    fc.property(fc.array(markdown, { minLength: 1, maxLength: 40 }), (chunks) => {
      const parts = splitMarkdown(formatMarkdownForSlack(chunks.join('\n')), 500);
      for (const p of parts) {
        assert.ok(p.length <= 500);
        assert.doesNotMatch(p, MASS_MENTION);
      }
    }),
    { numRuns: 100 },
  );
});
