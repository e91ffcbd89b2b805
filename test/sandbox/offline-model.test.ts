import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type MessagesRequestBody,
  OFFLINE_MODEL_NOTE,
  offlineReply,
} from '../../sandbox/claude/offline-model.js';
import { quoteConversation, summarySystem } from '../../src/features/summaries/prompt.js';

const MODEL = 'claude-test-model';

/** The sandbox page's own renderer (plain JavaScript served to the browser). */
const { renderSlack } = (await import(new URL('../../sandbox/page/web/render.js', import.meta.url).href)) as {
  renderSlack: (text: string, ctx: object) => string;
};

type Msg = { ts: string; author: string; text: string; parentTs?: string; isBot?: boolean };
/** A summary request the way the bot builds one (same system prompt, same quoting). */
function summaryOf(messages: Msg[]): string {
  const quoted = quoteConversation(
    messages.map((m) => ({ userId: m.author, isBot: false, permalink: '', ...m })),
  );
  return offlineReply({
    model: MODEL,
    system: [{ type: 'text', text: summarySystem('final') }],
    messages: [{ role: 'user', content: [{ type: 'text', text: `${quoted}\n\nWrite the summary.` }] }],
  });
}
const section = (md: string, title: string) => {
  const start = md.indexOf(`**${title}**\n`);
  return start < 0 ? [] : (md.slice(start).split('\n\n')[0]?.split('\n').slice(1) ?? []);
};

describe('offline model: summaries', () => {
  const thread: Msg[] = [
    {
      ts: '1.000100',
      author: 'ann',
      text: 'The deploy failed again on staging because of the migration lock.',
    },
    {
      ts: '1.000200',
      author: 'claude',
      isBot: true,
      text: 'I decided nothing, but here is a long bot answer about locks.',
    },
    {
      ts: '1.000300',
      author: 'bo',
      text: 'We decided to roll back and retry tonight.',
      parentTs: '1.000100',
    },
    {
      ts: '1.000400',
      author: 'cy',
      text: 'Ann, can you update the runbook afterwards?',
      parentTs: '1.000100',
    },
    { ts: '1.000500', author: 'ann', text: 'Who owns the migration tooling now?', parentTs: '1.000100' },
    { ts: '1.000600', author: 'bo', text: 'ok', parentTs: '1.000100' },
    { ts: '1.000700', author: 'dee', text: 'Does anyone know whether the lock timeout is configurable?' },
  ];

  test('counts every message but only people, and picks decisions, owners and unanswered questions', () => {
    const text = summaryOf(thread);
    assert.match(text, /^\*\*TL;DR\*\*: 7 messages from 4 people in 1 thread,/);
    assert.deepEqual(section(text, 'Decisions'), [
      '- We decided to roll back and retry tonight. (bo, on "The deploy failed again on staging because of the migration…") (ts: 1.000100, 1.000300)',
    ]);
    assert.deepEqual(section(text, 'Action items'), ['- @ann: update the runbook afterwards (ts: 1.000400)']);
    // "Who owns…" got only Bo's "ok" … which is a reply from someone else, so it counts as answered.
    assert.deepEqual(section(text, 'Open questions'), [
      '- Does anyone know whether the lock timeout is configurable? (dee) (ts: 1.000700)',
    ]);
    const keyPoints = section(text, 'Key points');
    assert.ok(keyPoints.some((l) => l.includes('migration lock')));
    assert.ok(!/long bot answer|- bo: ok/.test(text), 'no bot message, no one-word reply');
    assert.ok(text.endsWith(`_${OFFLINE_MODEL_NOTE}_`));
    assert.equal(summaryOf(thread), text, 'deterministic');
  });

  test('a request is done when its owner says so, and replaced by the owner’s own commitment', () => {
    const text = summaryOf([
      { ts: '2.000100', author: 'bo', text: 'Nightly failed on payments tests.' },
      { ts: '2.000200', author: 'dee', text: 'Can you re-run it once the fix is in?', parentTs: '2.000100' },
      { ts: '2.000300', author: 'bo', text: 'Merged and re-run: all green.', parentTs: '2.000100' },
      { ts: '2.000400', author: 'ann', text: 'Cy, can you write up the numbers?' },
      { ts: '2.000500', author: 'cy', text: 'Sure, I will share a one-pager by Friday.' },
    ]);
    assert.deepEqual(section(text, 'Action items'), ['- @cy: share a one-pager by Friday (ts: 2.000500)']);
  });

  test('a question the bot answered in its thread is not open', () => {
    const text = summaryOf([
      { ts: '3.000100', author: 'ann', text: 'Release checklist for 2.3 is in the wiki now.' },
      { ts: '3.000200', author: 'bo', text: 'Who covers triage on Thursday?', parentTs: '3.000100' },
      { ts: '3.000300', author: 'claude', isBot: true, text: 'Dee does.', parentTs: '3.000100' },
      { ts: '3.000400', author: 'bo', text: 'Is the freeze at 17:00 or 18:00?', parentTs: '3.000100' },
    ]);
    assert.match(text, /^\*\*TL;DR\*\*: 4 messages from 2 people in 1 thread/);
    assert.deepEqual(section(text, 'Open questions'), [
      '- Is the freeze at 17:00 or 18:00? (bo) (ts: 3.000400)',
    ]);
  });

  test('reads plain transcripts with [m1] ids and leaves out the request for the summary', () => {
    const text = offlineReply({
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            '[m1] alice: The deploy failed again on staging because of the migration lock',
            '[m2] bob: I decided we roll back and retry tonight',
            '[m3] dave: summarize this please',
          ].join('\n'),
        },
      ],
    });
    assert.match(text, /^\*\*TL;DR\*\*: 2 messages from 2 people/);
    assert.match(text, /\*\*Decisions\*\*\n- I decided we roll back and retry tonight \(bob\) \[m2\]/);
  });

  test('copes with no messages and with hostile markup', () => {
    assert.match(summaryOf([]), /no messages to summarize/);
    const body = (text: string): MessagesRequestBody => ({
      model: MODEL,
      system: 'Summarize.',
      messages: [{ role: 'user', content: text }],
    });
    // Openings that never close: read as nothing, at once.
    const hostile = `${'<message author="x" ts="1.1">'.repeat(20_000)}${'<thread parent="'.repeat(20_000)}`;
    assert.match(offlineReply(body(hostile)), /TL;DR/);
  });
});

describe('offline model: answers', () => {
  const ask = (conversation: string, role = 'user'): string =>
    offlineReply({
      model: MODEL,
      system: 'You are helpful.',
      messages: [
        { role, content: [{ type: 'text', text: conversation }] },
        ...(role === 'user' ? [] : [{ role: 'user', content: '<message author="eve">\nhi\n</message>' }]),
      ],
    });
  const message = (author: string, text: string) => `<message author="${author}">\n${text}\n</message>`;

  test('quotes the earlier messages closest to the question, then shows formatting', () => {
    const text = ask(
      [
        message('ann', 'Lunch at noon?'),
        message('bo', 'The staging deploy is blocked by the migration lock.'),
        message('cy', 'I can look at the migration tooling tomorrow.'),
        message('dee', 'Why is the staging deploy blocked?'),
      ].join('\n\n'),
    );
    const lines = text.split('\n');
    assert.equal(lines[0], OFFLINE_MODEL_NOTE);
    assert.match(text, /You asked: "Why is the staging deploy blocked\?"/);
    assert.deepEqual(
      lines.filter((l) => l.startsWith('> ')),
      ['> *bo*: The staging deploy is blocked by the migration lock.'],
    );
    assert.match(text, /shared_words = \["staging","deploy","blocked"\]/);
    assert.equal(lines.filter((l) => l === '```').length, 2);
  });

  test('a question with nothing before it, or nothing related, says so', () => {
    assert.match(ask(message('dee', 'What is our deploy process?')), /A new thread/);
    assert.match(
      ask([message('ann', 'Lunch at noon?'), message('dee', 'What is our deploy process?')].join('\n')),
      /Nothing earlier in this conversation/,
    );
    assert.match(offlineReply({ model: MODEL, messages: [] }), /You sent an empty message/);
    assert.match(
      offlineReply({ model: MODEL, messages: [{ role: 'user', content: 'How do I deploy?' }] }),
      /You asked: "How do I deploy\?"/,
    );
  });
});

test('the summary footer naming the profile is in italics line by line: the page shows no literal underscore', () => {
  const quoted = quoteConversation([
    {
      ts: '3.000100',
      author: 'bo',
      userId: 'bo',
      isBot: false,
      permalink: '',
      text: 'We decided to ship on Friday.',
    },
  ]);
  const text = offlineReply(
    {
      model: MODEL,
      system: [{ type: 'text', text: summarySystem('final') }],
      messages: [{ role: 'user', content: [{ type: 'text', text: `${quoted}\n\nWrite the summary.` }] }],
    },
    { profile: 'default' },
  );
  const footer = text.split('\n\n').at(-1) ?? '';
  const html = renderSlack(footer, {
    markdown: true,
    userName: (id: string) => id,
    channelName: (id: string) => id,
  });
  assert.match(html, /<em>Offline sandbox model: [^<]*<\/em>/);
  assert.match(html, /<em>Answered with the <strong>default<\/strong> profile/);
  assert.doesNotMatch(html, /_/);
});
