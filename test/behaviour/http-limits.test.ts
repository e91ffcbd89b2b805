/**
 * The HTTP endpoint refuses hostile uploads early, over raw sockets: a body whose content-length
 * is over the limit and one that passes it while streaming get 413 without being read to the end,
 * a body dripped slowly gets 408 once BODY_TIMEOUT_MS is up, and each connection is closed if the
 * client keeps sending; the bot answers a normal question right after.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { BODY_LIMIT_BYTES } from '../../src/slack/receive/http-receiver.js';
import { startRig } from '../support/rig.js';
import { until } from '../support/until.js';
import { mention, waitForReplies } from '../support/visible.js';

interface Exchange {
  /** The status line the server answered with, once it did. */
  status(): number | undefined;
  /** True once the server closed the connection (or reset it). */
  closed(): boolean;
  /** Bytes of body the client had sent when the answer came. */
  sentAtAnswer(): number;
}

/**
 * Sends `head`, then `piece` every `everyMs` for as long as the connection stays open (a client
 * that never stops), recording the server's answer and when the connection closes.
 */
function upload(port: number, head: string, piece: string | Buffer, everyMs: number): Exchange {
  const socket: Socket = connect(port, '127.0.0.1');
  let answer = '';
  let sent = 0;
  let sentAtAnswer = -1;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  // The head first, then the body: written before the connection is up, a piece would go first.
  socket.on('connect', () => {
    socket.write(head);
    timer = setInterval(() => {
      if (closed || socket.destroyed) return;
      socket.write(piece);
      sent += piece.length;
    }, everyMs);
  });
  socket.on('data', (d) => {
    if (!answer && sentAtAnswer < 0) sentAtAnswer = sent;
    answer += d.toString('latin1');
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
    clearInterval(timer);
  });
  return {
    status: () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      return m ? Number(m[1]) : undefined;
    },
    closed: () => closed,
    sentAtAnswer: () => sentAtAnswer,
  };
}

const post = (headers: string) =>
  `POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${headers}\r\n`;

test('oversized and slow bodies: 413 / 408 without reading them whole, the connection closed, the bot still answering', async (t) => {
  const r = await startRig(t);
  const port = r.port as number;
  const kb64 = Buffer.alloc(64 * 1024, 'a');
  // Announced as 50 MB: refused by its content-length, before the body.
  const announced = upload(port, post('Content-Length: 52428800\r\n'), kb64, 20);
  // Chunked, so no length is announced: refused once more than the limit has arrived.
  const chunk = Buffer.concat([Buffer.from(`${kb64.length.toString(16)}\r\n`), kb64, Buffer.from('\r\n')]);
  const streamed = upload(port, post('Transfer-Encoding: chunked\r\n'), chunk, 5);
  // 1,000 bytes announced, one byte every half second: cut when the body time is up.
  const dripped = upload(port, post('Content-Length: 1000\r\n'), 'a', 500);

  await until('413 for the announced body', () => announced.status() !== undefined);
  // Both clients send for ever: an answer at all means the body was not read to its end.
  assert.equal(announced.status(), 413);
  await until('413 for the streamed body', () => streamed.status() !== undefined);
  assert.equal(streamed.status(), 413);
  assert.ok(streamed.sentAtAnswer() > BODY_LIMIT_BYTES, 'refused for what it sent, not for a header');
  await until('the clients that kept sending cut off', () => announced.closed() && streamed.closed());

  // The bot answers a normal question meanwhile.
  const message = await mention(r.sim, 'still there?');
  await waitForReplies(r.sim, 'C0GENERAL', message.ts);

  await until('408 for the slow body', () => dripped.status() !== undefined, { timeoutMs: 20_000 });
  assert.equal(dripped.status(), 408);
  assert.ok(dripped.sentAtAnswer() < 1000, 'cut before the body was complete');
  await until('the dripping client cut off', () => dripped.closed(), { timeoutMs: 10_000 });

  const after = await mention(r.sim, 'and now?');
  await waitForReplies(r.sim, 'C0GENERAL', after.ts);
  assert.equal(r.claude.requests.length, 2, 'only the two questions reached Claude');
});
