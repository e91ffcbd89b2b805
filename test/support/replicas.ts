import type { TestContext } from 'node:test';
import { REDIS_URL, uniquePrefix } from './redis.js';
import { type Rig, type RigOptions, startRig } from './rig.js';

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
