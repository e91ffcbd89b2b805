/**
 * Who asked in a thread, as the answers feature records it for each question (the store is Redis
 * with REDIS_URL, so any replica can tell; keys named by workspace, so an uninstall sweeps them):
 * the stop button and feedback in a DM check it.
 */
import type Keyv from 'keyv';

/** The key under which "this person asked in this thread" is kept (true). */
export const askedKey = (team: string, channel: string, threadTs: string, userId: string) =>
  `stop:${team}:${channel}:${threadTs}:${userId}`;

/** The key under which the thread's latest asker is kept. */
export const latestAskerKey = (team: string, channel: string, threadTs: string) =>
  `stop:${team}:${channel}:${threadTs}`;

/** Whether `userId` asked a question in the thread; false when the store cannot say. */
export async function askedIn(
  store: Keyv,
  place: { team: string; channel: string; threadTs: string },
  userId: string,
): Promise<boolean> {
  const key = askedKey(place.team, place.channel, place.threadTs, userId);
  return Boolean(await store.get(key).catch(() => undefined));
}
