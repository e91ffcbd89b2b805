import type { SimMessage, SlackSim } from '../../sandbox/slack/sim.js';

/** A message to seed in a thread: what `seedMessage` takes, less where it goes. */
type Seed = Omit<Parameters<SlackSim['seedMessage']>[0], 'channel' | 'thread_ts'>;

/** A thread seeded in `channel` (as if written before the test): `first` starts it, each of `replies` answers in it. Returns the parent. */
export function seedThread(sim: SlackSim, channel: string, first: Seed, ...replies: Seed[]): SimMessage {
  const parent = sim.seedMessage({ channel, ...first });
  for (const reply of replies) sim.seedMessage({ channel, ...reply, thread_ts: parent.ts });
  return parent;
}

/**
 * A Slack Connect channel (`is_ext_shared`), #with-acme unless named, with Alice and the bot in it
 * and, when given, a person of another organization's workspace (added to the workspace too).
 */
export function addSharedChannel(
  sim: SlackSim,
  opts: { id?: string; name?: string; external?: { id: string; name: string; team: string } } = {},
): string {
  const { id = 'C0SHARED', name = 'with-acme', external } = opts;
  if (external) sim.addUser({ id: external.id, name: external.name, team_id: external.team });
  sim.addConversation({
    id,
    name,
    is_ext_shared: true,
    members: ['U0ALICE', ...(external ? [external.id] : []), sim.botUserId],
  });
  return id;
}
