/**
 * A bot process for crash tests: like src/main.ts, with a short claim lease (CLAIM_LEASE_MS) so
 * a killed process's events become answerable again quickly.
 */
import { createBot } from '../../src/bot.js';
import { parseConfig } from '../../src/config/config.js';

const bot = createBot(parseConfig(process.env), {
  claimLeaseMs: Number(process.env.CLAIM_LEASE_MS ?? 30_000),
  // FRONT_THREAD=1: Slack's requests are received in a thread of their own, as src/main.ts does.
  frontThread: process.env.FRONT_THREAD === '1',
});
await bot.start();
