import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../../../src/platform/logger.js';
import { boltLogger } from '../../../src/slack/logger.js';

function capture(level: string, messageBodies = true) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const secrets = ['xoxb-test-secret-token'];
  return { lines, log: boltLogger(createLogger({ level, secrets, destination, messageBodies })) };
}

test("Bolt's and the Slack SDK's lines come out at LOG_LEVEL's level, joined and scrubbed of secrets", () => {
  const debug = capture('debug');
  debug.log.debug('http request body:', { token: 'xoxb-test-secret-token', channel: 'C1' });
  debug.log.warn('rate limited', 3);
  assert.equal(debug.lines.length, 2);
  const first = JSON.parse(debug.lines[0] as string);
  assert.equal(first.lib, 'bolt');
  assert.match(first.msg, /^http request body: \{.*"channel":"C1"\}$/);
  assert.doesNotMatch(debug.lines.join(''), /xoxb-test-secret-token/);
  assert.match(JSON.parse(debug.lines[1] as string).msg, /^rate limited 3$/);

  const info = capture('info');
  info.log.debug('http request url: https://slack.com/api/chat.postMessage');
  info.log.info('started');
  assert.deepEqual(
    info.lines.map((l) => JSON.parse(l).msg),
    ['started'],
  );
});

test("without LOG_MESSAGE_BODIES the SDK's lines keep what they say and lose their payloads", () => {
  const { lines, log } = capture('debug', false);
  log.debug(`http request result: ${JSON.stringify({ ok: true, messages: [{ text: 'secret plans' }] })}`);
  log.debug('Received a message on the WebSocket:', { payload: { event: { text: 'secret plans' } } });
  log.debug('http request url: https://slack.com/api/chat.postMessage');
  assert.deepEqual(
    lines.map((l) => JSON.parse(l).msg),
    [
      'http request result: [omitted: LOG_MESSAGE_BODIES]',
      'Received a message on the WebSocket: [omitted: LOG_MESSAGE_BODIES]',
      'http request url: https://slack.com/api/chat.postMessage',
    ],
  );
});
