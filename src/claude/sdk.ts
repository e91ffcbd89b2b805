import type Anthropic from '@anthropic-ai/sdk';
import { anthropicLogger, type Logger } from '../platform/logger.js';

export interface SdkOptions {
  apiKey: () => string;
  baseUrl: string | undefined;
  /** Bounds one HTTP attempt. */
  timeoutMs: number;
  /** The SDK's own retries of one call. */
  maxRetries: number;
  log: Logger;
  fetch?: typeof fetch;
}

/**
 * The official SDK's client for the current API key, as answers and batches use it: the SDK
 * (about 270 modules with its tracing) is loaded with the first call, not at start; a rotated key
 * (from *_FILE) builds a new client for the calls that start from then on; a failed load is tried
 * again by the next call.
 */
export class LazySdk {
  private built: Promise<Anthropic> | undefined;
  private key: string | undefined;

  constructor(private readonly opts: SdkOptions) {}

  client(): Promise<Anthropic> {
    const key = this.opts.apiKey();
    if (key !== this.key || !this.built) {
      this.key = key;
      const built = this.build(key);
      built.catch(() => {
        if (this.built === built) this.built = undefined;
      });
      this.built = built;
    }
    return this.built;
  }

  private async build(apiKey: string): Promise<Anthropic> {
    const { default: Sdk } = await import('@anthropic-ai/sdk');
    return new Sdk({
      apiKey,
      baseURL: this.opts.baseUrl ?? null,
      maxRetries: this.opts.maxRetries,
      timeout: this.opts.timeoutMs,
      logger: anthropicLogger(this.opts.log),
      logLevel: 'warn',
      ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}),
    });
  }
}
