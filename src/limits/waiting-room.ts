import { QueueFullError } from './queue.js';

/**
 * Where questions wait before any work is done for them: only `slots` answers at a time load
 * their conversation and go on to the Claude queue; the rest wait here as plain jobs, in order.
 * A question that waits is then read as it stands when its turn comes (edited or deleted
 * meanwhile), a burst costs Slack no burst of history reads, and a waiting question holds little
 * memory.
 */
export class WaitingRoom {
  private active = 0;
  private readonly line: Array<() => void> = [];

  constructor(
    private readonly opts: {
      /** Answers past the door at once (loading history, in the Claude queue or running). */
      slots: number;
      /** Questions that may wait; one more is refused (QueueFullError: "busy"). */
      maxWaiting: number;
    },
  ) {}

  get waiting(): number {
    return this.line.length;
  }

  /**
   * Resolves with `leave` once the caller may start. `onQueued` hears how many wait ahead (0:
   * next in line) when it has to wait; an abort while waiting gives up its place (rejects with the signal's reason).
   */
  async enter(opts: { onQueued?: (ahead: number) => void; signal?: AbortSignal } = {}): Promise<() => void> {
    opts.signal?.throwIfAborted();
    if (this.active < this.opts.slots && this.line.length === 0) {
      this.active++;
      return this.leaver();
    }
    if (this.line.length >= this.opts.maxWaiting) {
      throw new QueueFullError(`${this.line.length} questions waiting`);
    }
    opts.onQueued?.(this.line.length);
    await new Promise<void>((resolve, reject) => {
      const turn = () => {
        opts.signal?.removeEventListener('abort', abandon);
        resolve();
      };
      const abandon = () => {
        const at = this.line.indexOf(turn);
        if (at >= 0) this.line.splice(at, 1);
        reject(opts.signal?.reason);
      };
      opts.signal?.addEventListener('abort', abandon, { once: true });
      this.line.push(turn);
    });
    return this.leaver();
  }

  /** Hands the slot to the next in line, or frees it; a second call does nothing. */
  private leaver(): () => void {
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const next = this.line.shift();
      if (next) next();
      else this.active--;
    };
  }
}
