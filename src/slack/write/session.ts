import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../platform/logger.js';
import { slackErrorCode } from '../web.js';
import { cutAtWord } from './format.js';
import type { WriteQuota } from './write-quota.js';

/** What writes into one thread need: the client, the thread, the log, the event's reference, the budgets. */
export interface ThreadWriter {
  client: WebClient;
  where: { channel: string; threadTs: string; teamId: string };
  log: Logger;
  ref: string;
  quota: WriteQuota;
}

/**
 * The thread's agent session (Slack's agent experience): `processing` while the bot works, which
 * gives people the native stop button, then `active` again. `chat.stopStream` moves it to active
 * by itself; otherwise done() does. Where sessions are not available (an app not declared as an
 * agent, an older workspace) nothing is shown and the assistant status stays the only sign.
 * @see https://docs.slack.dev/ai/agent-sessions
 */
/** A short session title (Slack takes 1–200 characters; a list of conversations shows few). */
const MAX_TITLE = 60;

export class AgentSession {
  private state: 'unknown' | 'on' | 'off' = 'unknown';
  private stoppedByStream = false;

  constructor(private readonly w: ThreadWriter) {}

  /**
   * Sets the session to processing (creating it) the first time; later calls do nothing. Only when
   * the workspace's session budget has room now: a busy workspace answers without the session (the
   * assistant status still shows) rather than wait or be refused.
   */
  async processing(): Promise<void> {
    if (this.state !== 'unknown') return;
    if (!(await this.w.quota.session(this.w.where.teamId, true))) {
      this.state = 'off';
      return;
    }
    this.state = (await this.set('processing')) ? 'on' : 'off';
  }

  /**
   * Names the session (a DM's list of conversations shows it), once it exists: a title of at most
   * 200 characters, cut at a word.
   */
  async rename(title: string): Promise<void> {
    if (this.state !== 'on') return;
    const cut = cutAtWord(title, MAX_TITLE);
    if (!cut || !(await this.w.quota.session(this.w.where.teamId, true))) return;
    await this.w.client.agents.sessions
      .rename({ channel_id: this.w.where.channel, thread_ts: this.w.where.threadTs, title: cut })
      .catch((err) =>
        this.w.log.debug({ ref: this.w.ref, code: slackErrorCode(err) }, 'agent session not renamed'),
      );
  }

  /** A stream of the answer was stopped: Slack set the session to active itself. */
  streamStopped(): void {
    this.stoppedByStream = true;
  }

  /** Out of processing once the answer is done, unless a stream's stop already did it. */
  async done(): Promise<void> {
    if (this.state !== 'on' || this.stoppedByStream) return;
    // A session left in processing keeps its stop button: worth a short wait for the budget.
    await this.w.quota.session(this.w.where.teamId);
    await this.set('active');
  }

  private async set(status: 'processing' | 'active'): Promise<boolean> {
    try {
      await this.w.client.agents.sessions.setStatus({
        channel_id: this.w.where.channel,
        thread_ts: this.w.where.threadTs,
        status,
      });
      return true;
    } catch (err) {
      this.w.log.debug(
        { ref: this.w.ref, code: slackErrorCode(err), status },
        'agent session status not set',
      );
      return false;
    }
  }
}
