import { MemoryWindow } from './rate-window.js';
import { WriteQuota } from './write-quota.js';

/**
 * What the answers being written share: chat.appendStream's rate tier between the streams of this
 * process in one workspace (each stream flushes at most every `60 s × active / perMinute`, where
 * `active` counts that workspace's streams only, never more than once a second, so a few parallel
 * answers stay inside the tier), and the workspace budgets of the other write methods (`quota`,
 * shared by replicas when built on Redis). Slack counts every tier per workspace: a workspace
 * streaming many answers does not slow another's.
 * @see https://docs.slack.dev/reference/methods/chat.appendStream
 * @see https://docs.slack.dev/apis/web-api/rate-limits ("per API method per workspace/team per app")
 */
export class StreamPacer {
  private readonly active = new Map<string, number>();
  constructor(
    private readonly perMinute: number,
    readonly quota: WriteQuota = new WriteQuota(new MemoryWindow()),
  ) {}

  /** A stream of workspace `team` begins; the function returned ends it. */
  open(team: string): () => void {
    this.active.set(team, (this.active.get(team) ?? 0) + 1);
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      const left = (this.active.get(team) ?? 1) - 1;
      if (left > 0) this.active.set(team, left);
      else this.active.delete(team);
    };
  }

  /** How long a stream of workspace `team` waits between appends now. */
  intervalMs(team: string): number {
    const active = Math.max(1, this.active.get(team) ?? 0);
    return Math.max(1000, Math.ceil((60_000 * active) / this.perMinute));
  }
}
