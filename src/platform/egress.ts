import type { Dispatcher, EnvHttpProxyAgent } from 'undici';
import type { Config } from '../config/config.js';

/** How the bot reaches Slack and Anthropic: directly, or through the configured proxy. */
export interface Egress {
  /** A fetch that goes through the proxy (NO_PROXY hosts directly); undefined = the global fetch. */
  fetch: typeof fetch | undefined;
  /** undici's dispatcher for the proxy, for clients that take one (Socket Mode's WebSocket); undefined = direct. */
  dispatcher(): Promise<Dispatcher | undefined>;
  /** Closes the proxy connections. */
  close(): Promise<void>;
}

/**
 * Builds the fetch every Slack and Anthropic client uses (Web API calls, response_url, the Claude
 * SDK). Settings come from config only: undici's own fallback to process.env is switched off by
 * passing every value explicitly. https URLs go through HTTPS_PROXY with CONNECT, http URLs
 * through HTTP_PROXY (HTTP_PROXY also serves https when HTTPS_PROXY is unset); hosts matching
 * NO_PROXY (`host`, `.domain`, `host:port`, `*`) are reached directly.
 * @see https://github.com/nodejs/undici/blob/main/docs/docs/api/EnvHttpProxyAgent.md
 */
export function createEgress(proxy: Config['proxy']): Egress {
  if (!proxy.https && !proxy.http)
    return { fetch: undefined, dispatcher: async () => undefined, close: async () => {} };
  // undici is loaded on first use only: without a proxy the bot never pays for a second copy.
  let loaded: Promise<{ agent: EnvHttpProxyAgent; fetch: typeof import('undici').fetch }> | undefined;
  const load = () => {
    loaded ??= import('undici').then((u) => ({
      agent: new u.EnvHttpProxyAgent({
        httpProxy: proxy.http ?? '',
        httpsProxy: proxy.https ?? '',
        noProxy: proxy.noProxy ?? '',
      }),
      fetch: u.fetch,
    }));
    return loaded;
  };
  const viaProxy = async (input: unknown, init?: Record<string, unknown>) => {
    const u = await load();
    // biome-ignore lint/suspicious/noExplicitAny: undici's fetch takes the same WHATWG arguments as the global one.
    return u.fetch(input as any, { ...init, dispatcher: u.agent });
  };
  return {
    // undici's fetch is the WHATWG fetch the SDKs expect; only its type declarations differ from the DOM lib's.
    fetch: viaProxy as unknown as typeof fetch,
    dispatcher: async () => (await load()).agent,
    close: async () => {
      if (loaded) await (await loaded).agent.close();
    },
  };
}

/**
 * Why a request did not reach its host, in one word where there is one (ECONNREFUSED, ENOTFOUND,
 * a proxy's answer): the first `code` down an error's chain of `cause` / `original`.
 */
export function networkCause(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown; original?: unknown; errors?: unknown[] } | undefined;
  for (let depth = 0; e && depth < 6; depth++) {
    if (typeof e.code === 'string' && /^E[A-Z_]+$|^UND_ERR/.test(e.code)) return e.code;
    e = (e.original ?? e.cause ?? e.errors?.[0]) as typeof e;
  }
  return undefined;
}
