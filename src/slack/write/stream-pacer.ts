import { MemoryWindow } from './rate-window.js';
import { WriteQuota } from './write-quota.js';

/**
 * What the answers being written share: chat.appendStream's rate tier between the streams of this
 * process (each stream flushes at most every `60 s × active / perMinute`, never more than once a
 * second, so a few parallel answers stay inside the tier), and the workspace budgets of the other
 * write methods (`quota`, shared by replicas when built on Redis).
 * @see https://docs.slack.dev/reference/methods/chat.appendStream
 */
export class StreamPacer {
  private active = 0;
  constructor(
    private readonly perMinute: number,
    readonly quota: WriteQuota = new WriteQuota(new MemoryWindow()),
  ) {}
  open(): () => void {
    this.active++;
    let closed = false;
    return () => {
      if (!closed) this.active--;
      closed = true;
    };
  }
  intervalMs(): number {
    return Math.max(1000, Math.ceil((60_000 * Math.max(1, this.active)) / this.perMinute));
  }
}
