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
import { type Language, languageWithin, TEXTS } from '../language.js';

/** As long as the runner remembers answered threads (ANSWERED_THREAD_TTL_MS). */
const UNFOLLOWED_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

/** "@bot stop" as people say it: the whole message, in English, German or Japanese. */
const STOP = /^(?:stop|stop following(?: this thread)?|unfollow|be quiet|hush)\s*[.!]*$/i;
const STOP_DE = /^(?:stopp|hör auf|sei still)\s*[.!]*$/i;
const STOP_JA = /^(?:ストップ|止めて|やめて|停止)(?:ください)?\s*[.。!！]*$/;

/** The language the stop was said in, when it was one of the bot's stop words; else undefined. */
function stopWords(words: string): Language | undefined {
  if (STOP.test(words)) return 'en';
  if (STOP_DE.test(words)) return 'de';
  return STOP_JA.test(words) ? 'ja' : undefined;
}

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
      /** The person's Slack locale (`de-DE`), for the confirmation's language. */
      localeOf?(userId: string): Promise<string | undefined>;
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
    const said = job.place.kind === 'channel' ? stopWords(words) : undefined;
    if (!said) return undefined;
    return (async () => {
      const claim = `unfollow:${job.place.teamId}:${job.place.channelId}:${job.messageTs}`;
      if (!(await this.deps.claims.claim(claim, UNFOLLOWED_KEEP_MS).catch(() => true))) return;
      const following = await this.followsThread(job.place);
      const stopped = this.deps.stopAnswers(job.place.channelId, job.place.threadTs, job.userId);
      await this.deps.store?.set(this.key(job.place), true, UNFOLLOWED_KEEP_MS).catch(() => {});
      // German or Japanese stop words are answered in their language; English in the person's.
      const lang = said !== 'en' ? said : await languageWithin(this.deps.localeOf?.(job.userId));
      const t = TEXTS[lang].follow;
      const text = following ? t.unfollowed : stopped ? t.stopped : t.notFollowing;
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
