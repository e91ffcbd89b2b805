import { setTimeout as sleep } from 'node:timers/promises';
import {
  ErrorCode,
  type Logger as SlackLogger,
  type WebAPICallResult,
  WebClient,
  WebClientEvent,
} from '@slack/web-api';
import type { Metrics } from '../platform/metrics.js';
import type { Workspaces } from './workspaces.js';
import { safeResponseFetch, safeWrite } from './write/safe-write.js';

export interface WebClientSettings {
  /** One workspace's token (SLACK_BOT_TOKEN); unset with `workspaces` in multi-workspace mode. */
  token: string | undefined;
  /** Multi-workspace mode: each call takes the token of the workspace it is made for. */
  workspaces?: Workspaces;
  apiUrl: string;
  logger: SlackLogger;
  /** Told of every call (method, ok or error) and every HTTP 429 (metrics). */
  observe?: WebCallObserver;
  /** The fetch to send requests with (the egress proxy); default the global one. */
  fetch?: typeof fetch;
  /**
   * Let Slack unfurl links and media in what the bot posts (UNFURL_LINKS). Off by default: a link
   * the model writes would make Slack fetch a URL that may carry conversation text.
   */
  unfurl?: boolean;
}

export interface WebCallObserver {
  call(method: string, ok: boolean): void;
  rateLimited(method: string): void;
}

/** A WebClient that reports each call; the SDK's method helpers all go through apiCall. */
class ObservedWebClient extends WebClient {
  observer: WebCallObserver | undefined;
  unfurl = false;
  /** Told of a permission Slack says the app lacks, once per scope. */
  lacking: ((method: string, scope: string) => void) | undefined;
  workspaces: Workspaces | undefined;

  override async apiCall(method: string, options?: Record<string, unknown>): Promise<WebAPICallResult> {
    options = safeWrite(method, options, this.unfurl);
    if (this.workspaces?.multi && !options?.token) {
      // Each workspace's own token; outside any workspace there is none to guess.
      const token = this.workspaces.current()?.botToken;
      if (!token) throw new Error(`Slack ${method}: called outside any workspace (multi-workspace mode)`);
      options = { ...options, token };
    }
    try {
      const r = await super.apiCall(method, options);
      this.observer?.call(method, true);
      return r;
    } catch (err) {
      this.observer?.call(method, false);
      const scope = missingScope(err);
      if (scope) this.lacking?.(method, scope);
      throw err;
    }
  }
}

function build(s: WebClientSettings, options: ConstructorParameters<typeof WebClient>[1]): WebClient {
  const client = new ObservedWebClient(s.token, {
    slackApiUrl: s.apiUrl,
    logger: s.logger,
    ...(s.fetch ? { fetch: s.fetch } : {}),
    ...options,
  });
  client.unfurl = s.unfurl ?? false;
  client.workspaces = s.workspaces;
  const told = new Set<string>();
  client.lacking = (method, scope) => {
    if (told.has(scope)) return;
    told.add(scope);
    s.logger.warn(
      `Slack: the app lacks the scope ${scope} (needed by ${method}); an admin must add it and reinstall the app`,
    );
  };
  const observer = s.observe;
  if (observer) {
    client.observer = observer;
    // Emitted for every 429, also those the SDK retries by itself.
    client.on(WebClientEvent.RATE_LIMITED, (_sec: number, { url }: { url: string }) =>
      observer.rateLimited(url.slice(url.lastIndexOf('/') + 1)),
    );
  }
  return client;
}

/**
 * Reads and idempotent writes: a few quick retries and a 10 s timeout instead of the SDK's
 * defaults (10 retries over 30 minutes, no timeout).
 */
const READ_OPTIONS = {
  timeout: 10_000,
  retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2000, randomize: true },
};

/** WebClient for reads and idempotent writes (READ_OPTIONS). */
export function createReadClient(s: WebClientSettings): WebClient {
  return build(s, { ...READ_OPTIONS, maxRequestConcurrency: 20 });
}

/**
 * The options of the client Bolt gives listeners (`client`, `say`): the read client's settings.
 * Bolt's `respond()` posts with this fetch too: its answers go through safeWrite on the way.
 */
export function boltClientOptions(s: Pick<WebClientSettings, 'apiUrl' | 'fetch' | 'unfurl'>) {
  return {
    fetch: safeResponseFetch(s.fetch ?? fetch, s.apiUrl, s.unfurl),
    slackApiUrl: s.apiUrl,
    ...READ_OPTIONS,
  };
}

const guarded = new WeakSet<WebClient>();

/**
 * Sends a WebClient made elsewhere (Bolt's, for `say` and listeners' `client`) through safeWrite,
 * as the bot's own clients are. Once per client.
 */
export function guardWrites(client: WebClient, unfurl = false): void {
  if (guarded.has(client)) return;
  guarded.add(client);
  const call = client.apiCall.bind(client);
  client.apiCall = (method, options) => call(method, safeWrite(method, options, unfurl));
}

/**
 * WebClient for posts: never retried blindly (a retry after a timeout can post twice). Rate
 * limits come back as errors and `callOnce` waits and repeats, which is safe: a 429 posted nothing.
 */
export function createPostClient(s: WebClientSettings): WebClient {
  return build(s, {
    timeout: 15_000,
    maxRequestConcurrency: 20,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  });
}

/**
 * The bot token a client's calls go out with now: the workspace's in multi-workspace mode (for
 * what is not a Web API call, such as downloading a shared file), else the client's own.
 */
export function botTokenOf(client: WebClient): string {
  const workspaces = (client as { workspaces?: Workspaces }).workspaces;
  if (workspaces?.multi) return workspaces.current()?.botToken ?? '';
  return client.token ?? '';
}

/** Slack's error code (`channel_not_found`, `ratelimited`…) from a WebClient error, if any. */
export function slackErrorCode(err: unknown): string | undefined {
  const e = err as { code?: string; data?: { error?: string } };
  if (e?.code === ErrorCode.PlatformError) return e.data?.error;
  if (e?.code === ErrorCode.RateLimitedError) return 'ratelimited';
  if (e?.code === ErrorCode.RequestError) return 'request_error';
  if (e?.code === ErrorCode.HTTPError) return 'http_error';
  return undefined;
}

/**
 * The permission Slack says the app lacks (`missing_scope`, with the scope in `needed`), when that
 * is the error; a scope removed after install shows up this way at run time.
 * @see https://docs.slack.dev/apis/web-api (errors: missing_scope)
 */
export function missingScope(err: unknown): string | undefined {
  const e = err as { code?: string; data?: { error?: string; needed?: unknown } };
  if (e?.code !== ErrorCode.PlatformError || e.data?.error !== 'missing_scope') return undefined;
  return typeof e.data.needed === 'string' && e.data.needed ? e.data.needed : 'unknown';
}

/**
 * Calls a method once, waiting out rate limits (Retry-After, at most `maxWaitMs` in all).
 */
export async function callOnce<T extends WebAPICallResult>(
  fn: () => Promise<T>,
  maxWaitMs = 30_000,
): Promise<T> {
  let waited = 0;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      const e = err as { code?: string; retryAfter?: number };
      if (e?.code !== ErrorCode.RateLimitedError) throw err;
      const ms = Math.max(1, e.retryAfter ?? 1) * 1000;
      if (waited + ms > maxWaitMs) throw err;
      waited += ms;
      await sleep(ms);
    }
  }
}

/** Slack Web API calls and 429s by method, for the WebClients the bot builds. */
export function countSlackCalls(metrics: Metrics) {
  return {
    call: (method: string, ok: boolean) => metrics.slackCalls.inc({ method, outcome: ok ? 'ok' : 'error' }),
    rateLimited: (method: string) => metrics.slackRateLimited.inc({ method }),
  };
}
