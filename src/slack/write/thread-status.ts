import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../platform/logger.js';
import { callOnce, slackErrorCode } from '../web.js';
import { AgentSession } from './session.js';
import type { WriteQuota } from './write-quota.js';

export const THINKING = 'is thinking…';
/** @see https://docs.slack.dev/reference/methods/assistant.threads.setStatus (loading_messages) */
const LOADING_MESSAGES = ['Reading the thread…', 'Thinking it over…', 'Writing the answer…'];

/**
 * What a thread shows while its answer is on the way: the agent session (processing, with
 * Slack's stop button), the assistant status with rotating loading messages, or, where Slack has
 * no status, a "Thinking…" placeholder message that the answer replaces. Status calls go out in
 * order, and `settled()` lets the writer wait for them, so a late status never lands on an answer
 * already showing.
 */
export class ThreadStatus {
  readonly session: AgentSession;
  private calls: Promise<void> = Promise.resolve();
  private shown = false;
  private placeholder: string | undefined;
  /** Set once the answer shows or ends: a status asked for after that is not shown. */
  private over = false;

  constructor(
    private readonly client: WebClient,
    private readonly where: { channel: string; threadTs: string; teamId: string },
    private readonly log: Logger,
    private readonly ref: string,
    private readonly quota: WriteQuota,
    /** Told the ts of the placeholder when one is posted. */
    private readonly onMessage: (ts: string | undefined) => void,
  ) {
    this.session = new AgentSession(client, where, log, ref, quota);
  }

  show(status = THINKING): Promise<void> {
    const shown = this.calls.then(() => this.set(status));
    this.calls = shown.catch(() => {});
    return shown;
  }

  /** The answer is showing or ending: no more statuses. */
  end(): void {
    this.over = true;
  }

  /** Resolves once every status call asked for so far is done. */
  settled(): Promise<void> {
    return this.calls;
  }

  /** Takes the placeholder's ts (to edit it into the answer or an error); undefined if none. */
  takePlaceholder(): string | undefined {
    const ts = this.placeholder;
    this.placeholder = undefined;
    return ts;
  }

  /** Deletes the placeholder, if any: the answer is in a message of its own. */
  async dropPlaceholder(): Promise<void> {
    const ts = this.takePlaceholder();
    if (ts) await this.client.chat.delete({ channel: this.where.channel, ts }).catch(() => {});
  }

  private async set(status: string): Promise<void> {
    if (this.over) return;
    await this.session.processing();
    try {
      await this.client.assistant.threads.setStatus({
        channel_id: this.where.channel,
        thread_ts: this.where.threadTs,
        status,
        // Slack rotates these under the status while the bot works (at most 10).
        ...(status === THINKING ? { loading_messages: LOADING_MESSAGES } : {}),
      });
      this.shown = true;
    } catch (err) {
      if (this.placeholder || this.shown) return;
      // No status in this conversation (older workspaces): a lightweight placeholder instead.
      this.log.debug(
        { ref: this.ref, code: slackErrorCode(err) },
        'setStatus unavailable; posting a placeholder',
      );
      await this.quota.post(this.where.teamId, this.where.channel);
      const r = await callOnce(() =>
        this.client.chat.postMessage({
          channel: this.where.channel,
          thread_ts: this.where.threadTs,
          text: '_Thinking…_',
        }),
      );
      this.placeholder = r.ts;
      this.onMessage(r.ts);
    }
  }
}
