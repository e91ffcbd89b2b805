import assert from 'node:assert/strict';
import { type AddressInfo, createServer } from 'node:net';
import { type TestContext, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { slackSignature } from '../../../../sandbox/slack/sim.js';
import { createLogger } from '../../../../src/platform/logger.js';
import type { EngineLink, Forwarded } from '../../../../src/slack/receive/front.js';
import { startFrontThread } from '../../../../src/slack/receive/front-thread.js';
import { until } from '../../../support/until.js';

const SECRET = 'front-thread-test-signing-secret';

function signed(body: string, contentType = 'application/json') {
  const ts = Math.floor(Date.now() / 1000);
  return {
    'content-type': contentType,
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': slackSignature(SECRET, ts, body),
  };
}

interface Answer {
  status: number;
  body: string;
  /** Whether the answer arrived while this (the main) thread was blocked. */
  whileBlocked: boolean;
}

interface Request {
  url: string;
  init?: RequestInit & { headers?: Record<string, string> };
  /** Sent again (every 50 ms) until answered with this status. */
  untilStatus?: number;
}

/**
 * Sends requests from a worker thread, so they go out and are answered while this thread is
 * blocked. `send` asks at once. `whileBlocked` sends its requests one after another once this
 * thread is blocked by `block()`, which blocks it (as a long synchronous piece of answer work
 * would) until they are all answered, or 20 s have passed. Each answer says whether this thread
 * was still blocked when it arrived: the order of events, not a time.
 */
function sender(t: TestContext) {
  // [0]: 1 while this thread is blocked; [1]: 1 once every request sent while blocked is answered.
  const state = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const state = new Int32Array(workerData);
     parentPort.on('message', async ({ id, requests, whileBlocked }) => {
       if (whileBlocked) await Atomics.waitAsync(state, 0, 0).value;
       const answers = [];
       for (const { url, init, untilStatus } of requests) {
         for (;;) {
           const res = await fetch(url, init);
           const body = await res.text();
           if (untilStatus === undefined || res.status === untilStatus) {
             answers.push({ status: res.status, body, whileBlocked: Atomics.load(state, 0) === 1 });
             break;
           }
           await new Promise((r) => setTimeout(r, 50));
         }
       }
       if (whileBlocked) {
         Atomics.store(state, 1, 1);
         Atomics.notify(state, 1);
       }
       parentPort.postMessage({ id, answers });
     });`,
    { eval: true, workerData: state.buffer },
  );
  t.after(() => worker.terminate());
  let seq = 0;
  const post = (requests: Request[], whileBlocked: boolean) =>
    new Promise<Answer[]>((resolve) => {
      const id = ++seq;
      const onMessage = (m: { id: number; answers: Answer[] }) => {
        if (m.id !== id) return;
        worker.off('message', onMessage);
        resolve(m.answers);
      };
      worker.on('message', onMessage);
      worker.postMessage({ id, requests, whileBlocked });
    });
  return {
    send: async (url: string, init?: Request['init']) => (await post([{ url, init }], false))[0] as Answer,
    whileBlocked: (...requests: Request[]) => post(requests, true),
    block() {
      Atomics.store(state, 1, 0);
      Atomics.store(state, 0, 1);
      Atomics.notify(state, 0);
      Atomics.wait(state, 1, 0, 20_000);
      Atomics.store(state, 0, 0);
    },
  };
}

async function startFront(
  t: TestContext,
  link: Partial<EngineLink>,
  unresponsiveAfterMs?: number,
  more: { opsPort?: number; metricsWaitMs?: number } = {},
) {
  const full: EngineLink = {
    deliver: async () => {},
    health: () => ({ ready: true, redisOk: true, alive: true }),
    metrics: async () => ({ contentType: 'text/plain', text: 'test_metric 1\n' }),
    acked: () => {},
    unaccepted: () => {},
    socket: () => {},
    ...link,
  };
  const front = startFrontThread(
    {
      config: {
        port: 0,
        opsPort: more.opsPort,
        slack: { signingSecret: SECRET, appToken: undefined, apiUrl: 'http://127.0.0.1:9/api/' },
        // As with REDIS_URL or STATE_DIR: a possible question is acked once the engine holds it.
        durableQuestions: true,
      },
      logLevel: 'error',
      proxy: { https: undefined, http: undefined, noProxy: undefined },
      ...(unresponsiveAfterMs ? { unresponsiveAfterMs } : {}),
      ...(more.metricsWaitMs ? { metricsWaitMs: more.metricsWaitMs } : {}),
    },
    {
      link: full,
      log: createLogger({ level: 'silent' }),
      onFailure: (err) => assert.fail(`front thread failed: ${err.message}`),
    },
  );
  const { port } = await front.start();
  t.after(() => front.stop());
  return `http://127.0.0.1:${port}`;
}

test('with the front in its own thread, events that ask nothing are acknowledged while the main thread is blocked, and reach it once it is free', async (t) => {
  const delivered: Forwarded[] = [];
  const acked: string[] = [];
  const base = await startFront(t, {
    deliver: async (request) => {
      delivered.push(request);
    },
    acked: (type) => acked.push(type),
  });
  const { whileBlocked, block } = sender(t);
  const body = JSON.stringify({
    type: 'event_callback',
    team_id: 'T1',
    event_id: 'Ev1',
    event: { type: 'reaction_added', user: 'U1', reaction: 'tada', item: { channel: 'C1', ts: '1.1' } },
  });
  const answers = whileBlocked(
    { url: `${base}/slack/events`, init: { method: 'POST', headers: signed(body), body } },
    { url: `${base}/healthz` },
    { url: `${base}/readyz` },
  );
  block();
  const [event, healthz, readyz] = await answers;
  assert.equal(event?.status, 200);
  assert.ok(event?.whileBlocked, 'the event was acknowledged before the main thread was free');
  assert.equal(healthz?.status, 200);
  assert.ok(healthz?.whileBlocked, 'health answered while the main thread was blocked');
  assert.equal(readyz?.status, 200);
  await until('the event handed on', () => delivered.length === 1, { timeoutMs: 15_000, everyMs: 10 });
  assert.equal((delivered[0]?.body.event as { reaction?: string } | undefined)?.reaction, 'tada');
  await until('the ack timed', () => acked.includes('event'), { timeoutMs: 15_000, everyMs: 10 });
});

function mention(eventId: string) {
  return JSON.stringify({
    type: 'event_callback',
    team_id: 'T1',
    event_id: eventId,
    event: { type: 'app_mention', user: 'U1', channel: 'C1', ts: '1.1', text: '<@UBOT> hi' },
  });
}

test('a mention is acknowledged only once the engine holds its question', async (t) => {
  const order: string[] = [];
  let hold = () => {};
  const held = new Promise<void>((resolve) => {
    hold = resolve;
  });
  const base = await startFront(t, {
    deliver: async () => {
      order.push('handed on');
      await held;
      order.push('held');
    },
  });
  const { send } = sender(t);
  const body = mention('Ev3');
  const answer = send(`${base}/slack/events`, { method: 'POST', headers: signed(body), body }).then((a) => {
    order.push('acknowledged');
    return a;
  });
  await until('the mention handed on', () => order.includes('handed on'), { timeoutMs: 15_000, everyMs: 10 });
  // Round trips through the same front: an ack sent at once would have arrived by now.
  for (let i = 0; i < 3; i++) await send(`${base}/healthz`);
  hold();
  assert.equal((await answer).status, 200);
  assert.deepEqual(order, ['handed on', 'held', 'acknowledged']);
});

test('a mention the engine does not take in time is acknowledged within Slack’s 3 s all the same, and counted', async (t) => {
  let unaccepted = 0;
  const base = await startFront(t, {
    deliver: () => new Promise<void>(() => {}),
    unaccepted: () => unaccepted++,
  });
  const { send } = sender(t);
  const body = mention('Ev4');
  const answer = await send(`${base}/slack/events`, { method: 'POST', headers: signed(body), body });
  assert.equal(answer.status, 200);
  await until('the early ack counted', () => unaccepted === 1, { timeoutMs: 15_000, everyMs: 10 });
});

test('a slash command is answered with what the listener acknowledges; forged requests never reach the engine', async (t) => {
  const delivered: Forwarded[] = [];
  const base = await startFront(t, {
    deliver: async (request, ack) => {
      delivered.push(request);
      await ack?.({ response_type: 'ephemeral', text: `summary of ${request.body.text}` });
    },
  });
  const { send } = sender(t);
  const body = 'command=%2Fsummarize&text=50&user_id=U1&channel_id=C1&team_id=T1';
  const form = 'application/x-www-form-urlencoded';
  const answer = await send(`${base}/slack/events`, { method: 'POST', headers: signed(body, form), body });
  assert.equal(answer.status, 200);
  assert.deepEqual(JSON.parse(answer.body), { response_type: 'ephemeral', text: 'summary of 50' });
  const forged = await send(`${base}/slack/events`, {
    method: 'POST',
    headers: { ...signed(body, form), 'x-slack-signature': 'v0=0000' },
    body,
  });
  assert.equal(forged.status, 401);
  assert.equal(delivered.length, 1);
});

test('while the main thread has stopped answering, health fails and events are left for Slack to retry; both recover', async (t) => {
  // The main thread reports every second; silent for 1.5 s counts as stuck here (30 s by default).
  const delivered: Forwarded[] = [];
  const base = await startFront(
    t,
    {
      deliver: async (request) => {
        delivered.push(request);
      },
    },
    1500,
  );
  const { send, whileBlocked, block } = sender(t);
  assert.equal((await send(`${base}/healthz`)).status, 200);
  const body = JSON.stringify({
    type: 'event_callback',
    team_id: 'T1',
    event_id: 'Ev2',
    event: { type: 'app_mention' },
  });
  // Once health says the engine is stuck, a probe and an event arrive.
  const during = whileBlocked(
    { url: `${base}/healthz`, untilStatus: 503 },
    { url: `${base}/readyz` },
    { url: `${base}/slack/events`, init: { method: 'POST', headers: signed(body), body } },
  );
  block();
  const [healthz, readyz, event] = await during;
  assert.ok(
    [healthz, readyz, event].every((a) => a?.whileBlocked),
    'answered while the main thread was blocked',
  );
  assert.deepEqual([healthz?.status, JSON.parse(healthz?.body ?? '{}').status], [503, 'engine_unresponsive']);
  assert.deepEqual([readyz?.status, JSON.parse(readyz?.body ?? '{}').status], [503, 'engine_unresponsive']);
  assert.equal(event?.status, 500, 'not acknowledged: Slack retries it');
  await until('/healthz 200 again', async () => (await send(`${base}/healthz`)).status === 200, {
    timeoutMs: 5000,
    everyMs: 100,
  });
  assert.equal(delivered.length, 0, 'the refused event was not handed on');
  // Slack's retry, once the engine answers again, is taken.
  const retry = await send(`${base}/slack/events`, { method: 'POST', headers: signed(body), body });
  assert.equal(retry.status, 200);
  await until('the retry handed on', () => delivered.length === 1, { timeoutMs: 15_000, everyMs: 10 });
});

test('/metrics answers 503 within its wait while the main thread is stalled, and its figures again after', async (t) => {
  const base = await startFront(t, {}, undefined, { metricsWaitMs: 300 });
  const { send, whileBlocked, block } = sender(t);
  assert.equal((await send(`${base}/metrics`)).status, 200);
  const during = whileBlocked({ url: `${base}/metrics` });
  block();
  const [metrics] = await during;
  assert.equal(metrics?.status, 503);
  assert.ok(metrics?.whileBlocked, 'answered while the main thread was stalled, not after');
  const after = await send(`${base}/metrics`);
  assert.deepEqual([after.status, after.body], [200, 'test_metric 1\n']);
});

test('with OPS_PORT, health and metrics are served there only, and PORT serves only Slack', async (t) => {
  const opsPort = await freePort();
  const delivered: Forwarded[] = [];
  const base = await startFront(
    t,
    {
      deliver: async (request) => {
        delivered.push(request);
      },
    },
    undefined,
    { opsPort },
  );
  const ops = `http://127.0.0.1:${opsPort}`;
  const { send } = sender(t);
  for (const path of ['/healthz', '/readyz', '/metrics']) {
    assert.equal((await send(`${ops}${path}`)).status, 200, `${path} on OPS_PORT`);
    assert.equal((await send(`${base}${path}`)).status, 404, `${path} not on PORT`);
  }
  const body = JSON.stringify({
    type: 'event_callback',
    team_id: 'T1',
    event_id: 'Ev3',
    event: { type: 'app_mention' },
  });
  const post = { method: 'POST', headers: signed(body), body };
  assert.equal((await send(`${ops}/slack/events`, post)).status, 404, 'no Slack requests on OPS_PORT');
  assert.equal((await send(`${base}/slack/events`, post)).status, 200);
  await until('the event handed on', () => delivered.length === 1, { timeoutMs: 15_000, everyMs: 10 });
});

/** A port free now (OPS_PORT 0 would work too; a fixed one is what operators set). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
