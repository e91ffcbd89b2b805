import type { TestContext } from 'node:test';
import type { FakeAnthropic } from '../../sandbox/claude/fake-anthropic.js';
import type { SlackSim } from '../../sandbox/slack/sim.js';
import { startChild } from './child.js';
import { REDIS_URL, uniquePrefix } from './redis.js';
import { botEnv, type Rig, type RigOptions, startRig } from './rig.js';

/**
 * Two replicas of the bot sharing one Redis (under a key prefix of their own) and one simulated
 * Slack, which delivers to A until `deliverTo` sends Slack's requests to the other. `env` adds
 * settings to both (REDIS_URL: another Redis, a Sentinel or a cluster).
 */
export async function startReplicas(t: TestContext, opts: Omit<RigOptions, 'sim'> = {}) {
  const env = { REDIS_URL, REDIS_KEY_PREFIX: uniquePrefix(), ...opts.env };
  const a = await startRig(t, { ...opts, env });
  const b = await startRig(t, { ...opts, env, sim: a.sim });
  const deliverTo = (rig: Rig) =>
    a.sim.connectHttp({ eventsUrl: `http://127.0.0.1:${rig.port}/slack/events` });
  deliverTo(a);
  return { a, b, deliverTo };
}

/**
 * Two replicas on one Redis and one simulated Slack: `child`, a process of its own (`entry`) that
 * Slack delivers every event to, and `survivor`, in this process (claim lease `claimLeaseMs`),
 * which receives none and takes over what the child leaves. `shared` goes to both (REDIS_URL and
 * its key prefix), `childEnv` to the child only.
 */
export async function childAndSurvivor(
  t: TestContext,
  opts: {
    sim: SlackSim;
    claude: FakeAnthropic;
    entry: string;
    shared: Record<string, string>;
    childEnv?: Record<string, string>;
    claimLeaseMs: number;
  },
) {
  const { sim, claude, shared } = opts;
  const child = startChild(t, opts.entry, { ...botEnv(sim, claude), ...shared, ...opts.childEnv });
  const port = await child.ready;
  const survivor = await startRig(t, {
    env: { ...shared, ANTHROPIC_BASE_URL: claude.url },
    sim,
    claimLeaseMs: opts.claimLeaseMs,
  });
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${port}/slack/events` });
  return { child, survivor };
}
