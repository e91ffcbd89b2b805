/**
 * Replays Slack's signed requests from a thread of its own, on its own clock, and times the
 * answers. The thread running the simulated Slack and the fake Claude is busy serving the app
 * under test; sending from it would count its delays (and its catch-up bursts) as the app's.
 */
import { Agent, request } from 'node:http';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import type { HttpTransport } from '../sandbox/slack/delivery.js';

/** One request as the sim would have sent it. */
export interface Recorded {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface Timed {
  status: number;
  ackMs: number;
}

/**
 * A transport for SlackSim.connectHttp that records requests instead of sending them (each
 * answered 200 at once), so a load can be prepared before it is replayed.
 */
export function recorder(): { transport: HttpTransport; take: () => Recorded[] } {
  let taken: Recorded[] = [];
  return {
    transport: async (url, req) => {
      taken.push({ url, ...req });
      return { status: 200, body: '', ackMs: 0 };
    },
    take: () => {
      const t = taken;
      taken = [];
      return t;
    },
  };
}

/**
 * A worker thread that sends groups of requests: group i starts at i / rate seconds (all at once
 * when rate is Infinity), its requests one after another as Slack sends a message's events.
 * Start it before lowering this thread's priority: it keeps the priority it started with.
 */
export function startReplayer(): {
  replay(groups: Recorded[][], rate: number): Promise<Timed[][]>;
  close(): Promise<number>;
} {
  const worker = new Worker(new URL(import.meta.url));
  return {
    replay: (groups, rate) =>
      new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.postMessage({ groups, rate });
      }),
    close: () => worker.terminate(),
  };
}

/** Kept-alive connections, as Slack keeps them; node:http costs the sender far less CPU than fetch. */
const agent = new Agent({ keepAlive: true });

function send(r: Recorded): Promise<Timed> {
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (status: number) => resolve({ status, ackMs: performance.now() - started });
    const req = request(r.url, { method: 'POST', headers: r.headers, agent, timeout: r.timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
      res.on('error', () => done(0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(0));
    req.end(r.body);
  });
}

async function run(groups: Recorded[][], rate: number): Promise<Timed[][]> {
  const start = performance.now();
  const runs: Promise<Timed[]>[] = [];
  for (const [i, group] of groups.entries()) {
    const at = Number.isFinite(rate) ? start + (i * 1000) / rate : start;
    const wait = at - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    runs.push(
      (async () => {
        const timed: Timed[] = [];
        for (const r of group) timed.push(await send(r));
        return timed;
      })(),
    );
  }
  return Promise.all(runs);
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on('message', async ({ groups, rate }: { groups: Recorded[][]; rate: number }) => {
    port.postMessage(await run(groups, rate));
  });
}
