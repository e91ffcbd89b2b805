/**
 * Anthropic's Message Batches API through the official SDK (`client.messages.batches`), loaded only
 * when a batch is first used: work that can wait (a routine marked `batch: true`) is billed at half
 * the price and answered within 24 hours.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/batch-processing
 * @see https://docs.anthropic.com/en/api/creating-message-batches
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { Logger } from '../platform/logger.js';
import type { ClaudeRequest, ClaudeResult, ClaudeUsage } from './client.js';
import { ClaudeError, toClaudeError } from './errors.js';
import { maxTokensFor, requestFields } from './models.js';
import { LazySdk } from './sdk.js';

export interface BatchClientOptions {
  apiKey: () => string;
  baseUrl: string | undefined;
  /** Bounds one HTTP call (submit, poll, results), not the batch. */
  timeoutMs: number;
  log: Logger;
  fetch?: typeof fetch;
}

/** Where a batch is: still working, or ended (each request succeeded, errored, canceled or expired). */
export type BatchState = 'in_progress' | 'canceling' | 'ended';

/** A custom_id as Anthropic takes it: 1 to 64 of a-z, A-Z, 0-9, _ and -. */
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;

export class BatchClient {
  /** The SDK, loaded at first use (a bot without batch routines never loads it for this). */
  private readonly sdk: LazySdk;

  constructor(opts: BatchClientOptions) {
    // Polling is the retry: a failed poll is tried again at the next one.
    this.sdk = new LazySdk({ ...opts, maxRetries: 2 });
  }

  /** Sends one request as a batch of one; resolves with the batch's id. */
  async submit(customId: string, req: ClaudeRequest): Promise<string> {
    if (!CUSTOM_ID.test(customId)) throw new Error(`custom_id ${customId} is not one Anthropic takes`);
    if (req.mcpServers?.length)
      throw new ClaudeError('invalid_request', 'MCP servers are not offered to batched requests');
    const maxTokens = maxTokensFor(req.model, req.maxTokens);
    const { dropped: _dropped, ...fields } = requestFields(req.model, maxTokens, req.wish);
    const params = {
      model: req.model,
      max_tokens: maxTokens,
      system: req.system,
      messages: req.messages,
      ...fields,
      ...(req.tools?.length ? { tools: req.tools } : {}),
    } as Anthropic.Messages.MessageCreateParamsNonStreaming;
    try {
      const sdk = await this.sdk.client();
      const batch = await sdk.messages.batches.create({ requests: [{ custom_id: customId, params }] });
      return batch.id;
    } catch (err) {
      throw toClaudeError(err, req.model);
    }
  }

  /** Polls a batch (idempotent). */
  async state(batchId: string): Promise<BatchState> {
    try {
      const sdk = await this.sdk.client();
      return (await sdk.messages.batches.retrieve(batchId)).processing_status;
    } catch (err) {
      throw toClaudeError(err);
    }
  }

  /**
   * The result of one request of an ended batch, as a Claude answer billed at the batch price.
   * An errored, canceled or expired request throws (expired and canceled as `unavailable`, so the
   * caller may submit it again).
   */
  async result(batchId: string, customId: string, model: string): Promise<ClaudeResult> {
    let found: Anthropic.Messages.MessageBatchIndividualResponse | undefined;
    try {
      const sdk = await this.sdk.client();
      for await (const r of await sdk.messages.batches.results(batchId)) {
        if (r.custom_id === customId) found = r;
      }
    } catch (err) {
      throw toClaudeError(err, model);
    }
    const r = found?.result;
    if (!r) throw new ClaudeError('unavailable', `batch ${batchId} has no result for ${customId}`);
    if (r.type === 'errored') {
      const e = r.error.error;
      const kind =
        e.type === 'invalid_request_error'
          ? 'invalid_request'
          : e.type === 'overloaded_error'
            ? 'overloaded'
            : 'unavailable';
      throw new ClaudeError(kind, `batched request errored: ${e.type}: ${e.message}`);
    }
    if (r.type !== 'succeeded') throw new ClaudeError('unavailable', `batched request ${r.type}`);
    const m = r.message;
    const usage: ClaudeUsage = {
      inputTokens: m.usage.input_tokens,
      outputTokens: m.usage.output_tokens,
      cacheReadTokens: m.usage.cache_read_input_tokens ?? 0,
      cacheWriteTokens: m.usage.cache_creation_input_tokens ?? 0,
      batch: true,
    };
    const text = m.content
      .filter((b): b is Anthropic.Messages.TextBlock => b.type === 'text')
      .map((b) => b.text)
      .join('');
    return { text, stopReason: m.stop_reason, usage, requestId: m.id, attempts: 1, content: m.content };
  }
}
