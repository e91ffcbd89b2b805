import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createStreamFormatter,
  formatMarkdownForSlack,
  markdownToMrkdwn,
  neutralizeMentions,
} from '../../../../src/slack/write/format.js';
import { splitMarkdown } from '../../../../src/slack/write/split.js';

const Z = '\u200B';
const FENCE = '```';

/** Small seeded PRNG so that failures of the randomised tests can be reproduced. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function streamed(chunks: string[]): { outputs: string[]; text: string } {
  const formatter = createStreamFormatter();
  const outputs = chunks.map((chunk) => formatter.push(chunk));
  outputs.push(formatter.end());
  return { outputs, text: outputs.join('') };
}

// Exercises every rule that holds text back, plus surrogate pairs that a split could cut in half.
const DOCUMENT = [
  '# 見出し **Heading** <!here>',
  '',
  'Hello @channel and @Everyone, not a@here.com or @hereafter. <@U123> stays; <!subteam^S1|@devs> too.',
  'これは**重要**です。_強調_と~~取消~~、`**コード**です` and *italic* text 😀 𠀋**太字**.',
  'Links: [@channel](https://x.test) <https://y.test|@here> [docs](https://z.test/a_(b)) a < b > c & d <b>.',
  '',
  '| 名前 | **Score** | Note |',
  '|:---|---:|:-:|',
  '| 太郎 | 10 | `a|b` |',
  '| Bob | 7 | <!channel> @**here** |',
  'after the table',
  '  | only | a pipe line |',
  '',
  '```python',
  'print("**x**です <!everyone>")',
  '| not | a | table |',
  '|---|---|---|',
  '```',
  '~~~',
  'tilde ~~fence~~ 中*文*',
  '~~~',
  '- item with `code` and **bold**',
  '  - nested *it*',
  '> quote with @here',
  'unclosed `tick and **star 中',
  '| x | y |',
  '|---|---|',
  '| 1 | 2 |',
].join('\n');

describe('neutralizeMentions', () => {
  it('defuses Slack special mentions into readable text', () => {
    assert.equal(
      neutralizeMentions('<!channel> <!here> <!everyone>'),
      `@${Z}channel @${Z}here @${Z}everyone`,
    );
    assert.equal(neutralizeMentions('<!channel|@channel> hi'), `@${Z}channel hi`);
    assert.equal(
      neutralizeMentions('<!subteam^S123>, <!subteam^S123|@team-ops>'),
      `@${Z}team, @${Z}team-ops`,
    );
    assert.equal(neutralizeMentions('<!date^1392734382^{date}|Feb 18, 2014>'), 'Feb 18, 2014');
  });

  it('breaks every other `<!` without hiding it, so HTML in code samples stays readable', () => {
    assert.equal(neutralizeMentions('<!DOCTYPE html><!-- x -->'), `<${Z}!DOCTYPE html><${Z}!-- x -->`);
    assert.equal(neutralizeMentions('<!here-ish> <!'), `<${Z}!here-ish> <${Z}!`);
  });

  it('cannot be tricked into assembling a mention from the pieces it removes', () => {
    assert.equal(neutralizeMentions('<!here|<!date^1|x>>'), `<${Z}!here|x>`);
    assert.equal(neutralizeMentions('@<!date^1|here>'), `@${Z}here`);
    assert.equal(neutralizeMentions('<<!date^1|!here>>'), `<${Z}!here>`);
  });

  it('defuses plain mass-mention words at a word boundary, any case', () => {
    assert.equal(
      neutralizeMentions('@here @HERE @Channel, @everyone.'),
      `@${Z}here @${Z}HERE @${Z}Channel, @${Z}everyone.`,
    );
    assert.equal(
      neutralizeMentions('@hereafter mail me at ops@here.com'),
      '@hereafter mail me at ops@here.com',
    );
    assert.equal(
      neutralizeMentions('`<!here>` and\n```\n@channel\n```'),
      `\`@${Z}here\` and\n${FENCE}\n@${Z}channel\n${FENCE}`,
    );
  });

  it('defuses link labels that look like mentions', () => {
    assert.equal(neutralizeMentions('<https://x.test|@here>'), `<https://x.test|@${Z}here>`);
    assert.equal(neutralizeMentions('<https://x.test|@alice>'), `<https://x.test|@${Z}alice>`);
    assert.equal(neutralizeMentions('[@channel](https://x.test)'), `[@${Z}channel](https://x.test)`);
    assert.equal(neutralizeMentions('[@bob](https://x.test)'), `[@${Z}bob](https://x.test)`);
  });

  it('keeps user and channel mentions and is idempotent', () => {
    const text = '<@U123> in <#C42|general> see <https://x.test|docs>';
    assert.equal(neutralizeMentions(text), text);
    const once = neutralizeMentions(DOCUMENT);
    assert.equal(neutralizeMentions(once), once);
  });
});

describe('formatMarkdownForSlack', () => {
  it('leaves ordinary Markdown for Slack to render', () => {
    const md = '# Title\n\n**bold** _it_ [link](https://x.test) `code`\n- a\n  - b\n1. one\n> quote\n';
    assert.equal(formatMarkdownForSlack(md), md);
  });

  it('turns a table with CJK cells into an aligned code block', () => {
    const md = 'Intro\n| 名前 | **Age** |\n|---|--:|\n| 太郎 | 3 |\n| [Bob](https://b.test) | 42 |\nEnd';
    const expected = [
      'Intro',
      FENCE,
      '名前                 | Age',
      '---------------------+----',
      '太郎                 |   3',
      'Bob (https://b.test) |  42',
      FENCE,
      'End',
    ].join('\n');
    assert.equal(formatMarkdownForSlack(md), expected);
  });

  it('defuses mentions that table cells would otherwise rebuild', () => {
    const out = formatMarkdownForSlack('| a |\n|---|\n| @**here** |');
    assert.equal(out, `${FENCE}\na\n-----\n@${Z}here\n${FENCE}`);
  });

  it('leaves pipe lines that are not a table, and tables inside code', () => {
    assert.equal(formatMarkdownForSlack('| just | pipes |\n'), '| just | pipes |\n');
    const code = `${FENCE}\n| a | b |\n|---|---|\n${FENCE}`;
    assert.equal(formatMarkdownForSlack(code), code);
  });

  it('separates emphasis markers from CJK text outside code only', () => {
    assert.equal(formatMarkdownForSlack('これは**重要**です'), `これは${Z}**${Z}重要${Z}**${Z}です`);
    assert.equal(
      formatMarkdownForSlack('한국어 ~~취소~~ _기울임_'),
      `한국어 ~~${Z}취소${Z}~~ _${Z}기울임${Z}_`,
    );
    assert.equal(formatMarkdownForSlack('**bold** English'), '**bold** English');
    assert.equal(formatMarkdownForSlack('`**重要**` x'), '`**重要**` x');
    assert.equal(formatMarkdownForSlack(`${FENCE}\n**重要**\n${FENCE}`), `${FENCE}\n**重要**\n${FENCE}`);
  });

  it('neutralises mentions', () => {
    assert.equal(formatMarkdownForSlack('Hey <!here> and @channel'), `Hey @${Z}here and @${Z}channel`);
  });
});

/**
 * Pushes each input into a new stream formatter, checking what it emits right then; then, when
 * `end` is given, what end() emits.
 */
function pushes(steps: Array<[string, string]>, end?: string) {
  const formatter = createStreamFormatter();
  for (const [input, out] of steps) assert.equal(formatter.push(input), out, JSON.stringify(input));
  if (end !== undefined) assert.equal(formatter.end(), end);
}

describe('createStreamFormatter', () => {
  it('emits plain text at once', () => {
    pushes(
      [
        ['Hello there, this is', 'Hello there, this is'],
        [' a plain sentence', ' a plain sentence'],
      ],
      '',
    );
  });

  it('holds back table rows until the table ends', () => {
    pushes([
      ['Intro\n| a | b |\n', 'Intro\n'],
      ['|---|---|\n| 1 ', ''],
      ['| 2 |\n', ''],
      ['Done', `${FENCE}\na | b\n--+--\n1 | 2\n${FENCE}\nDone`],
    ]);
  });

  it('holds back fragments that could become mentions or emphasis', () => {
    pushes(
      [
        ['Ping <!he', 'Ping '],
        ['re> and @ev', `@${Z}here and `],
        ['eryone now ', `@${Z}everyone now `],
        ['これは*', 'これは'],
        ['*重要**', `${Z}**${Z}重要`],
        ['です', `${Z}**${Z}です`],
        ['a < b', 'a < b'],
      ],
      '',
    );
  });

  it('streams code inside a fence without waiting for the line end', () => {
    pushes([
      ['```js\n', '```js\n'],
      ['const a = 1', 'const a = 1'],
    ]);
  });

  it('releases a line of one repeated character as it comes, without waiting for its end', () => {
    const formatter = createStreamFormatter();
    let out = '';
    for (let i = 0; i < 3000; i += 8) out += formatter.push('|'.repeat(8));
    // Past 2,000 characters a line is plain text, not a table row to hold until the table ends.
    assert.ok(out.length >= 2000 && /^\|+$/.test(out), `${out.length} characters out`);
    out += formatter.push('\n| a |\n|---|\n| 1 |\n') + formatter.end();
    // The table after it is still a table.
    assert.equal(out, `${'|'.repeat(3000)}\n${FENCE}\na\n-\n1\n${FENCE}\n`);
  });

  it('reads an unclosed Slack token over 1,000 characters as text, its `<!` defused', () => {
    const formatter = createStreamFormatter();
    const long = `<!here ${'x'.repeat(1000)}`;
    assert.equal(formatter.push(long), `<${Z}!here ${'x'.repeat(1000)}`);
    assert.equal(formatter.push('>') + formatter.end(), '>');
    assert.equal(neutralizeMentions(`<!here ${'x'.repeat(990)}>`), `here ${'x'.repeat(990)}`); // a command, read as text
  });

  it('can be reused after end()', () => {
    const formatter = createStreamFormatter();
    formatter.push('| a |\n|---|\n| 1 |');
    assert.equal(formatter.end(), `${FENCE}\na\n-\n1\n${FENCE}`);
    assert.equal(formatter.end(), '');
    assert.equal(formatter.push('fresh'), 'fresh');
  });

  it('matches formatMarkdownForSlack when split at every position', () => {
    const whole = formatMarkdownForSlack(DOCUMENT);
    for (let at = 0; at <= DOCUMENT.length; at++) {
      const { text } = streamed([DOCUMENT.slice(0, at), DOCUMENT.slice(at)]);
      assert.equal(text, whole, `split at ${at}`);
    }
  });

  it('matches formatMarkdownForSlack for random chunkings and one character at a time', () => {
    const next = random(7);
    const documents = [
      DOCUMENT,
      `${DOCUMENT}\n`,
      DOCUMENT.replace(/\n/g, '\r\n'),
      DOCUMENT.split('\n').reverse().join('\n'),
    ];
    for (const doc of documents) {
      const whole = formatMarkdownForSlack(doc);
      assert.equal(streamed([...doc]).text, whole);
      for (let round = 0; round < 200; round++) {
        const chunks: string[] = [];
        for (let at = 0; at < doc.length; ) {
          const size = 1 + Math.floor(next() * 12);
          chunks.push(doc.slice(at, at + size));
          at += size;
        }
        assert.equal(streamed(chunks).text, whole, JSON.stringify(chunks));
      }
    }
  });
});

describe('markdownToMrkdwn', () => {
  it('converts emphasis, links and images', () => {
    assert.equal(markdownToMrkdwn('**b** __b__ *i* _i_ ~~s~~ ***bi***'), '*b* *b* _i_ _i_ ~s~ *_bi_*');
    assert.equal(markdownToMrkdwn('[Docs](https://x.test/a?b=1&c=2)'), '<https://x.test/a?b=1&c=2|Docs>');
    assert.equal(markdownToMrkdwn('![a cat](https://x.test/cat.png)'), '<https://x.test/cat.png|a cat>');
    assert.equal(
      markdownToMrkdwn('see [**bold** link](https://x.test) now'),
      'see <https://x.test|bold link> now',
    );
  });

  it('converts headings, lists, quotes and rules', () => {
    const md =
      '# Title\n## Sub **x**\n- a\n* b\n+ c\n  - nested\n- [ ] todo\n1. one\n2. two\n> quoted **text**\n---';
    const expected =
      '*Title*\n*Sub x*\n• a\n• b\n• c\n  ◦ nested\n• ☐ todo\n1. one\n2. two\n> quoted *text*\n───';
    assert.equal(markdownToMrkdwn(md), expected);
  });

  it('leaves bare URLs and intraword underscores alone', () => {
    assert.equal(
      markdownToMrkdwn('https://x.test/a__b__c?d=1&e=*2* snake_case_name'),
      'https://x.test/a__b__c?d=1&amp;e=*2* snake_case_name',
    );
    assert.equal(markdownToMrkdwn('**https://x.test/a** and 2 * 3 * 4'), '*https://x.test/a* and 2 * 3 * 4');
  });

  it('escapes &, < and > outside code and Slack tokens', () => {
    assert.equal(markdownToMrkdwn('a < b && c > d'), 'a &lt; b &amp;&amp; c &gt; d');
    const tokens = '<@U123> <#C42|general> <https://x.test|label> <https://y.test>';
    assert.equal(markdownToMrkdwn(tokens), tokens);
    assert.equal(markdownToMrkdwn('`a < b && *c*` x<y'), '`a < b && *c*` x&lt;y');
  });

  it('keeps code blocks untouched but drops the language tag', () => {
    const md = '```ts\nconst x = a < b && **c**;\n```\n~~~\n- not a list\n~~~';
    assert.equal(markdownToMrkdwn(md), '```\nconst x = a < b && **c**;\n```\n```\n- not a list\n```');
  });

  it('turns tables into code blocks', () => {
    const md = '| 名前 | Age |\n|---|---|\n| 太郎 | **3** |';
    assert.equal(markdownToMrkdwn(md), '```\n名前 | Age\n-----+----\n太郎 | 3\n```');
  });

  it('defuses mass mentions, including in link labels', () => {
    const md = '<!here> @channel [@everyone](https://x.test) <https://y.test|@here> `<!channel>`';
    const expected = `@${Z}here @${Z}channel <https://x.test|@${Z}everyone> <https://y.test|@${Z}here> \`@${Z}channel\``;
    assert.equal(markdownToMrkdwn(md), expected);
  });
});

/** Non-whitespace content with fence lines removed: what splitting must preserve, in order. */
function content(text: string): string {
  return text.replace(/^[ \t]*(`{3,}|~{3,}).*$/gm, '').replace(/\s+/g, '');
}

/** Paragraphs, fenced code and over-long words, at most `length` characters, from a seeded PRNG. */
function randomMarkdown(next: () => number, length: number): string {
  const words = [
    'alpha',
    'beta',
    'γάμμα',
    '日本語の文章',
    'a',
    'https://example.test/path?q=1',
    '😀',
    '**bold**',
  ];
  const pick = (count: number, separator: () => string): string =>
    Array.from({ length: count }, () => words[Math.floor(next() * words.length)] ?? '').reduce(
      (text, word) => text + separator() + word,
    );
  const blocks: string[] = [];
  let size = 0;
  for (;;) {
    const roll = next();
    let block: string;
    if (roll < 0.15) {
      const fence = roll < 0.08 ? ['```python', '```'] : ['~~~~', '~~~~'];
      const lines = Array.from(
        { length: 1 + Math.floor(next() * 40) },
        (_, i) => `  line ${i} = ${'x'.repeat(Math.floor(next() * 60))}`,
      );
      block = [fence[0], ...lines, fence[1]].join('\n');
    } else if (roll < 0.2) {
      block = 'w'.repeat(1 + Math.floor(next() * 5000));
    } else {
      block = pick(1 + Math.floor(next() * 80), () => (next() < 0.1 ? '\n' : ' '));
    }
    if (size + block.length + 2 > length) return blocks.join('\n\n') || block.slice(0, length);
    blocks.push(block);
    size += block.length + 2;
  }
}

describe('splitMarkdown', () => {
  it('keeps short text whole and gives nothing for blank text', () => {
    assert.deepEqual(splitMarkdown('short', 100), ['short']);
    assert.deepEqual(splitMarkdown(' \n ', 100), []);
  });

  it('prefers paragraph breaks, then line breaks, then spaces', () => {
    assert.deepEqual(splitMarkdown('one two three\n\nfour five', 20), ['one two three', 'four five']);
    assert.deepEqual(splitMarkdown('one two three\nfour five six', 20), ['one two three', 'four five six']);
    assert.deepEqual(splitMarkdown('one two three four five', 12), ['one two', 'three four', 'five']);
  });

  it('hard-splits a word longer than the limit, never inside a surrogate pair', () => {
    assert.deepEqual(splitMarkdown('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
    assert.deepEqual(splitMarkdown('abc😀de', 4), ['abc', '😀de']);
  });

  it('measures in UTF-8 bytes as well when given a byte limit', () => {
    assert.deepEqual(splitMarkdown('字字字字 字字字', 100, 12), ['字字字字', '字字字']);
    assert.deepEqual(splitMarkdown('😀😀😀😀😀', 100, 10), ['😀😀', '😀😀', '😀']);
    assert.deepEqual(splitMarkdown('```\n字字\n字字\n```', 100, 14), ['```\n字字\n```', '```\n字字\n```']);
    assert.throws(() => splitMarkdown('x', 10, 3), RangeError);
  });

  it('never makes a blank part out of indentation wider than the limit', () => {
    assert.deepEqual(splitMarkdown(`a\n${' '.repeat(10)}b`, 5), ['a', 'b']);
  });

  it('closes and reopens a code fence cut in two, keeping indentation', () => {
    const md = 'Intro text\n\n```python\nif x:\n    a = 1\n    b = 2\n    c = 3\n```\nafter';
    assert.deepEqual(splitMarkdown(md, 36), [
      'Intro text\n\n```python\nif x:\n```',
      '```python\n    a = 1\n    b = 2\n```',
      '```python\n    c = 3\n```\nafter',
    ]);
  });

  it('keeps every part within the limit and loses nothing, for inputs up to 50,000 characters', () => {
    const next = random(42);
    for (let round = 0; round < 40; round++) {
      const md = randomMarkdown(next, round === 0 ? 50_000 : 1 + Math.floor(next() * 50_000));
      const maxChars = 60 + Math.floor(next() * 4000);
      const parts = splitMarkdown(md, maxChars);
      for (const part of parts) {
        assert.ok(part.length <= maxChars, `part of ${part.length} > ${maxChars}`);
        const fences = part.match(/^[ \t]*(`{3,}|~{3,})/gm) ?? [];
        assert.equal(fences.length % 2, 0, `unbalanced fences in part:\n${part}`);
      }
      assert.equal(content(parts.join('\n')), content(md));
    }
  });
});
