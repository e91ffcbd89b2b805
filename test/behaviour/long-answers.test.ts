import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_STREAM_BYTES } from '../../sandbox/slack/api-stream.js';
import type { SimMessage, SlackSim } from '../../sandbox/slack/sim.js';
import { startRig } from '../support/rig.js';
import { botReplies, mention, visibleText } from '../support/visible.js';

const ANSWER_BYTES = 30_000;

/**
 * About 30 KB: paragraphs of `sentence`, a run of text with no break, a fenced code block longer than
 * a message, then more paragraphs.
 */
function longAnswer(sentence: (i: number) => string, code: string, unbroken: string): string {
  const block = ['```python', ...Array.from({ length: 600 }, (_, i) => `print("${code}", ${i})`), '```'].join(
    '\n',
  );
  const paragraphs: string[] = [];
  let bytes = Buffer.byteLength(unbroken) + Buffer.byteLength(block);
  for (let i = 0; bytes < ANSWER_BYTES; i++) {
    paragraphs.push(`${sentence(i)} ${sentence(i + 1)}`);
    bytes += Buffer.byteLength(paragraphs.at(-1) ?? '') + 2;
  }
  return [...paragraphs.slice(0, 10), unbroken, block, ...paragraphs.slice(10)].join('\n\n');
}

/** The answer's text without whitespace and without fence lines (a split closes and reopens one). */
const comparable = (text: string): string =>
  text
    .split('\n')
    .filter((line) => !/^\s*```/.test(line))
    .join('')
    .replace(/\s+/g, '');

const scripts: Array<[string, string]> = [
  [
    'English',
    longAnswer((i) => `Sentence ${i} says something useful about the topic.`, 'hello', 'x'.repeat(6000)),
  ],
  [
    'Chinese',
    longAnswer((i) => `第${i}句：这是一个很长的中文回答，用来说明问题。`, '你好', '字'.repeat(2000)),
  ],
  ['emoji', longAnswer((i) => `${i} 🎉🚀😀✨ 👍🏽 🧑‍💻 done.`, '😀', '😀'.repeat(1500))],
];

/**
 * Asks the bot, which Claude answers with `text`, and waits until no reply is streaming and the
 * thread's replies together give back the answer.
 */
async function answerInThread(sim: SlackSim, text: string): Promise<SimMessage[]> {
  const message = await mention(sim, 'write a lot');
  const want = comparable(text);
  return sim.waitFor(
    () => {
      const all = botReplies(sim, 'C0GENERAL', message.ts);
      const done = all.every((m) => !m.streaming) && comparable(all.map(visibleText).join('\n')) === want;
      return done ? all : undefined;
    },
    { what: 'the whole answer, no message streaming', timeoutMs: 10_000 },
  );
}

for (const [script, text] of scripts) {
  test(`a 30 KB ${script} answer arrives whole, in order, each message within Slack's byte cap`, async (t) => {
    const { sim, claude } = await startRig(t);
    claude.enqueue({ text, chunkSize: 2000 });
    const replies = await answerInThread(sim, text);
    for (const m of replies) {
      const bytes = Buffer.byteLength(visibleText(m));
      assert.ok(bytes <= MAX_STREAM_BYTES, `a message of ${bytes} bytes fits the cap`);
      const fences = visibleText(m).match(/^```/gm) ?? [];
      assert.equal(fences.length % 2, 0, 'every code block a message opens, it closes');
    }
    assert.equal(claude.requests.length, 1);
    const sizes = replies.map((m) => Buffer.byteLength(visibleText(m))).join(', ');
    t.diagnostic(
      `${script}: ${replies.length} messages (${sizes} bytes) for ${Buffer.byteLength(text)} bytes`,
    );
  });
}

// Slack's cap varies a little between messages (10,600–11,300 bytes measured): should a message
// refuse text before the bot's own margin, the text goes on in the next message.
for (const method of ['chat.appendStream', 'chat.stopStream']) {
  test(`text that ${method} refuses as too long goes on in a new message`, async (t) => {
    const { sim, claude } = await startRig(t);
    const text = Array.from({ length: 40 }, (_, i) => `Line ${i} of the answer.`).join('\n');
    claude.enqueue({ text, chunkSize: 40, chunkDelayMs: 60 });
    sim.failNext(method, { error: 'msg_too_long' });
    const replies = await answerInThread(sim, text);
    assert.equal(replies.length, 2, 'the refused text starts a second message');
  });
}
