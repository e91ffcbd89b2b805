/**
 * A result being produced once and followed by any number of readers: identical requests in
 * flight at the same time share one Claude call. Late joiners get the text so far, then the rest.
 */
export class SharedStream<T> {
  private text = '';
  private listeners = new Set<(delta: string) => void>();
  readonly done: Promise<T>;

  constructor(run: (emit: (delta: string) => void) => Promise<T>) {
    this.done = run((delta) => {
      this.text += delta;
      for (const l of this.listeners) l(delta);
    });
    // Followers attach their own handlers; this keeps an unobserved failure from being "unhandled".
    this.done.catch(() => {});
  }

  /** Replays what was produced so far, then follows; resolves with the final result. */
  follow(onText: (delta: string) => void): Promise<T> {
    if (this.text) onText(this.text);
    this.listeners.add(onText);
    return this.done.finally(() => this.listeners.delete(onText));
  }
}

/** In-process single-flight by key. */
export class SingleFlight<T> {
  private inflight = new Map<string, SharedStream<T>>();

  /** Runs `run` unless a call with the same key is in flight; `joined` says which happened. */
  run(
    key: string,
    run: (emit: (delta: string) => void) => Promise<T>,
    onText: (delta: string) => void,
  ): { joined: boolean; result: Promise<T> } {
    const existing = this.inflight.get(key);
    if (existing) return { joined: true, result: existing.follow(onText) };
    const shared = new SharedStream(run);
    this.inflight.set(key, shared);
    shared.done.then(
      () => this.inflight.delete(key),
      () => this.inflight.delete(key),
    );
    return { joined: false, result: shared.follow(onText) };
  }

  get size(): number {
    return this.inflight.size;
  }
}
