import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { LogLevel, WebClient, type WebClientOptions } from '@slack/web-api';
import { SlackSim } from '../../sandbox/slack/sim.js';
import type { SlackSimOptions } from '../../sandbox/slack/types.js';

/** A Web API client with the bot's token on the simulated Slack: no retries, only errors logged. */
export function simClient(sim: SlackSim, options: WebClientOptions = {}): WebClient {
  return new WebClient(sim.botToken, {
    slackApiUrl: sim.apiUrl,
    retryConfig: { retries: 0 },
    logLevel: LogLevel.ERROR,
    ...options,
  });
}

/** A simulated Slack of the test's own (closed after it) and a client with its bot's token. */
export async function startSimClient(
  t: Pick<TestContext, 'after'>,
  opts: SlackSimOptions = {},
): Promise<{ sim: SlackSim; client: WebClient }> {
  const sim = await SlackSim.start(opts);
  t.after(() => sim.close());
  return { sim, client: simClient(sim) };
}

/** Asserts that a Slack call fails with `error`. */
export const failsWith = (p: Promise<unknown>, error: string) =>
  assert.rejects(p, (err: { data?: { error?: string } }) => err.data?.error === error);
