import type { WebClient } from '@slack/web-api';
import type Keyv from 'keyv';
import type { Logger } from '../../platform/logger.js';
import type { AnswerJob } from '../../slack/job.js';
import { callOnce, slackErrorCode } from '../../slack/web.js';

/** How long who asked in a thread is remembered: far longer than any answer runs. */
const ASKED_KEEP_MS = 24 * 60 * 60 * 1000;

/**
 * Who may stop a thread's answers (Slack's stop button, `agent_session_stopped`): the people who
 * asked in the thread, and the bot's admins (ADMIN_USER_IDS). Workspace admins and owners are not
 * given the right by their Slack role: the bot's admins are the people its operator named. Who
 * asked is kept in the store, so any replica receiving the press can tell.
 */
export class StopRights {
  constructor(
    private readonly deps: {
      store: Keyv;
      postClient: WebClient;
      /** ADMIN_USER_IDS: may stop any answer. */
      admins: ReadonlySet<string>;
      log: Logger;
    },
  ) {}

  /** Remembers that the job's person asked in its thread. Never throws. */
  async asked(job: AnswerJob): Promise<void> {
    const thread = `stop:${job.place.channelId}:${job.place.threadTs}`;
    await Promise.all([
      this.deps.store.set(`${thread}:${job.userId}`, true, ASKED_KEEP_MS),
      // The latest asker is who others are told to ask.
      this.deps.store.set(thread, job.userId, ASKED_KEEP_MS),
    ]).catch((err) => this.deps.log.warn({ err, ref: job.eventId }, 'could not record who asked'));
  }

  /**
   * True when `userId` may stop the thread's answers; otherwise they are told privately who may,
   * and nothing is stopped.
   */
  async allows(channel: string, threadTs: string, userId: string): Promise<boolean> {
    if (this.deps.admins.has(userId)) return true;
    const thread = `stop:${channel}:${threadTs}`;
    const [mine, latest] = await Promise.all([
      this.deps.store.get<boolean>(`${thread}:${userId}`),
      this.deps.store.get<string>(thread),
    ]).catch(() => [undefined, undefined] as const);
    if (mine) return true;
    const who = typeof latest === 'string' ? `<@${latest}>, who asked,` : 'the person who asked';
    const text = `Only ${who} can stop this answer${this.deps.admins.size ? ' (or an admin of this bot)' : ''}.`;
    await callOnce(() =>
      this.deps.postClient.chat.postEphemeral({ channel, user: userId, thread_ts: threadTs, text }),
    ).catch((err) =>
      this.deps.log.warn({ code: slackErrorCode(err), channel }, 'could not say who may stop the answer'),
    );
    return false;
  }
}
