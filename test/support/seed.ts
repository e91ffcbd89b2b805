import type { SimMessage, SlackSim } from '../../sandbox/slack/sim.js';

/** A message to seed in a thread: what `seedMessage` takes, less where it goes. */
type Seed = Omit<Parameters<SlackSim['seedMessage']>[0], 'channel' | 'thread_ts'>;

/** A thread seeded in `channel` (as if written before the test): `first` starts it, each of `replies` answers in it. Returns the parent. */
export function seedThread(sim: SlackSim, channel: string, first: Seed, ...replies: Seed[]): SimMessage {
  const parent = sim.seedMessage({ channel, ...first });
  for (const reply of replies) sim.seedMessage({ channel, ...reply, thread_ts: parent.ts });
  return parent;
}
