/**
 * History reads for a commercially distributed app outside the Marketplace (SLACK_HISTORY_LIMITED):
 * Slack allows it one conversations.replies call a minute per workspace, 15 messages each (internal
 * apps keep Tier 3 and 1,000 a page). So a thread is read once and kept (the store: shared by
 * replicas with Redis), a later question in it reads only what came after what is kept, and a
 * question that finds the workspace's minute spent is answered from what is kept. What could not
 * be read is counted, so the answer can say so.
 * @see https://docs.slack.dev/changelog/2025/05/29/rate-limit-changes-for-non-marketplace-apps
 * @see LIBRARY-FACTS.md, "Platform limits worth designing for"
 */
import type { WebClient } from '@slack/web-api';
import type Keyv from 'keyv';
import type { RateWindow } from '../write/rate-window.js';
import type { SlackMessage } from './messages.js';
import type { ThreadRead } from './thread.js';

/** Messages a call returns at most for such an app, the thread's parent included. */
export const LIMITED_HISTORY_MESSAGES = 15;
/** Calls a minute per workspace (a little more than a minute: ours starts before Slack's). */
export const LIMITED_HISTORY_CALLS = { limit: 1, windowMs: 62_000 };
/** How long a thread's messages are kept for the next question in it. */
const KEEP_MS = 60 * 60_000;

interface Kept {
  /**
   * The parent, then the replies read, oldest first and without a gap: each read starts where the
   * one before ended.
   */
  messages: SlackMessage[];
}

const num = (ts: string | undefined) => Number(ts ?? 0);

export class LimitedHistory {
  constructor(
    private readonly window: RateWindow,
    private readonly store: Keyv,
  ) {}

  /**
   * The thread up to `latest`, within the quota: `partial` when some of it could not be read (the
   * quota spent, or more than one call's worth of new replies); `unread` counts those Slack's
   * `reply_count` says exist.
   */
  async readThread(
    client: WebClient,
    team: string,
    channel: string,
    threadTs: string,
    latest: string,
  ): Promise<ThreadRead & { partial: boolean }> {
    const key = `thread-read:${team}:${channel}:${threadTs}`;
    const kept = ((await this.store.get(key).catch(() => undefined)) as Kept | undefined) ?? { messages: [] };
    const upTo = (ms: SlackMessage[]) => ms.filter((m) => num(m.ts) <= num(latest));
    const newest = kept.messages.at(-1)?.ts;
    if (newest && num(newest) >= num(latest))
      return { messages: upTo(kept.messages), unread: 0, calls: 0, partial: false };
    const { limit, windowMs } = LIMITED_HISTORY_CALLS;
    if ((await this.window.take(`history:${team}`, limit, windowMs)) > 0) {
      return { messages: upTo(kept.messages), unread: 0, calls: 0, partial: true };
    }
    const r = await client.conversations.replies({
      channel,
      ts: threadTs,
      latest,
      inclusive: true,
      limit: LIMITED_HISTORY_MESSAGES,
      // Only what came after what is kept: a thread is read once, then its new end.
      ...(newest && newest !== threadTs ? { oldest: newest } : {}),
    });
    const got = (r.messages ?? []) as SlackMessage[];
    const parent = got.find((m) => m.ts === threadTs) ?? kept.messages.find((m) => m.ts === threadTs);
    const byTs = new Map<string, SlackMessage>();
    for (const m of [...kept.messages, ...got]) if (m.ts && m.ts !== threadTs) byTs.set(m.ts, m);
    const replies = [...byTs.values()].sort((a, b) => num(a.ts) - num(b.ts));
    const more = Boolean(r.has_more || r.response_metadata?.next_cursor);
    const messages = [...(parent ? [parent] : []), ...replies];
    await this.store.set(key, { messages } satisfies Kept, KEEP_MS).catch(() => {});
    // Replies Slack counts that were not read: past the page, up to the question.
    const total = Math.trunc(Number((parent as { reply_count?: number } | undefined)?.reply_count) || 0);
    const unread = more ? Math.max(1, total - replies.length) : 0;
    return { messages: upTo(messages), unread, calls: 1, partial: unread > 0 };
  }
}
