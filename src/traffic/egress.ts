import { EnvHttpProxyAgent, fetch as undiciFetch } from 'undici';
import type { Config } from '../config.js';

/** How the bot reaches Slack and Anthropic: directly, or through the configured proxy. */
export interface Egress {
  /** A fetch that goes through the proxy (NO_PROXY hosts directly); undefined = the global fetch. */
  fetch: typeof fetch | undefined;
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
  if (!proxy.https && !proxy.http) return { fetch: undefined, close: async () => {} };
  const dispatcher = new EnvHttpProxyAgent({
    httpProxy: proxy.http ?? '',
    httpsProxy: proxy.https ?? '',
    noProxy: proxy.noProxy ?? '',
  });
  const viaProxy = (input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) =>
    undiciFetch(input, { ...init, dispatcher });
  return {
    // undici's fetch is the WHATWG fetch the SDKs expect; only its type declarations differ from the DOM lib's.
    fetch: viaProxy as unknown as typeof fetch,
    close: () => dispatcher.close(),
  };
}
