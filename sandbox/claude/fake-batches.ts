/**
 * The Message Batches API of the fake Anthropic: create, retrieve, results (JSONL), cancel, with
 * the documented shapes and checks.
 * - POST /v1/messages/batches {requests: [{custom_id, params}]}: 1 to 100,000 requests, each
 *   custom_id 1–64 characters of [a-zA-Z0-9_-] and unique in the batch, params an object. Each
 *   request's params are checked like /v1/messages's, asynchronously as Anthropic does: a bad one
 *   ends as an `errored` result, not a refused batch. Answers a MessageBatch
 *   {id: msgbatch_…, type: message_batch, processing_status: in_progress, request_counts:
 *   {processing, succeeded, errored, canceled, expired}, ended_at, created_at, expires_at (24 h
 *   after creation), archived_at, cancel_initiated_at, results_url: null until it ends}.
 * - GET /v1/messages/batches/{id}: the batch (idempotent; used to poll).
 * - GET /v1/messages/batches/{id}/results: JSONL, one {custom_id, result} per request, result
 *   `{type: succeeded, message}`, `{type: errored, error: {type: error, error: {type, message}}}`,
 *   `{type: canceled}` or `{type: expired}`; only once the batch has ended.
 * - POST /v1/messages/batches/{id}/cancel: canceling, then ended with the rest canceled.
 * A batch ends after `delayMs` (the first retrieve after it), or when a test calls `complete`.
 * `pollFault` makes every retrieve answer an error status (a revoked key's 401, a 500 that lasts),
 * as the real API's errors are shaped, until it is cleared.
 * @see https://docs.anthropic.com/en/api/creating-message-batches
 * @see https://docs.anthropic.com/en/api/retrieving-message-batches
 * @see https://docs.anthropic.com/en/api/retrieving-message-batch-results
 * @see https://docs.anthropic.com/en/docs/build-with-claude/batch-processing
 */
import type Anthropic from '@anthropic-ai/sdk';

/** Most requests in one batch (the other limit, 256 MB, is far above what the fake reads). */
export const MAX_BATCH_REQUESTS = 100_000;
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;
/** A batch that has not ended within 24 hours expires (its unfinished requests). */
const EXPIRES_MS = 24 * 3600_000;

export type BatchResult =
  | { type: 'succeeded'; message: Anthropic.Message }
  | { type: 'errored'; error: { type: 'error'; error: { type: string; message: string } } }
  | { type: 'canceled' }
  | { type: 'expired' };

/** One batch as the fake keeps it. */
export interface FakeBatch {
  id: string;
  createdAt: number;
  requests: Array<{ custom_id: string; params: Record<string, unknown> }>;
  status: 'in_progress' | 'canceling' | 'ended';
  endedAt?: number;
  cancelAt?: number;
  results?: Map<string, BatchResult>;
  /** How a test wants it to end: results as computed (default), or every request expired. */
  outcome?: 'expired';
}

export interface FakeBatchesOptions {
  /** A batch ends this long after creation (checked at each retrieve); undefined: only `complete`. */
  delayMs?: number;
  /** The answer of one request (succeeded, or errored when /v1/messages would refuse it). */
  answer(params: Record<string, unknown>): Promise<BatchResult>;
  baseUrl(): string;
  /** The `error.type` and message the real API answers with a status (the fake's one table). */
  errorOf(status: number): { type: string; message: string };
}

type Reply = { status: number; body: unknown; jsonl?: string };
const error = (status: number, type: string, message: string): Reply => ({
  status,
  body: { type: 'error', error: { type, message } },
});

export class FakeBatches {
  readonly created: FakeBatch[] = [];
  private seq = 0;
  /** Retrieves answered (polls), for tests. */
  polls = 0;
  /** While set, every retrieve (poll) answers this error status instead (401, 500, 529…). */
  pollFault: 401 | 403 | 500 | 529 | undefined;

  constructor(private readonly opts: FakeBatchesOptions) {}

  set delayMs(ms: number | undefined) {
    this.opts.delayMs = ms;
  }

  /** Ends batches now (all, or the one named), computing their results. */
  async complete(id?: string, outcome?: 'expired'): Promise<void> {
    for (const b of this.created)
      if ((!id || b.id === id) && b.status !== 'ended') {
        if (outcome) b.outcome = outcome;
        await this.end(b);
      }
  }

  private async end(b: FakeBatch): Promise<void> {
    const results = new Map<string, BatchResult>();
    for (const r of b.requests) {
      if (b.status === 'canceling') results.set(r.custom_id, { type: 'canceled' });
      else if (b.outcome === 'expired') results.set(r.custom_id, { type: 'expired' });
      else results.set(r.custom_id, await this.opts.answer(r.params));
    }
    b.results = results;
    b.status = 'ended';
    b.endedAt = Date.now();
  }

  private view(b: FakeBatch): Anthropic.Messages.MessageBatch {
    const counts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    if (b.results) for (const r of b.results.values()) counts[r.type]++;
    else counts.processing = b.requests.length;
    const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
    return {
      id: b.id,
      type: 'message_batch',
      processing_status: b.status,
      request_counts: counts,
      ended_at: iso(b.endedAt),
      created_at: new Date(b.createdAt).toISOString(),
      expires_at: new Date(b.createdAt + EXPIRES_MS).toISOString(),
      archived_at: null,
      cancel_initiated_at: iso(b.cancelAt),
      results_url: b.status === 'ended' ? `${this.opts.baseUrl()}/v1/messages/batches/${b.id}/results` : null,
    };
  }

  /** Answers a request under /v1/messages/batches, or undefined when the path is not one of them. */
  async handle(method: string, path: string, raw: string): Promise<Reply | undefined> {
    if (path === '/v1/messages/batches' && method === 'POST') return this.create(raw);
    const m = /^\/v1\/messages\/batches\/([^/]+)(\/results|\/cancel)?$/.exec(path);
    if (!m) return undefined;
    const b = this.created.find((x) => x.id === m[1]);
    if (!b) return error(404, 'not_found_error', `message batch ${m[1]} not found`);
    if (!m[2] && method === 'GET') {
      this.polls++;
      if (this.pollFault) {
        const e = this.opts.errorOf(this.pollFault);
        return error(this.pollFault, e.type, e.message);
      }
      const due = this.opts.delayMs !== undefined && Date.now() - b.createdAt >= this.opts.delayMs;
      if (b.status !== 'ended' && (due || b.status === 'canceling')) await this.end(b);
      return { status: 200, body: this.view(b) };
    }
    if (m[2] === '/results' && method === 'GET') {
      if (b.status !== 'ended' || !b.results)
        return error(
          400,
          'invalid_request_error',
          `Batch ${b.id} has not ended: its results are not available yet`,
        );
      const lines = b.requests.map((r) =>
        JSON.stringify({ custom_id: r.custom_id, result: b.results?.get(r.custom_id) }),
      );
      return { status: 200, body: undefined, jsonl: `${lines.join('\n')}\n` };
    }
    if (m[2] === '/cancel' && method === 'POST') {
      if (b.status === 'in_progress') {
        b.status = 'canceling';
        b.cancelAt = Date.now();
      }
      return { status: 200, body: this.view(b) };
    }
    return error(405, 'invalid_request_error', `${method} not allowed here`);
  }

  private create(raw: string): Reply {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return error(
        400,
        'invalid_request_error',
        'There was an error parsing the body of your request as JSON.',
      );
    }
    const requests = (body as { requests?: unknown }).requests;
    if (!Array.isArray(requests) || requests.length === 0)
      return error(400, 'invalid_request_error', 'requests: at least one request is required');
    if (requests.length > MAX_BATCH_REQUESTS)
      return error(
        400,
        'invalid_request_error',
        `requests: at most ${MAX_BATCH_REQUESTS} requests in a batch`,
      );
    const ids = new Set<string>();
    for (const [i, r] of requests.entries()) {
      const { custom_id: id, params } = (r ?? {}) as { custom_id?: unknown; params?: unknown };
      if (typeof id !== 'string' || !CUSTOM_ID.test(id))
        return error(
          400,
          'invalid_request_error',
          `requests.${i}.custom_id: 1 to 64 characters of a-z, A-Z, 0-9, _ and -`,
        );
      if (ids.has(id))
        return error(
          400,
          'invalid_request_error',
          `requests.${i}.custom_id: ${id} is not unique in the batch`,
        );
      ids.add(id);
      if (typeof params !== 'object' || params === null)
        return error(400, 'invalid_request_error', `requests.${i}.params: required`);
    }
    const b: FakeBatch = {
      id: `msgbatch_fake_${String(++this.seq).padStart(6, '0')}`,
      createdAt: Date.now(),
      requests: requests as FakeBatch['requests'],
      status: 'in_progress',
    };
    this.created.push(b);
    return { status: 200, body: this.view(b) };
  }
}
