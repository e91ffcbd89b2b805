import { callOnce, slackErrorCode } from '../web.js';
import { AgentSession, type ThreadWriter } from './session.js';

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
    private readonly w: ThreadWriter,
    /** Told the ts of the placeholder when one is posted. */
    private readonly onMessage: (ts: string | undefined) => void,
  ) {
    this.session = new AgentSession(w);
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
    if (ts) await this.w.client.chat.delete({ channel: this.w.where.channel, ts }).catch(() => {});
  }

  private async set(status: string): Promise<void> {
    if (this.over) return;
    await this.session.processing();
    try {
      await this.w.client.assistant.threads.setStatus({
        channel_id: this.w.where.channel,
        thread_ts: this.w.where.threadTs,
        status,
        // Slack rotates these under the status while the bot works (at most 10).
        ...(status === THINKING ? { loading_messages: LOADING_MESSAGES } : {}),
      });
      this.shown = true;
    } catch (err) {
      if (this.placeholder || this.shown) return;
      // No status in this conversation (older workspaces): a lightweight placeholder instead.
      this.w.log.debug(
        { ref: this.w.ref, code: slackErrorCode(err) },
        'setStatus unavailable; posting a placeholder',
      );
      await this.w.quota.post(this.w.where.teamId, this.w.where.channel);
      const r = await callOnce(() =>
        this.w.client.chat.postMessage({
          channel: this.w.where.channel,
          thread_ts: this.w.where.threadTs,
          text: '_Thinking…_',
        }),
      );
      this.placeholder = r.ts;
      this.onMessage(r.ts);
    }
  }
}
