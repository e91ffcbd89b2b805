/**
 * A Map that cannot grow without end: at most `max` entries (setting one more drops the entry
 * set longest ago) and each entry expires `ttlMs` after it was set (unless given its own). Every
 * in-memory table keyed by something Slack sends (people, channels, threads, events) is one, so
 * a flood of distinct keys costs bounded memory. Every operation is O(1); expired entries are
 * dropped when read, or as the oldest when the map is full.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();
  private readonly max: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(opts: { max: number; ttlMs?: number; now?: () => number }) {
    if (!(opts.max >= 1)) throw new RangeError('BoundedMap needs max ≥ 1');
    this.max = opts.max;
    this.ttlMs = opts.ttlMs ?? Number.POSITIVE_INFINITY;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until > this.now()) return e.value;
    this.entries.delete(key);
    return undefined;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  /** Sets (and moves to the newest place); `ttlMs` overrides the map's for this entry. */
  set(key: K, value: V, ttlMs = this.ttlMs): this {
    this.entries.delete(key);
    this.entries.set(key, { value, until: this.now() + ttlMs });
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as K);
    return this;
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  /** Live entries, oldest set first. */
  *[Symbol.iterator](): IterableIterator<[K, V]> {
    const now = this.now();
    for (const [k, e] of this.entries) if (e.until > now) yield [k, e.value];
  }
}
