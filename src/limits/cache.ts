import { createHash } from 'node:crypto';
import type Keyv from 'keyv';
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
  const canonical = JSON.stringify([
    version,
    req.model,
    req.maxTokens,
    req.system,
    req.messages,
    req.profile ?? null,
    req.tools ?? null,
    req.mcpServers ?? null,
  ]);
  const hash = createHash('sha256').update(canonical).digest('hex');
  return `answer:${scope.teamId}:${scope.channelId}:${hash}`;
}

export interface AnswerCache {
  get(key: string): Promise<CachedAnswer | undefined>;
  set(key: string, value: CachedAnswer): Promise<void>;
}

/**
 * Keyv-backed cache that never blocks an answer: a store that fails or is slow counts as a miss.
 */
export function createAnswerCache(keyv: Keyv, ttlSeconds: number, timeoutMs = 500): AnswerCache {
  const bounded = <T>(p: Promise<T>, fallback: T): Promise<T> =>
    Promise.race([
      p.catch(() => fallback),
      new Promise<T>((resolve) => setTimeout(resolve, timeoutMs, fallback).unref()),
    ]);
  return {
    get: (key) =>
      ttlSeconds > 0
        ? bounded(keyv.get<CachedAnswer>(key) as Promise<CachedAnswer | undefined>, undefined)
        : Promise.resolve(undefined),
    set: async (key, value) => {
      if (ttlSeconds > 0) await bounded(keyv.set(key, value, ttlSeconds * 1000), false);
    },
  };
}
