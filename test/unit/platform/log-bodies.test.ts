import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../../../src/platform/logger.js';

function capture(messageBodies?: boolean) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, log: createLogger({ level: 'debug', destination, messageBodies }) };
}

test('by default a line never holds a body field at any level; counts under those names stay', () => {
  const { lines, log } = capture();
  log.debug({ text: 'what are the secret plans?', messages: 12, ref: 'Ev1' }, 'asked');
  log.error(
    { answer: { text: 'the plans are…' }, details: [{ options: { body: { system: 'x' } } }] },
    'failed',
  );
  const [asked, failed] = lines.map((l) => JSON.parse(l));
  assert.deepEqual([asked.text, asked.messages, asked.ref], ['[omitted: LOG_MESSAGE_BODIES]', 12, 'Ev1']);
  assert.equal(failed.answer, '[omitted: LOG_MESSAGE_BODIES]');
  assert.equal(failed.details[0].options.body, '[omitted: LOG_MESSAGE_BODIES]');
  assert.doesNotMatch(lines.join(''), /plans/);
});

test('with LOG_MESSAGE_BODIES the fields are logged as given; secrets are still redacted', () => {
  const { lines, log } = capture(true);
  log.debug({ text: 'what are the plans?', token: 'xoxb-1-abc' }, 'asked');
  const line = JSON.parse(lines[0] as string);
  assert.equal(line.text, 'what are the plans?');
  assert.equal(line.token, '[redacted]');
});
