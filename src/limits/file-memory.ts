import Bottleneck from 'bottleneck';

/**
 * How many bytes of shared files the questions of one process may hold at once
 * (FILES_MEMORY_MAX_BYTES). A question holds its files from download until its answer ends, about
 * six times their size in memory (base64, the request's body and the HTTP stream's copy); one
 * whose files do not fit waits for others to end, in order, while questions without files go on.
 * Bottleneck's weighted concurrency is the semaphore: a question's hold is a job that runs until
 * released.
 */
export class FileMemory {
  private readonly limiter: Bottleneck;
  private heldBytes = 0;
  private waiting = 0;

  constructor(readonly maxBytes: number) {
    this.limiter = new Bottleneck({ maxConcurrent: maxBytes });
  }

  /** Bytes held now. */
  get held(): number {
    return this.heldBytes;
  }

  /**
   * Waits until `bytes` fit (all of it for a question larger than the whole budget: it then runs
   * alone) and resolves with the function that gives them back. `onWait` is told once if it must
   * wait; aborting `signal` while waiting rejects and holds nothing.
   */
  async hold(bytes: number, opts: { onWait?: () => void; signal?: AbortSignal } = {}): Promise<() => void> {
    const weight = Math.max(1, Math.min(Math.ceil(bytes), this.maxBytes));
    if (this.heldBytes + weight > this.maxBytes || this.waiting > 0) opts.onWait?.();
    this.waiting++;
    let release = () => {};
    const started = new Promise<void>((resolveStarted, rejectStarted) => {
      const abort = () => rejectStarted(opts.signal?.reason ?? new Error('aborted'));
      opts.signal?.addEventListener('abort', abort, { once: true });
      void this.limiter.schedule({ weight }, () => {
        this.waiting--;
        opts.signal?.removeEventListener('abort', abort);
        // Aborted while waiting: its turn came, give it back at once.
        if (opts.signal?.aborted) return Promise.resolve();
        this.heldBytes += weight;
        return new Promise<void>((done) => {
          release = () => {
            this.heldBytes -= weight;
            done();
          };
          resolveStarted();
        });
      });
    });
    await started;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  }
}
