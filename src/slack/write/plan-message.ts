/**
 * A plan shown in an ordinary message: Block Kit's `plan` block (one task card per task), edited in
 * place with chat.update as the tasks change. Unlike a chat stream's plan it needs no thread, no
 * recipient and no stream start (Tier 2), and everyone in the channel sees it change: in a channel
 * only a stream's recipient sees it grow.
 * @see https://docs.slack.dev/reference/block-kit/blocks/plan-block
 * @see https://docs.slack.dev/reference/block-kit/blocks/task-card-block
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../platform/logger.js';
import { callOnce } from '../web.js';
import type { PlanTask } from './plan-stream.js';
import type { WriteQuota } from './write-quota.js';

type Block = Record<string, unknown>;

/** Slack's cap on a task's title, details and output as the plan shows them. */
const MAX_TASK_TEXT = 256;

const richText = (text: string): Block => ({
  type: 'rich_text',
  elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: text.slice(0, MAX_TASK_TEXT) }] }],
});

/** The plan as a `plan` block: its title and a task card per task (details and output as rich text). */
export function planBlock(title: string, tasks: readonly PlanTask[]): Block {
  return {
    type: 'plan',
    title: title.slice(0, MAX_TASK_TEXT),
    tasks: tasks.map((t) => ({
      task_id: t.id,
      title: t.title.slice(0, MAX_TASK_TEXT),
      status: t.status,
      ...(t.details ? { details: richText(t.details) } : {}),
      ...(t.output ? { output: richText(t.output) } : {}),
    })),
  };
}

/**
 * Edits of one message while its plan advances: in order, one at a time, each tried once; an edit
 * goes only while the workspace's update budget has room for progress (it never waits), and
 * failures are logged, never thrown: the plan is a courtesy, the result is what matters.
 */
export class PlanMessage {
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly client: WebClient,
    private readonly quota: WriteQuota,
    private readonly target: { channel: string; ts: string; teamId: string },
    private readonly log: Logger,
    /** False once this process may write nothing more (a halted replica). */
    private readonly alive: () => boolean = () => true,
  ) {}

  /** Shows `message` (text and blocks) after the edits before it; dropped once closed. */
  show(message: { text: string; blocks: Block[] }): void {
    if (this.closed) return;
    const { channel, ts, teamId } = this.target;
    this.queue = this.queue.then(async () => {
      if (this.closed || !this.alive() || !(await this.quota.update(teamId, false))) return;
      await callOnce(() => this.client.chat.update({ channel, ts, ...message })).catch((err) =>
        this.log.info({ err, channel }, 'a plan update was not shown'),
      );
    });
  }

  /** No more progress edits; resolves once the one under way has ended (the result goes after it). */
  async close(): Promise<void> {
    const pending = this.queue;
    this.closed = true;
    await pending;
  }
}
