import { createHash } from 'node:crypto';
import type Keyv from 'keyv';
import { sourceHash } from '../claude/attachments.js';
import type { ClaudeRequest } from '../claude/client.js';

/** A complete answer kept for reuse. Cut or failed answers are never stored. */
export interface CachedAnswer {
  text: string;
  at: number;
}

/**
 * The cache key: SHA-256 of the canonical request, always scoped by workspace and conversation so
 * an answer computed from a private channel or a DM is never served anywhere else.
 */
export function answerKey(
  scope: { teamId: string; channelId: string },
  req: ClaudeRequest,
  version: string,
): string {
  const canonical = JSON.stringify(
    [
      version,
      req.model,
      req.maxTokens,
      req.system,
      req.messages,
      req.profile ?? null,
      req.tools ?? null,
      req.mcpServers ?? null,
      req.wish ?? null,
    ],
    // A file's base64 (megabytes) is keyed by the hash of its bytes instead.
    (k, v: unknown) => (k === 'source' && sourceHash(v) ? { sha256: sourceHash(v) } : v),
  );
  const hash = createHash('sha256').update(canonical).digest('hex');
  return `answer:${scope.teamId}:${scope.channelId}:${hash}`;
}

export interface AnswerCache {
  /** CACHE_TTL_SECONDS: the lifetime where no profile sets its own. */
  readonly defaultTtlSeconds: number;
  /** `ttlSeconds` (a channel profile's) overrides the default: 0 = not cached; older answers miss. */
  get(key: string, ttlSeconds?: number): Promise<CachedAnswer | undefined>;
  set(key: string, value: CachedAnswer, ttlSeconds?: number): Promise<void>;
}

/**
 * Keyv-backed cache that never blocks an answer: a store that fails or is slow counts as a miss.
 */
export function createAnswerCache(keyv: Keyv, defaultTtlSeconds: number, timeoutMs = 500): AnswerCache {
  const bounded = <T>(p: Promise<T>, fallback: T): Promise<T> =>
    Promise.race([
      p.catch(() => fallback),
      new Promise<T>((resolve) => setTimeout(resolve, timeoutMs, fallback).unref()),
    ]);
  return {
    defaultTtlSeconds,
    get: async (key, ttlSeconds = defaultTtlSeconds) => {
      if (ttlSeconds <= 0) return undefined;
      const hit = await bounded(keyv.get<CachedAnswer>(key) as Promise<CachedAnswer | undefined>, undefined);
      // Stored under a longer lifetime (the profile changed since): too old for this one.
      return hit && Date.now() - hit.at <= ttlSeconds * 1000 ? hit : undefined;
    },
    set: async (key, value, ttlSeconds = defaultTtlSeconds) => {
      if (ttlSeconds > 0) await bounded(keyv.set(key, value, ttlSeconds * 1000), false);
    },
  };
}
