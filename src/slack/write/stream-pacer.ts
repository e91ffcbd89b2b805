/**
 * Shares chat.appendStream's rate tier between the streams of this process: each stream flushes
 * at most every `60 s × active / perMinute` (never more than once a second), so a few parallel
 * answers stay inside the tier instead of being throttled.
 * @see https://docs.slack.dev/reference/methods/chat.appendStream
 */
export class StreamPacer {
  private active = 0;
  constructor(private readonly perMinute: number) {}
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
