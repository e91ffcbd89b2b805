/**
 * Following threads without a mention (profile `follow_threads`): where the bot answered, a later
 * reply by a person is answered too, until someone says "@bot stop" in the thread. That is kept
 * in the store (Redis with REDIS_URL), for as long as answered threads are followed.
 */

import type { WebClient } from '@slack/web-api';
import type Keyv from 'keyv';
import type { Logger } from '../../platform/logger.js';
import type { AnswerJob } from '../../slack/job.js';
import { callOnce, slackErrorCode } from '../../slack/web.js';

/** As long as the runner remembers answered threads (ANSWERED_THREAD_TTL_MS). */
const UNFOLLOWED_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

const STOP = /^(?:stop|stop following(?: this thread)?|unfollow|be quiet|hush)\s*[.!]*$/i;

export const UNFOLLOWED_TEXT =
  'OK, I’ll stop answering replies in this thread. Mention me when you want me again.';
/** "stop" where the bot does not follow the thread: its running answers stopped, or nothing to stop. */
export const STOPPED_TEXT = 'Stopped.';
export const NOT_FOLLOWING_TEXT = 'I answer in this thread only when mentioned: there is nothing to stop.';

export class ThreadFollowing {
  constructor(
    private readonly deps: {
      store?: Keyv;
      /** A redelivered "stop" is confirmed once. */
      claims: { claim(key: string, ttlMs: number): Promise<boolean> };
      postClient: WebClient;
      log: Logger;
      /** Whether the place's profile follows threads. */
      follows(place: AnswerJob['place']): Promise<boolean>;
      /** Stops the person's own answers running in the thread here (as the stop button does); how many. */
      stopAnswers(channel: string, threadTs: string, userId: string): number;
    },
  ) {}

  private key(p: AnswerJob['place']): string {
    return `unfollowed:${p.teamId}:${p.channelId}:${p.threadTs}`;
  }

  /** Whether an un-mentioned reply in this thread is answered. */
  async followsThread(place: AnswerJob['place']): Promise<boolean> {
    if (place.kind !== 'channel' || !(await this.deps.follows(place))) return false;
    return !(await this.deps.store?.get(this.key(place)).catch(() => undefined));
  }

  /** "@bot stop" in a thread: its work, or undefined when the words are something else. */
  command(job: AnswerJob, words: string): Promise<void> | undefined {
    if (job.place.kind !== 'channel' || !STOP.test(words)) return undefined;
    return (async () => {
      const claim = `unfollow:${job.place.teamId}:${job.place.channelId}:${job.messageTs}`;
      if (!(await this.deps.claims.claim(claim, UNFOLLOWED_KEEP_MS).catch(() => true))) return;
      const following = await this.followsThread(job.place);
      const stopped = this.deps.stopAnswers(job.place.channelId, job.place.threadTs, job.userId);
      await this.deps.store?.set(this.key(job.place), true, UNFOLLOWED_KEEP_MS).catch(() => {});
      const text = following ? UNFOLLOWED_TEXT : stopped ? STOPPED_TEXT : NOT_FOLLOWING_TEXT;
      this.deps.log.info({ ref: job.eventId, channel: job.place.channelId }, 'thread no longer followed');
      await callOnce(() =>
        this.deps.postClient.chat.postMessage({
          channel: job.place.channelId,
          thread_ts: job.place.threadTs,
          text,
        }),
      ).catch((err) => this.deps.log.warn({ code: slackErrorCode(err) }, 'could not confirm the stop'));
    })();
  }
}
