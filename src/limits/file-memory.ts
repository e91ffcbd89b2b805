/**
 * How many bytes of shared files the questions of one process may hold at once
 * (FILES_MEMORY_MAX_BYTES). A question holds its files from download until Claude is done with
 * them, about six times their size in memory (base64, the request's body and the HTTP stream's
 * copy); one whose files do not fit waits, in order, while questions without files go on.
 *
 * A weighted semaphore of its own: Bottleneck's weighted jobs would do the waiting, but a job
 * cannot leave its queue, so a question stopped while waiting would still block those behind it.
 */
export class FileMemory {
  private heldBytes = 0;
  /** Waiting holds, first come first served (a large one is not overtaken for ever). */
  private readonly queue: Array<{ bytes: number; grant: () => void }> = [];

  constructor(readonly maxBytes: number) {}

  /** Bytes held now. */
  get held(): number {
    return this.heldBytes;
  }

  /**
   * Waits until `bytes` fit (all of the budget for a question larger than it: it then runs alone)
   * and resolves with the function that gives them back. `onWait` is told if it must wait;
   * aborting `signal` while waiting rejects with its reason and holds nothing.
   */
  async hold(bytes: number, opts: { onWait?: () => void; signal?: AbortSignal } = {}): Promise<() => void> {
    opts.signal?.throwIfAborted();
    const weight = Math.max(1, Math.min(Math.ceil(bytes), this.maxBytes));
    if (this.queue.length > 0 || this.heldBytes + weight > this.maxBytes) {
      opts.onWait?.();
      await new Promise<void>((resolve, reject) => {
        const entry = { bytes: weight, grant: resolve };
        const abort = () => {
          const i = this.queue.indexOf(entry);
          if (i >= 0) this.queue.splice(i, 1);
          this.grantWaiting();
          reject(opts.signal?.reason);
        };
        entry.grant = () => {
          opts.signal?.removeEventListener('abort', abort);
          resolve();
        };
        opts.signal?.addEventListener('abort', abort, { once: true });
        this.queue.push(entry);
      });
    } else {
      this.heldBytes += weight;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.heldBytes -= weight;
      this.grantWaiting();
    };
  }

  /** Lets in the waiting holds at the head of the line that fit now. */
  private grantWaiting(): void {
    for (
      let head = this.queue[0];
      head && this.heldBytes + head.bytes <= this.maxBytes;
      head = this.queue[0]
    ) {
      this.queue.shift();
      this.heldBytes += head.bytes;
      head.grant();
    }
  }
}
