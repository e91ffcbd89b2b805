/**
 * Anthropic's prompt caching as the fake API models it, so a test or the bench can see whether
 * the bot's requests stay cacheable. The prompt is read as blocks in the API's order (tools,
 * system, messages); a block with `cache_control` is a breakpoint. A request reads the longest
 * prefix an earlier request wrote, found at a breakpoint or up to 20 blocks before one, and writes
 * the prefix up to each breakpoint that is at least the minimum length. Entries live 5 minutes
 * from their last use. Tokens are counted like the fake's input estimate (characters × a rate).
 * @see https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching
 */
import { createHash } from 'node:crypto';
import type { MessagesRequestBody, RequestContentBlock } from './offline-model.js';

/** The shortest prompt most models cache (Anthropic's minimum for Sonnet and Opus). */
export const MIN_CACHEABLE_TOKENS = 1024;
/** How far before a breakpoint the API looks for an earlier cached prefix. */
const LOOKBACK_BLOCKS = 20;
const TTL_MS = 5 * 60 * 1000;
/** Entries kept before expired ones are swept. */
const SWEEP_AT = 10_000;

/** A request's input tokens, split as the API's usage reports them. */
export interface CacheUsage {
  /** Not read from nor written to the cache (`input_tokens`). */
  input: number;
  cacheRead: number;
  cacheWrite: number;
}

export class FakePromptCache {
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly tokensPerChar: number,
    private readonly minTokens = MIN_CACHEABLE_TOKENS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Accounts one request: what it read, what it wrote, and the rest. Time linear in its size. */
  account(body: MessagesRequestBody): CacheUsage {
    const now = this.now();
    // One running hash over the prefix: the model, then each block without its cache_control.
    const hash = createHash('sha256').update(String(body.model));
    const boundaries: Array<{ key: string; chars: number; breakpoint: boolean }> = [];
    let chars = 0;
    const add = (block: unknown, role: string, size: number, breakpoint: boolean) => {
      const { cache_control: _, ...content } = (
        typeof block === 'object' && block !== null
          ? block
          : {
              text: block,
            }
      ) as RequestContentBlock;
      hash.update(`\u0000${role}\u0000${JSON.stringify(content)}`);
      chars += size;
      boundaries.push({ key: hash.copy().digest('hex'), chars, breakpoint });
    };
    for (const tool of (body.tools as Array<{ cache_control?: unknown }> | undefined) ?? [])
      add(tool, 'tool', 0, Boolean(tool.cache_control));
    for (const [role, content] of [
      ['system', body.system] as const,
      ...(body.messages ?? []).map((m) => [m.role, m.content] as const),
    ]) {
      if (typeof content === 'string') add(content, role, content.length, false);
      else for (const b of content ?? []) add(b, role, blockSize(b), Boolean(b.cache_control));
    }
    const total = Math.max(1, Math.ceil(chars * this.tokensPerChar));
    const tokens = (c: number) => Math.ceil(c * this.tokensPerChar);
    let read = 0;
    let readKey: string | undefined;
    let lastBreakpoint = -1;
    for (const [i, b] of boundaries.entries()) {
      if (!b.breakpoint) continue;
      lastBreakpoint = i;
      for (let j = i; j >= 0 && j > i - LOOKBACK_BLOCKS; j--) {
        const at = boundaries[j] as (typeof boundaries)[number];
        if ((this.entries.get(at.key) ?? 0) <= now) continue;
        if (tokens(at.chars) > read) {
          read = tokens(at.chars);
          readKey = at.key;
        }
        break;
      }
    }
    if (readKey) this.entries.set(readKey, now + TTL_MS);
    let written = read;
    for (const b of boundaries.slice(0, lastBreakpoint + 1)) {
      if (!b.breakpoint || tokens(b.chars) < this.minTokens || tokens(b.chars) <= read) continue;
      this.entries.set(b.key, now + TTL_MS);
      written = tokens(b.chars);
    }
    this.sweep(now);
    const cacheWrite = written - read;
    return { input: Math.max(0, total - read - cacheWrite), cacheRead: read, cacheWrite };
  }

  private sweep(now: number): void {
    if (this.entries.size < SWEEP_AT) return;
    for (const [k, expires] of this.entries) if (expires <= now) this.entries.delete(k);
  }
}

/**
 * A block's size as the fake's input estimate counts it: its text, else its JSON (images and tool
 * results still cost tokens; their JSON size is a crude but stable proxy).
 */
export function blockSize(b: RequestContentBlock): number {
  return typeof b.text === 'string' ? b.text.length : JSON.stringify(b).length;
}
