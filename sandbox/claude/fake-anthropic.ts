/**
 * A fake Anthropic Messages API on loopback. Tests point the real SDK at it (`baseURL`) to script replies
 * and failures byte-for-byte as the real API would send them; the sandbox uses it with the offline model so
 * the bot runs end to end without an API key.
 */

import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { inflateSync } from 'node:zlib';
import type Anthropic from '@anthropic-ai/sdk';
import { type BatchResult, FakeBatches } from './fake-batches.js';
import { modelRefusal } from './fake-model-rules.js';
import { blockSize, type CacheUsage, FakePromptCache, MIN_CACHEABLE_TOKENS } from './fake-prompt-cache.js';
import {
  blockEvents,
  citationOf,
  type FakeMcpCall,
  type FakeSearch,
  mcpBlocks,
  offersTool,
  searchBlocks,
} from './fake-search.js';
import {
  type FakeToolUse,
  offersClientTool,
  searchCitations,
  toolRulesError,
  toolUseBlock,
} from './fake-tools.js';
import { type MessagesRequestBody, offlineReply, type RequestContentBlock } from './offline-model.js';
import { offlineToolReply } from './offline-search.js';

export type { MessagesRequestBody, RequestContentBlock, RequestMessage } from './offline-model.js';

/** How the fake answers one request. Every field is optional; `{}` streams the responder's text. */
export interface FakeReply {
  /** The answer text; when absent, the text comes from the responder (the offline model by default). */
  text?: string;
  /** Characters (code points) per `content_block_delta`. Default 20. */
  chunkSize?: number;
  /** Delay between deltas. Default 0. For non-streaming requests it is added to the response time. */
  chunkDelayMs?: number;
  /** Delay before the first delta, after headers and `message_start` have been sent. Default 0. */
  firstTokenDelayMs?: number;
  /** Delay before sending anything at all (time to headers). */
  headersDelayMs?: number;
  /** Answer with this HTTP error status and Anthropic's JSON error body instead of a message. */
  status?: number;
  /** The `error.message` of an error reply; a status-specific default otherwise. */
  errorMessage?: string;
  /** Extra response headers, e.g. `retry-after` or `anthropic-ratelimit-requests-remaining`. */
  headers?: Record<string, string>;
  /** Destroy the socket after this many characters of text (a connection reset mid-stream). */
  breakAfterChars?: number;
  /** After this many characters, send an SSE `error` event (overloaded_error) and end the stream. */
  sseErrorAfterChars?: number;
  /** After this many characters, send a `data:` line that is not valid JSON and end the stream. */
  malformedAfterChars?: number;
  /** After this many characters, send nothing more and keep the connection open (a stalled stream). */
  stallAfterChars?: number;
  /** `stop_reason` of the message. Default `end_turn`. */
  stopReason?: 'end_turn' | 'max_tokens' | 'refusal' | 'pause_turn' | 'tool_use';
  /**
   * A client tool call played after the text (which may be empty), ending the turn with
   * `stop_reason: tool_use`; only when the request offers a tool of that name.
   */
  toolUse?: FakeToolUse;
  /**
   * The text cites these search results of the request (by their index in it), or all of them:
   * `search_result_location` citations, for results whose citations are enabled.
   */
  citeSearchResults?: 'all' | number[];
  /** A web search played before the text, which cites its first result; only when the request offers web_search. */
  webSearch?: FakeSearch;
  /** An MCP tool call played before the text; only when the request names an MCP server. */
  mcpCall?: FakeMcpCall;
  /** Accept the request and never answer, until the client aborts or the fake is closed. */
  hang?: boolean;
  /** Report this many uncached input tokens (a long prompt's price without sending one). */
  inputTokens?: number;
  /**
   * Think this long before anything else, as adaptive thinking with its text omitted streams it:
   * a thinking block with no text and a signature, a `ping` every 250 ms meanwhile.
   */
  thinkingMs?: number;
}

/** A request the fake received, in arrival order. */
export interface RecordedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: MessagesRequestBody;
  /** `Date.now()` when the body had been read. */
  at: number;
  /** Set when the client closed the connection before the reply had ended: it aborted the call. */
  closedByClient?: boolean;
}

/** Decides the reply to a request when no scripted reply is queued. */
export type Responder = (req: RecordedRequest) => FakeReply | Promise<FakeReply>;

/** A running fake; see {@link startFakeAnthropic}. */
export interface FakeAnthropic {
  /** Base URL for the SDK's `baseURL`, e.g. `http://127.0.0.1:PORT`. */
  url: string;
  /** Every accepted `POST /v1/messages` request, in order (count_tokens requests are in `countRequests`). */
  requests: RecordedRequest[];
  /** Every accepted `POST /v1/messages/count_tokens` request, in order. */
  countRequests: RecordedRequest[];
  /** Queues scripted replies, used first and one per request, FIFO (an SDK retry consumes the next one). */
  enqueue(...replies: FakeReply[]): void;
  /** Replaces the responder used when the queue is empty. */
  setResponder(r: Responder): void;
  /** Resolves with a copy of `requests` once it holds at least `n` entries; rejects after `timeoutMs`. */
  waitForRequests(n: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** The Message Batches API: batches created, polls, and `complete()` to end them now. */
  batches: FakeBatches;
  /** Stops listening and destroys every open socket, hanging requests included. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link startFakeAnthropic}. */
export interface StartFakeAnthropicOptions {
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default: the offline model. */
  responder?: Responder;
  /** Input token estimate per character of prompt text. Default 0.25 (about four characters a token). */
  inputTokensPerChar?: number;
  /** Whether `GET /v1/models/{id}` knows a model. Default: any id starting with `claude-`. */
  knowsModel?: (id: string) => boolean;
  /** Prompt caching's minimum prompt in tokens (default 1024); `false`: no prompt caching. */
  promptCacheMinTokens?: number | false;
  /** A message batch ends this long after creation (at a poll); undefined: only when `batches.complete()` is called. Default 0. */
  batchDelayMs?: number | undefined;
}

type ErrorType = Anthropic.ErrorType | 'request_too_large';

/** An HTTP status turned into the `error.type` and default message the real API uses for it. */
const STATUS_ERRORS: ReadonlyMap<number, { type: ErrorType; message: string }> = new Map([
  [400, { type: 'invalid_request_error', message: 'Invalid request' }],
  [401, { type: 'authentication_error', message: 'invalid x-api-key' }],
  [402, { type: 'billing_error', message: 'Your credit balance is too low to access the Anthropic API.' }],
  [
    403,
    {
      type: 'permission_error',
      message: 'Your API key does not have permission to use the specified resource.',
    },
  ],
  [404, { type: 'not_found_error', message: 'Not found' }],
  [413, { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' }],
  [
    429,
    {
      type: 'rate_limit_error',
      message: 'Number of request tokens has exceeded your per-minute rate limit.',
    },
  ],
  [500, { type: 'api_error', message: 'Internal server error' }],
  [504, { type: 'timeout_error', message: 'Request timed out' }],
  [529, { type: 'overloaded_error', message: 'Overloaded' }],
]);

const DEFAULT_CHUNK_SIZE = 20;
const DEFAULT_WAIT_TIMEOUT_MS = 5_000;
const DEFAULT_RESPONDER: Responder = (req) => offlineToolReply(req.body) ?? { text: offlineReply(req.body) };

/** A mid-stream failure to inject, chosen from the reply's `*AfterChars` fields. */
type Fault = { kind: 'break' | 'sse-error' | 'malformed' | 'stall'; afterChars: number };

interface Waiter {
  n: number;
  resolve: (requests: RecordedRequest[]) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Starts a fake Anthropic API server on loopback. Routes: `POST /v1/messages` (SSE when `stream: true`,
 * a JSON Message otherwise), `POST /v1/messages/count_tokens` and `GET /v1/models/{id}`; anything
 * else is a 404 error.
 * Bodies without `model`/`messages` (or `max_tokens` on /v1/messages), or with a field the named model
 * refuses (fake-model-rules.ts), get a 400 and are not recorded.
 * Credentials are recorded, not checked, except that the key `invalid-key` gets a 401.
 */
export async function startFakeAnthropic(opts: StartFakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const knowsModel = opts.knowsModel ?? ((id: string) => id.startsWith('claude-'));
  /** The Models API: a known id answers its description, an unknown one 404 as Anthropic does. */
  const answerModel = (res: ServerResponse, requestId: string, id: string, key: string | undefined) => {
    if (key === 'invalid-key') return sendError(res, requestId, 401);
    if (!knowsModel(id)) return sendError(res, requestId, 404, `model: ${id}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ type: 'model', id, display_name: id, created_at: '2026-01-01T00:00:00Z' }));
  };
  const tokensPerChar = opts.inputTokensPerChar ?? 0.25;
  let responder = opts.responder ?? DEFAULT_RESPONDER;
  const promptCache =
    opts.promptCacheMinTokens === false
      ? undefined
      : new FakePromptCache(tokensPerChar, opts.promptCacheMinTokens ?? MIN_CACHEABLE_TOKENS);
  const queue: FakeReply[] = [];
  const requests: RecordedRequest[] = [];
  const countRequests: RecordedRequest[] = [];
  const waiters = new Set<Waiter>();
  const sockets = new Set<Socket>();
  // One controller per in-flight response: aborting it cancels that response's pending delays.
  const inflight = new Set<AbortController>();
  let sequence = 0;
  let closing: Promise<void> | undefined;
  /** Signatures of the thinking blocks this fake wrote: only those may be sent back. */
  const signatures = new Set<string>();

  const notifyWaiters = (): void => {
    for (const waiter of waiters) {
      if (requests.length < waiter.n) continue;
      waiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve([...requests]);
    }
  };

  const handleMessages = async (
    recorded: RecordedRequest,
    res: ServerResponse,
    requestId: string,
    signal: AbortSignal,
  ): Promise<void> => {
    const scripted = queue.shift();
    const reply = scripted ?? (await responder(recorded));
    if (reply.headersDelayMs) await delay(reply.headersDelayMs, undefined, { signal });
    // Left open on purpose: the client's abort or close() ends it, which is the point of the scenario.
    if (reply.hang) return;
    if (reply.status !== undefined) {
      sendError(res, requestId, reply.status, reply.errorMessage, reply.headers);
      return;
    }
    const text =
      reply.text ?? (scripted ? (await responder(recorded)).text : undefined) ?? offlineReply(recorded.body);
    const plan: ReplyPlan = {
      reply,
      text,
      requestId,
      messageId: `msg_fake_${requestId.slice('req_fake_'.length)}`,
      model: recorded.body.model,
      tokens:
        reply.inputTokens !== undefined
          ? { input: reply.inputTokens, cacheRead: 0, cacheWrite: 0 }
          : (promptCache?.account(recorded.body) ?? {
              input: estimateInputTokens(recorded.body, tokensPerChar),
              cacheRead: 0,
              cacheWrite: 0,
            }),
      ...(reply.webSearch && offersTool(recorded.body, 'web_search') ? { search: reply.webSearch } : {}),
      toolBlocks: [],
      after: [],
      citations: [],
    };
    if (plan.search) plan.citations.push(...[citationOf(plan.search)].filter((c) => !!c));
    if (reply.citeSearchResults)
      plan.citations.push(...searchCitations(recorded.body, reply.citeSearchResults));
    if (reply.toolUse && offersClientTool(recorded.body, reply.toolUse.name))
      plan.after.push(toolUseBlock(reply.toolUse, `toolu_${plan.messageId}`));
    if (reply.thinkingMs !== undefined) {
      const signature = `sig_${plan.messageId}`;
      signatures.add(signature);
      plan.toolBlocks.push({ type: 'thinking', thinking: '', signature });
    }
    if (plan.search) plan.toolBlocks.push(...searchBlocks(plan.search, `srvtoolu_${plan.messageId}`));
    if (reply.mcpCall)
      plan.toolBlocks.push(...mcpBlocks(recorded.body, reply.mcpCall, `mcptoolu_${plan.messageId}`));
    if (recorded.body.stream === true) {
      await streamMessage(res, plan, signal);
    } else {
      await sendMessage(res, plan, signal);
    }
  };

  /** One request of a message batch: what /v1/messages would answer (no stream, no faults). */
  const batchAnswer = async (params: Record<string, unknown>): Promise<BatchResult> => {
    const body = params as unknown as MessagesRequestBody;
    const invalid =
      validateBody(params, true) ??
      (params.stream === true ? 'stream: not supported in a message batch' : undefined) ??
      toolRulesError(body) ??
      modelRefusal(params);
    const errored = (type: string, message: string): BatchResult => ({
      type: 'errored',
      error: { type: 'error', error: { type, message } },
    });
    if (invalid !== undefined) return errored('invalid_request_error', invalid);
    const recorded: RecordedRequest = { path: '/v1/messages/batches', headers: {}, body, at: Date.now() };
    const scripted = queue.shift();
    const reply = scripted ?? (await responder(recorded));
    if (reply.status !== undefined) {
      const known = STATUS_ERRORS.get(reply.status);
      return errored(known?.type ?? 'api_error', reply.errorMessage ?? known?.message ?? 'error');
    }
    const text = reply.text ?? offlineReply(body);
    const id = `req_fake_${++sequence}`;
    const plan: ReplyPlan = {
      reply,
      text,
      requestId: id,
      messageId: `msg_fake_${id.slice('req_fake_'.length)}`,
      model: body.model,
      tokens: {
        input: reply.inputTokens ?? estimateInputTokens(body, tokensPerChar),
        cacheRead: 0,
        cacheWrite: 0,
      },
      toolBlocks: [],
      after: [],
      citations: [],
    };
    return { type: 'succeeded', message: buildMessage(plan, text, stopOf(plan), outputTokens(text)) };
  };
  let baseUrl = '';
  const batches = new FakeBatches({
    delayMs: 'batchDelayMs' in opts ? opts.batchDelayMs : 0,
    answer: batchAnswer,
    baseUrl: () => baseUrl,
    errorOf: statusError,
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = `req_fake_${++sequence}`;
    const controller = new AbortController();
    inflight.add(controller);
    // 'close' also fires after a normal end; aborting then is harmless and keeps the bookkeeping in one place.
    res.on('close', () => {
      controller.abort();
      inflight.delete(controller);
    });
    // A client that vanishes mid-request surfaces as stream errors; the 'close' handler already cleans up.
    req.on('error', () => {});
    res.on('error', () => {});
    res.setHeader('request-id', requestId);

    try {
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      if (path.startsWith('/v1/messages/batches')) {
        const r = await batches.handle(
          req.method ?? 'GET',
          path,
          req.method === 'POST' ? await readBody(req) : '',
        );
        if (r?.jsonl !== undefined) {
          res.writeHead(200, { 'content-type': 'application/binary' });
          res.end(r.jsonl);
        } else if (r) {
          sendJson(res, r.status, r.body);
        } else {
          sendError(res, requestId, 404, `Not found: ${req.method} ${path}`);
        }
        return;
      }
      if (req.method === 'GET' && path.startsWith('/v1/models/')) {
        answerModel(res, requestId, decodeURIComponent(path.slice('/v1/models/'.length)), apiKeyOf(req));
        return;
      }
      const route =
        req.method === 'POST' && path === '/v1/messages'
          ? 'messages'
          : req.method === 'POST' && path === '/v1/messages/count_tokens'
            ? 'count'
            : undefined;
      if (!route) {
        sendError(res, requestId, 404, `Not found: ${req.method} ${path}`);
        return;
      }

      const raw = await readBody(req);
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        sendError(res, requestId, 400, 'There was an error parsing the body of your request as JSON.');
        return;
      }
      // A field the named model no longer takes: the 400 the real API answers (see fake-model-rules).
      const invalid =
        validateBody(parsed, route === 'messages') ??
        toolRulesError(parsed as MessagesRequestBody) ??
        modelRefusal(parsed as Record<string, unknown>) ??
        changedThinking(parsed as MessagesRequestBody, signatures);
      if (invalid !== undefined) {
        sendError(res, requestId, 400, invalid);
        return;
      }
      const recorded: RecordedRequest = {
        path,
        headers: { ...req.headers },
        body: parsed as MessagesRequestBody,
        at: Date.now(),
      };
      if (route === 'count') {
        countRequests.push(recorded);
      } else {
        requests.push(recorded);
        notifyWaiters();
        watchHangUp(req, res, recorded);
      }
      if (apiKeyOf(req) === 'invalid-key') {
        sendError(res, requestId, 401);
        return;
      }

      if (route === 'count') {
        const tokens: Anthropic.MessageTokensCount = {
          input_tokens: estimateInputTokens(recorded.body, tokensPerChar),
        };
        sendJson(res, 200, tokens);
        return;
      }
      await handleMessages(recorded, res, requestId, controller.signal);
    } catch (err) {
      // The client went away (or close() ran) while we were waiting: nobody is left to answer.
      if (controller.signal.aborted) return;
      if (!res.headersSent) {
        sendError(res, requestId, 500, `Fake Anthropic responder failed: ${errorMessage(err)}`);
      } else {
        res.destroy();
      }
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // Garbage on the wire from a test must not take the fake down with it.
  server.on('clientError', (_err, socket) => socket.destroy());

  server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  baseUrl = `http://${host}:${address.port}`;
  return {
    url: baseUrl,
    batches,
    requests,
    countRequests,
    enqueue(...replies: FakeReply[]): void {
      queue.push(...replies);
    },
    setResponder(r: Responder): void {
      responder = r;
    },
    waitForRequests(n: number, timeoutMs = DEFAULT_WAIT_TIMEOUT_MS): Promise<RecordedRequest[]> {
      if (requests.length >= n) return Promise.resolve([...requests]);
      if (closing) return Promise.reject(new Error('fake-anthropic: waitForRequests called after close()'));
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          n,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            reject(
              new Error(
                `fake-anthropic: timed out after ${timeoutMs}ms waiting for ${n} /v1/messages request(s); ` +
                  `received ${requests.length}`,
              ),
            );
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        for (const waiter of waiters) {
          clearTimeout(waiter.timer);
          waiter.reject(
            new Error(
              `fake-anthropic: closed while waiting for ${waiter.n} request(s); received ${requests.length}`,
            ),
          );
        }
        waiters.clear();
        for (const controller of inflight) controller.abort();
        server.close(() => resolve());
        // server.close() alone waits for keep-alive and hanging sockets; destroying them makes it prompt.
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/**
 * Marks the request `closedByClient` if the client hangs up (FIN or reset) before the reply ends.
 * The fake's own cuts (breakAfterChars, close()) destroy the socket here and send neither.
 */
function watchHangUp(req: IncomingMessage, res: ServerResponse, recorded: RecordedRequest): void {
  const socket = req.socket;
  const hungUp = () => {
    if (!res.writableFinished) recorded.closedByClient = true;
  };
  socket.once('end', hungUp);
  socket.once('error', hungUp);
  // The socket may carry the next request (keep-alive): stop watching once this reply is over.
  res.once('close', () => {
    socket.off('end', hungUp);
    socket.off('error', hungUp);
  });
}

/** Everything needed to render one successful reply, streamed or not. */
interface ReplyPlan {
  reply: FakeReply;
  text: string;
  requestId: string;
  messageId: string;
  model: string;
  /** The request's input tokens, split by prompt caching. */
  tokens: CacheUsage;
  /** The search played, when the reply has one and the request offers the tool. */
  search?: FakeSearch;
  /** The tool blocks played before the text (a search, an MCP call). */
  toolBlocks: Anthropic.ContentBlock[];
  /** The blocks played after the text: a client tool call. */
  after: Anthropic.ContentBlock[];
  /** What the text cites: a web search's first result, or search results of the request. */
  citations: Anthropic.TextCitation[];
}

/** The stop reason of a complete reply: a client tool call ends the turn for the tool's result. */
const stopOf = (plan: ReplyPlan): Anthropic.StopReason =>
  plan.reply.stopReason ?? (plan.after.length > 0 ? 'tool_use' : 'end_turn');

/** A turn that only calls a tool has no text block. */
const hasText = (plan: ReplyPlan, text: string) => text !== '' || plan.after.length === 0;

async function streamMessage(res: ServerResponse, plan: ReplyPlan, signal: AbortSignal): Promise<void> {
  const { reply } = plan;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...reply.headers,
  });
  const write = (chunk: string): Promise<void> => writeFlushed(res, chunk, signal);
  const event = (name: string, data: Anthropic.RawMessageStreamEvent | { type: 'ping' }): Promise<void> =>
    write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);

  const start = buildMessage(plan, '', null, 1);
  await event('message_start', { type: 'message_start', message: { ...start, content: [] } });
  const before = plan.toolBlocks;
  for (const [i, block] of before.entries()) {
    for (const e of blockEvents(block, i)) {
      if (e.type === 'content_block_stop' && block.type === 'thinking') {
        for (let left = reply.thinkingMs ?? 0; left > 0; left -= 250) {
          await delay(Math.min(250, left), undefined, { signal });
          await event('ping', { type: 'ping' });
        }
      }
      await event(e.type, e);
    }
  }
  const index = before.length;
  const withText = hasText(plan, plan.text);
  if (withText)
    await event('content_block_start', {
      type: 'content_block_start',
      index,
      content_block: { type: 'text', text: '', citations: null },
    });
  for (const citation of withText ? plan.citations : []) {
    await event('content_block_delta', {
      type: 'content_block_delta',
      index,
      delta: { type: 'citations_delta', citation },
    });
  }
  await event('ping', { type: 'ping' });

  const chars = Array.from(plan.text);
  const fault = pickFault(reply);
  const limit = fault ? Math.min(fault.afterChars, chars.length) : chars.length;
  const chunkSize = Math.max(1, reply.chunkSize ?? DEFAULT_CHUNK_SIZE);
  if (reply.firstTokenDelayMs) await delay(reply.firstTokenDelayMs, undefined, { signal });
  for (let sent = 0; sent < limit; sent += chunkSize) {
    if (sent > 0 && reply.chunkDelayMs) await delay(reply.chunkDelayMs, undefined, { signal });
    await event('content_block_delta', {
      type: 'content_block_delta',
      index,
      delta: { type: 'text_delta', text: chars.slice(sent, Math.min(sent + chunkSize, limit)).join('') },
    });
  }

  if (fault?.kind === 'break') {
    // Every write above has been flushed to the kernel, so the client gets the partial text before the drop.
    res.destroy();
    return;
  }
  // Left open, as `hang` leaves a request: the client's abort or close() ends it.
  if (fault?.kind === 'stall') return;
  if (fault?.kind === 'sse-error') {
    const body = errorBody('overloaded_error', 'Overloaded', plan.requestId);
    await write(`event: error\ndata: ${JSON.stringify(body)}\n\n`);
    res.end();
    return;
  }
  if (fault?.kind === 'malformed') {
    await write(
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":\n\n',
    );
    res.end();
    return;
  }

  const final = buildMessage(plan, plan.text, stopOf(plan), outputTokens(plan.text));
  if (withText) await event('content_block_stop', { type: 'content_block_stop', index });
  for (const [i, block] of plan.after.entries())
    for (const e of blockEvents(block, index + (withText ? 1 : 0) + i)) await event(e.type, e);
  await event('message_delta', {
    type: 'message_delta',
    delta: {
      stop_reason: final.stop_reason,
      stop_sequence: null,
      stop_details: final.stop_details,
      container: null,
    },
    usage: {
      input_tokens: final.usage.input_tokens,
      cache_creation_input_tokens: final.usage.cache_creation_input_tokens,
      cache_read_input_tokens: final.usage.cache_read_input_tokens,
      output_tokens: final.usage.output_tokens,
      output_tokens_details: null,
      server_tool_use: final.usage.server_tool_use,
    },
  });
  await event('message_stop', { type: 'message_stop' });
  res.end();
}

async function sendMessage(res: ServerResponse, plan: ReplyPlan, signal: AbortSignal): Promise<void> {
  const { reply } = plan;
  const chars = Array.from(plan.text);
  const fault = pickFault(reply);
  // A non-streaming call takes as long as generating the whole answer would, so the delays still apply.
  const chunks = Math.ceil(chars.length / Math.max(1, reply.chunkSize ?? DEFAULT_CHUNK_SIZE));
  const generation = (reply.firstTokenDelayMs ?? 0) + (reply.chunkDelayMs ?? 0) * Math.max(0, chunks - 1);
  if (generation > 0) await delay(generation, undefined, { signal });

  if (fault?.kind === 'stall') return;
  // Without SSE there is no in-band error event; an overload during generation is a plain 529 instead.
  if (fault?.kind === 'sse-error') {
    sendError(res, plan.requestId, 529, undefined, reply.headers);
    return;
  }
  const message = buildMessage(plan, plan.text, stopOf(plan), outputTokens(plan.text));
  const json = JSON.stringify(message);
  if (fault) {
    // Send a prefix of the body: cut by the socket for 'break', or declared complete for 'malformed'.
    const cut = json.slice(0, Math.min(json.length - 1, json.indexOf('"text":') + 8 + fault.afterChars));
    const headers = { 'content-type': 'application/json', ...reply.headers };
    if (fault.kind === 'malformed') {
      res.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(cut) });
      res.end(cut);
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(json) });
    await writeFlushed(res, cut, signal);
    res.destroy();
    return;
  }
  sendJson(res, 200, message, reply.headers);
}

function buildMessage(
  plan: ReplyPlan,
  text: string,
  stopReason: Anthropic.StopReason | null,
  output: number,
): Anthropic.Message {
  return {
    id: plan.messageId,
    type: 'message',
    role: 'assistant',
    model: plan.model,
    content: [
      ...plan.toolBlocks,
      ...(hasText(plan, text)
        ? [{ type: 'text' as const, text, citations: plan.citations.length > 0 ? plan.citations : null }]
        : []),
      ...plan.after,
    ],
    stop_reason: stopReason,
    stop_sequence: null,
    stop_details: stopReason === 'refusal' ? { type: 'refusal', category: null, explanation: null } : null,
    container: null,
    diagnostics: null,
    usage: {
      input_tokens: plan.tokens.input,
      output_tokens: output,
      cache_creation_input_tokens: plan.tokens.cacheWrite,
      cache_read_input_tokens: plan.tokens.cacheRead,
      cache_creation: { ephemeral_5m_input_tokens: plan.tokens.cacheWrite, ephemeral_1h_input_tokens: 0 },
      inference_geo: null,
      output_tokens_details: null,
      server_tool_use: plan.search ? { web_search_requests: 1, web_fetch_requests: 0 } : null,
      service_tier: 'standard',
      speed: null,
    },
  };
}

/** The earliest configured fault; on a tie a reset wins, since it is the harshest. */
function pickFault(reply: FakeReply): Fault | undefined {
  const faults: Fault[] = [];
  if (reply.breakAfterChars !== undefined) faults.push({ kind: 'break', afterChars: reply.breakAfterChars });
  if (reply.sseErrorAfterChars !== undefined)
    faults.push({ kind: 'sse-error', afterChars: reply.sseErrorAfterChars });
  if (reply.malformedAfterChars !== undefined)
    faults.push({ kind: 'malformed', afterChars: reply.malformedAfterChars });
  if (reply.stallAfterChars !== undefined) faults.push({ kind: 'stall', afterChars: reply.stallAfterChars });
  faults.sort((a, b) => a.afterChars - b.afterChars);
  const first = faults[0];
  return first ? { ...first, afterChars: Math.max(0, first.afterChars) } : undefined;
}

function sendError(
  res: ServerResponse,
  requestId: string,
  status: number,
  message?: string,
  headers?: Record<string, string>,
): void {
  const known = statusError(status);
  sendJson(res, status, errorBody(known.type, message ?? known.message, requestId), headers);
}

/** The `error.type` and default message of a status, as the real API answers it. */
function statusError(status: number): { type: ErrorType; message: string } {
  return (
    STATUS_ERRORS.get(status) ?? {
      type: status >= 500 ? 'api_error' : 'invalid_request_error',
      message: status >= 500 ? 'Internal server error' : 'Invalid request',
    }
  );
}

function errorBody(type: ErrorType, message: string, requestId: string) {
  return { type: 'error', error: { type, message }, request_id: requestId } as const;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: Record<string, string>,
): void {
  if (res.destroyed || res.writableEnded) return;
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
    ...headers,
  });
  res.end(json);
}

/**
 * Writes and waits until Node has handed the chunk to the socket. Waiting per write gives backpressure for
 * huge texts, and guarantees the partial text of an injected reset really went out before the reset.
 */
function writeFlushed(res: ServerResponse, chunk: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted || res.destroyed || res.writableEnded) {
      reject(new Error('fake-anthropic: response already closed'));
      return;
    }
    // A destroyed socket may never call back; the abort (fired on 'close') settles the promise instead.
    const onAbort = (): void => reject(new Error('fake-anthropic: response closed while writing'));
    signal.addEventListener('abort', onAbort, { once: true });
    res.write(chunk, (err) => {
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    });
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Mirrors the real API's required-field checks, so a malformed request from the bot fails loudly. */
function validateBody(body: unknown, needsMaxTokens: boolean): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'body: Input should be an object';
  const record = body as Record<string, unknown>;
  if (typeof record.model !== 'string' || record.model === '') return 'model: Field required';
  if (!Array.isArray(record.messages)) return 'messages: Field required';
  for (const [i, message] of record.messages.entries()) {
    const m = message as Record<string, unknown> | null;
    if (typeof m !== 'object' || m === null || typeof m.role !== 'string')
      return `messages.${i}.role: Field required`;
    if (typeof m.content !== 'string' && !Array.isArray(m.content))
      return `messages.${i}.content: Field required`;
    if (Array.isArray(m.content)) {
      for (const [j, block] of m.content.entries()) {
        const bad = fileBlockError(block);
        if (bad) return `messages.${i}.content.${j}: ${bad}`;
      }
    }
  }
  if (needsMaxTokens && (typeof record.max_tokens !== 'number' || !Number.isInteger(record.max_tokens))) {
    return 'max_tokens: Field required';
  }
  return undefined;
}

/** Image types the Messages API takes. */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
/**
 * Bytes of one base64 image the API takes (about 5 MB).
 * @see https://docs.anthropic.com/en/docs/build-with-claude/vision
 */
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/**
 * Pages of a PDF the API reads.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/pdf-support
 */
const MAX_PDF_PAGES = 100;

/**
 * The fake's own page count: page objects in the open and inside deflated streams (object
 * streams), so a PDF that hides its pages there is seen whole, as the real API sees it.
 */
function pdfPageObjects(b: Buffer): number {
  const pages = (text: string) => text.match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
  const text = b.toString('latin1');
  let n = pages(text);
  for (const m of text.matchAll(/stream\r?\n/g)) {
    const start = m.index + m[0].length;
    try {
      n += pages(inflateSync(b.subarray(start), { maxOutputLength: 16 * 1024 * 1024 }).toString('latin1'));
    } catch {
      // Not deflated (or not a stream): its pages, if any, were counted in the open.
    }
  }
  return n;
}

/** The real API's checks on image and document blocks (base64 or plain-text sources). */
function fileBlockError(block: unknown): string | undefined {
  const b = block as { type?: unknown; source?: { type?: unknown; media_type?: unknown; data?: unknown } };
  if (b?.type !== 'image' && b?.type !== 'document') return undefined;
  const src = b.source;
  if (typeof src !== 'object' || src === null) return 'source: Field required';
  if (typeof src.data !== 'string' || src.data === '') return 'source.data: Field required';
  if (b.type === 'image') {
    if (src.type !== 'base64' || !IMAGE_TYPES.has(String(src.media_type)))
      return 'source.media_type: Input should be image/jpeg, image/png, image/gif or image/webp';
    if (Buffer.from(src.data, 'base64').length > MAX_IMAGE_BYTES) return 'image exceeds 5 MB maximum';
    return undefined;
  }
  if (src.type === 'base64' && src.media_type === 'application/pdf') {
    const pages = pdfPageObjects(Buffer.from(src.data, 'base64'));
    return pages > MAX_PDF_PAGES ? `A maximum of ${MAX_PDF_PAGES} PDF pages may be provided.` : undefined;
  }
  if (src.type === 'text' && src.media_type === 'text/plain') return undefined;
  return 'source: Input should be a base64 PDF or a text/plain source';
}

/**
 * Thinking blocks in the latest assistant message must come back exactly as they were written
 * (by this fake, with this signature), or the real API answers 400.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking
 */
function changedThinking(body: MessagesRequestBody, signatures: ReadonlySet<string>): string | undefined {
  const i = body.messages.findLastIndex((m) => m.role === 'assistant');
  const content = body.messages[i]?.content;
  if (!Array.isArray(content)) return undefined;
  const j = content.findIndex((b) => {
    const t = b as { type?: string; thinking?: unknown; signature?: unknown };
    return t.type === 'thinking' && (t.thinking !== '' || !signatures.has(String(t.signature)));
  });
  if (j < 0) return undefined;
  return `messages.${i}.content.${j}: \`thinking\` or \`redacted_thinking\` blocks in the latest assistant message cannot be modified. These blocks must remain as they were in the original response.`;
}

function apiKeyOf(req: IncomingMessage): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string') return header;
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
}

function estimateInputTokens(body: MessagesRequestBody, tokensPerChar: number): number {
  let chars = blockChars(body.system);
  for (const message of body.messages) chars += blockChars(message.content);
  return Math.max(1, Math.ceil(chars * tokensPerChar));
}

function blockChars(content: string | RequestContentBlock[] | undefined): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  return content.reduce((sum, b) => sum + blockSize(b), 0);
}

function outputTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
