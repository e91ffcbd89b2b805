/**
 * A plan streamed into a thread with Slack's chat-streaming chunks: `plan_update` (the plan's
 * title) and `task_update` (one task, updated in place by its id), shown together as one plan
 * block (`task_display_mode: 'plan'`), then the result as the stream's last markdown. An append
 * carries chunks or markdown_text, never both.
 * @see https://docs.slack.dev/reference/methods/chat.startStream (task_display_mode)
 * @see https://docs.slack.dev/reference/methods/chat.appendStream#chunks
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../platform/logger.js';
import { MAX_STREAM_BYTES } from '../limits.js';
import { callOnce } from '../web.js';
import type { WriteQuota } from './write-quota.js';

/** One task of a plan, as a `task_update` chunk carries it. */
export interface PlanTask {
  id: string;
  title: string;
  status: 'pending' | 'in_progress' | 'complete' | 'error';
  /** Under the title; at most 256 characters. */
  details?: string;
  /** Shown when the task ends; at most 256 characters. */
  output?: string;
}

/** Slack's cap on a task's details and output. */
const MAX_TASK_TEXT = 256;

const taskChunk = (t: PlanTask) => ({
  type: 'task_update' as const,
  id: t.id,
  title: t.title.slice(0, MAX_TASK_TEXT),
  status: t.status,
  ...(t.details ? { details: t.details.slice(0, MAX_TASK_TEXT) } : {}),
  ...(t.output ? { output: t.output.slice(0, MAX_TASK_TEXT) } : {}),
});

export interface PlanStreamTarget {
  channel: string;
  threadTs: string;
  teamId: string;
  /** Who asked: in a channel only they see the stream grow. */
  userId: string;
}

/**
 * The plan message in a thread. Every call is tried once and failures are logged, never thrown:
 * the plan is a courtesy, the result is what matters. `start` answers false when no stream could
 * be started (no start left this minute, or Slack refused): the caller posts its result instead.
 */
export class PlanStream {
  private ts: string | undefined;
  /** Updates are sent in order, one at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: WebClient,
    private readonly quota: WriteQuota,
    private readonly target: PlanStreamTarget,
    private readonly log: Logger,
  ) {}

  get messageTs(): string | undefined {
    return this.ts;
  }

  async start(title: string, tasks: readonly PlanTask[]): Promise<boolean> {
    const { channel, threadTs, teamId, userId } = this.target;
    if (!(await this.quota.tryStart(teamId))) return false;
    try {
      const r = await callOnce(() =>
        this.client.chat.startStream({
          channel,
          thread_ts: threadTs,
          recipient_team_id: teamId,
          recipient_user_id: userId,
          task_display_mode: 'plan',
          chunks: [{ type: 'plan_update', title: title.slice(0, MAX_TASK_TEXT) }, ...tasks.map(taskChunk)],
        }),
      );
      this.ts = r.ts;
      return Boolean(r.ts);
    } catch (err) {
      this.log.info({ err, channel }, 'the plan could not be streamed');
      return false;
    }
  }

  /** Sends changed tasks (in order, after any update under way). */
  update(changed: readonly PlanTask[]): Promise<void> {
    const ts = this.ts;
    if (!ts || changed.length === 0) return this.queue.then(() => {});
    const chunks = changed.map(taskChunk);
    this.queue = this.queue.then(() =>
      callOnce(() => this.client.chat.appendStream({ channel: this.target.channel, ts, chunks })).catch(
        (err) => this.log.info({ err }, 'a plan update was not shown'),
      ),
    );
    return this.queue.then(() => {});
  }

  /**
   * Ends the stream with `markdown` as its text when it fits one streamed message; answers whether
   * it went (false: the caller posts it in a message of its own).
   */
  async finish(markdown: string | undefined, extra: { metadata?: unknown } = {}): Promise<boolean> {
    await this.queue;
    const ts = this.ts;
    if (!ts) return false;
    const fits = markdown !== undefined && Buffer.byteLength(markdown) <= MAX_STREAM_BYTES;
    await this.quota.stop(this.target.teamId);
    try {
      await callOnce(() =>
        this.client.chat.stopStream({
          channel: this.target.channel,
          ts,
          ...(fits ? { markdown_text: markdown } : {}),
          ...(extra.metadata ? { metadata: extra.metadata as never } : {}),
        }),
      );
      return fits;
    } catch (err) {
      this.log.info({ err }, 'the plan stream could not be stopped with the result');
      return false;
    }
  }
}
