import type {
  ContentBlock,
  MessageParam,
  TextBlockParam,
  ToolUnion,
} from '@anthropic-ai/sdk/resources/messages';
import { networkCause } from '../platform/egress.js';
import type { Logger } from '../platform/logger.js';
import { addSources, type Source, sourcesText } from './citations.js';
import { ClaudeError, toClaudeError } from './errors.js';
import { activityOf, addFailedServers, failedServersText, type ToolActivity } from './mcp.js';
import { maxTokensFor, type RequestWish, requestFields } from './models.js';
import type { McpServer } from './profile.js';
import { LazySdk } from './sdk.js';

/**
 * The beta that lets a request name remote MCP servers.
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/mcp-connector
 */
const MCP_BETA = 'mcp-client-2025-04-04';
/**
 * The beta of the web fetch tool (harmless where the tool is generally available).
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-fetch-tool
 */
const WEB_FETCH_BETA = 'web-fetch-2025-09-10';

/** The betas a request needs, as the anthropic-beta header takes them. */
function betasOf(req: ClaudeRequest): { headers: Record<string, string> } | Record<string, never> {
  const betas = [
    ...(req.mcpServers?.length ? [MCP_BETA] : []),
    ...(req.tools?.some((t) => 'name' in t && t.name === 'web_fetch') ? [WEB_FETCH_BETA] : []),
  ];
  return betas.length ? { headers: { 'anthropic-beta': betas.join(',') } } : {};
}

/**
 * The API version the SDK sends (its `anthropic-version` header), sent by the start-up check too
 * (test/unit/claude/check.test.ts compares the two requests).
 * @see https://docs.anthropic.com/en/api/versioning
 */
const ANTHROPIC_VERSION = '2026-10-21';

/** Paused server-tool turns continued within one answer; a longer one ends as paused. */
const MAX_CONTINUATIONS = 5;

/** One request to Claude, plain data: what the cache keys on and what a job queue could carry. */
export interface ClaudeRequest {
  model: string;
  maxTokens: number;
  system: TextBlockParam[];
  messages: MessageParam[];
  /** Anthropic's server-side tools (web search, web fetch) the channel's profile turns on. */
  tools?: ToolUnion[];
  /** MCP servers (Anthropic's MCP connector), each with its profile's token (keyed by fingerprint). */
  mcpServers?: McpServer[];
  /** The channel's profile: part of the cache key, so a changed profile is not served old answers. */
  profile?: string;
  /**
   * Input tokens the queue reserves (CLAUDE_INPUT_TOKENS_PER_MINUTE): a file counts what Claude
   * reads from it, not its base64 size. Unset: estimated from the request (see requestTokens).
   */
  inputTokens?: number;
  /** How Claude should think and sample; sent only as far as the model takes it (see requestFields). */
  wish?: RequestWish;
}

export interface ClaudeUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Web searches made by Anthropic's server-side tool (priced per search). */
  webSearches?: number;
  /**
   * The largest prompt (input, cache reads and writes) of one call when an answer took several:
   * long-prompt prices apply per call. Unset: the sums above are one call's.
   */
  largestPromptTokens?: number;
  /** Answered through the Message Batches API: billed at half the price (prices.ts BATCH_DISCOUNT). */
  batch?: boolean;
}

/** Every input token (cached or not): what a call read. */
export const inputTokensOf = (u: ClaudeUsage) => u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens;

/** Every token of a call, read and written: what a person's daily budget counts. */
export const tokensOf = (u: ClaudeUsage) => inputTokensOf(u) + u.outputTokens;

export interface ClaudeResult {
  text: string;
  stopReason: string | null;
  usage: ClaudeUsage;
  requestId: string | undefined;
  /** Attempts made by us (the SDK's own retries inside one attempt are not counted here). */
  attempts: number;
  /**
   * The last message's content blocks: a client tool call (`stop_reason: tool_use`) and the
   * citations of its text are read from them.
   */
  content?: ContentBlock[];
}

export interface ClaudeClientOptions {
  apiKey: () => string;
  baseUrl: string | undefined;
  firstTokenTimeoutMs: number;
  timeoutMs: number;
  log: Logger;
  fetch?: typeof fetch;
  /** Told what Claude's rate-limit headers say, so the shared queue can slow down in time. */
  onRateLimit?: (info: RateLimitInfo) => void;
}

/** Model settings already logged as refused or left out: one line per profile, model and field. */
const LOGGED_SETTINGS_MAX = 1000;

/** What the anthropic-ratelimit-* and retry-after headers say. */
export interface RateLimitInfo {
  requestsRemaining?: number;
  /** Set when Claude answered 429. */
  retryAfterMs?: number;
}

function rateLimitInfo(headers: Headers | undefined, limited: boolean): RateLimitInfo | undefined {
  if (!headers) return limited ? { retryAfterMs: 1000 } : undefined;
  const num = (name: string) => {
    const v = headers.get(name);
    return v === null || v === '' || Number.isNaN(Number(v)) ? undefined : Number(v);
  };
  const info: RateLimitInfo = { requestsRemaining: num('anthropic-ratelimit-requests-remaining') };
  if (limited) info.retryAfterMs = (num('retry-after') ?? 1) * 1000;
  return info.requestsRemaining !== undefined || limited ? info : undefined;
}

export interface StreamOptions {
  /** Receives each piece of text as it arrives. */
  onText: (delta: string) => void;
  /** Told of each tool Claude uses (a web search, an MCP server's tool), as it uses it. */
  onTool?: (activity: ToolActivity) => void;
  signal?: AbortSignal;
}

/**
 * Streams answers from the Messages API, one attempt per call, with a time-to-first-token and an
 * overall limit. Failures are mapped to ClaudeError; rate-limit headers are reported so the shared
 * queue can slow down.
 */
export class ClaudeClient {
  /** The SDK's client for the current key, built with the first call (the SDK is loaded then, not at start). */
  private readonly sdk: LazySdk;
  private readonly loggedSettings = new Set<string>();

  constructor(private readonly opts: ClaudeClientOptions) {
    // Retries go back through the shared queue (src/limits), so they respect the limits and
    // retry-after for every replica instead of each request retrying on its own. The timeout
    // bounds a single HTTP attempt; the overall limit is enforced per answer below.
    this.sdk = new LazySdk({ ...opts, maxRetries: 0 });
  }

  /**
   * Looks the model up (the Models API) so a refused key or an unknown model id is found at start,
   * not by the first person who asks. Throws one line naming the setting for those two; resolves
   * with a warning line when Anthropic could not say (unreachable, busy, a gateway without the route).
   * A plain fetch with the SDK's request (its base URL, path, version and key headers, through the
   * same egress), so start-up does not load the SDK; the answer is classified by the same table.
   * @see https://docs.anthropic.com/en/api/models
   */
  async check(model: string, timeoutMs = 5000): Promise<string | undefined> {
    const base = this.opts.baseUrl || 'https://api.anthropic.com';
    const url = `${base}${base.endsWith('/') ? '' : '/'}v1/models/${encodeURIComponent(model)}`;
    let res: Response;
    let body: string;
    try {
      res = await (this.opts.fetch ?? fetch)(url, {
        headers: {
          accept: 'application/json',
          'anthropic-version': ANTHROPIC_VERSION,
          // The SDK sends the key as a bearer token.
          authorization: `Bearer ${this.opts.apiKey()}`,
          // A one-off at start: its connection is not kept for the first question, which may come
          // after the server has timed an idle connection out (a reused one is then reset).
          connection: 'close',
        },
        signal: AbortSignal.timeout(timeoutMs),
      });
      body = await res.text();
    } catch (err) {
      const where = this.opts.baseUrl ?? 'https://api.anthropic.com';
      // As the SDK tells them apart: a timeout (APIConnectionTimeoutError, "Request timed out.")
      // or another connection failure (APIConnectionError, whose cause carries the code).
      const e = err as Error & { cause?: unknown };
      const timedOut =
        e.name === 'TimeoutError' || e.name === 'AbortError' || /timed? ?out/i.test(`${e}${String(e.cause)}`);
      const cause = timedOut ? 'Request timed out.' : (networkCause(err) ?? 'Connection error.');
      return `ANTHROPIC_BASE_URL: could not reach Anthropic at ${where} (${cause}); answers fail until it can (check the network, DNS or HTTPS_PROXY)`;
    }
    if (res.ok) return undefined;
    const json = parseJson(body) as { error?: { type?: unknown } } | undefined;
    if (res.status === 401 || res.status === 403) {
      const type = typeof json?.error?.type === 'string' ? json.error.type : 'error';
      throw new Error(`ANTHROPIC_API_KEY: Anthropic did not accept the key (${res.status} ${type})`);
    }
    // Anthropic names the model in its 404; a gateway without the Models API does not.
    if (res.status === 404 && (!this.opts.baseUrl || body.includes(model))) {
      throw new Error(
        `CLAUDE_MODEL: Anthropic does not know the model "${model}" (see https://docs.anthropic.com/en/docs/about-claude/models)`,
      );
    }
    // The fields the SDK's APIError would carry, for the same classification.
    const failed = Object.assign(new Error(`${res.status} ${body}`), {
      status: res.status,
      headers: res.headers,
      error: json,
    });
    return `CLAUDE_MODEL: Anthropic could not check the model now (${toClaudeError(failed).kind}); going on`;
  }

  /** The request's MCP servers as the connector takes them, each with its profile's token. */
  private mcpServers(req: ClaudeRequest): object {
    if (!req.mcpServers?.length) return {};
    return {
      mcp_servers: req.mcpServers.map((s) => {
        const token = s.token?.reveal();
        return { type: 'url', name: s.name, url: s.url, ...(token ? { authorization_token: token } : {}) };
      }),
    };
  }

  /** Logs a model setting once per profile, model and field (not on every question). */
  private logSettingOnce(
    req: ClaudeRequest,
    field: string,
    line: string,
    extra: object = {},
    level: 'info' | 'warn' = 'warn',
  ): void {
    const key = `${req.profile ?? ''}\u0000${req.model}\u0000${field}`;
    if (this.loggedSettings.has(key)) return;
    if (this.loggedSettings.size >= LOGGED_SETTINGS_MAX) this.loggedSettings.clear();
    this.loggedSettings.add(key);
    this.opts.log[level]({ profile: req.profile, model: req.model, field, ...extra }, line);
  }

  /** One attempt: retries are the caller's, through the shared queue. */
  async stream(req: ClaudeRequest, opts: StreamOptions): Promise<ClaudeResult> {
    return { ...(await this.attempt(req, opts)), attempts: 1 };
  }

  private async attempt(req: ClaudeRequest, opts: StreamOptions): Promise<Omit<ClaudeResult, 'attempts'>> {
    const controller = new AbortController();
    let timedOut: ClaudeError | undefined;
    const abortWith = (err: ClaudeError) => {
      timedOut = err;
      controller.abort();
    };
    const overall = setTimeout(
      () => abortWith(new ClaudeError('timeout', `no complete answer within ${this.opts.timeoutMs} ms`)),
      this.opts.timeoutMs,
    );
    // Claude must start within firstTokenTimeoutMs and, once started, never go silent that long:
    // a stalled answer is given up with what was shown kept, not left hanging until `overall`.
    const quietMs = this.opts.firstTokenTimeoutMs;
    let quiet: NodeJS.Timeout | undefined;
    const expectWithin = (what: string) => {
      clearTimeout(quiet);
      quiet = setTimeout(() => abortWith(new ClaudeError('timeout', what)), quietMs);
    };
    expectWithin(`no first token within ${quietMs} ms`);
    const midAnswer = `nothing from Claude for ${quietMs} ms mid-answer`;
    const onOuterAbort = () => controller.abort();
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    let text = '';
    const usage: ClaudeUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
    const sources: Source[] = [];
    const failed: string[] = [];
    let messages = req.messages;
    // Built through the model table: a field the model refuses is never sent.
    const maxTokens = maxTokensFor(req.model, req.maxTokens);
    const { dropped, ...fields } = requestFields(req.model, maxTokens, req.wish);
    // The bot's own wishes (a summary's "no thinking" on a model that always thinks): informative.
    for (const field of dropped)
      this.logSettingOnce(req, field, 'model setting not taken by the model; left out', {}, 'info');
    if (maxTokens < req.maxTokens)
      this.logSettingOnce(req, 'max_tokens', 'max_tokens above what the model takes; sent at its maximum', {
        wanted: req.maxTokens,
        sent: maxTokens,
      });
    let largestPrompt = 0;
    try {
      // One client (one key) for the whole answer: the thinking blocks a paused turn sends back are
      // valid only with the account that made them, so a key rotated mid-answer waits for the next.
      const sdk = await this.sdk.client();
      for (let turn = 0; ; turn++) {
        const stream = sdk.messages.stream(
          {
            model: req.model,
            max_tokens: maxTokens,
            system: req.system,
            messages,
            ...fields,
            ...(req.tools?.length ? { tools: req.tools } : {}),
            ...this.mcpServers(req),
          },
          {
            signal: controller.signal,
            ...betasOf(req),
          },
        );
        stream.on('connect', () => {
          const info = rateLimitInfo(stream.response?.headers, false);
          if (info) this.opts.onRateLimit?.(info);
        });
        stream.on('text', (delta) => {
          text += delta;
          expectWithin(midAnswer);
          opts.onText(delta);
        });
        // Once the answer has started, any event shows it is alive. A thinking block (the newer
        // models think by default, their thinking text omitted) streams nothing until it ends and
        // the SDK drops Anthropic's pings: Claude has started, so only the overall limit applies
        // until the block ends.
        stream.on('streamEvent', (event) => {
          if (event.type === 'content_block_start' && event.content_block.type.endsWith('thinking'))
            clearTimeout(quiet);
          else if (text || event.type === 'content_block_stop') expectWithin(midAnswer);
        });
        stream.on('contentBlock', (block) => {
          const activity = activityOf(block);
          if (activity) opts.onTool?.(activity);
        });
        const message = await stream.finalMessage();
        const u = message.usage;
        const prompt =
          u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0);
        largestPrompt = Math.max(largestPrompt, prompt);
        if (turn > 0) usage.largestPromptTokens = largestPrompt;
        usage.inputTokens += u.input_tokens;
        usage.outputTokens += u.output_tokens;
        usage.cacheReadTokens += u.cache_read_input_tokens ?? 0;
        usage.cacheWriteTokens += u.cache_creation_input_tokens ?? 0;
        usage.webSearches = (usage.webSearches ?? 0) + (u.server_tool_use?.web_search_requests ?? 0);
        addSources(sources, message.content);
        addFailedServers(failed, message.content);
        // A long server-tool turn is paused by Anthropic: sending it back continues it.
        // @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-search-tool
        if (message.stop_reason === 'pause_turn' && turn < MAX_CONTINUATIONS) {
          messages = [...messages, { role: 'assistant', content: message.content }];
          continue;
        }
        const links = failedServersText(failed) + sourcesText(sources);
        if (links) {
          text += links;
          opts.onText(links);
        }
        return {
          text,
          stopReason: message.stop_reason,
          usage,
          requestId: stream.request_id ?? undefined,
          content: message.content,
        };
      }
    } catch (err) {
      if (timedOut) throw timedOut;
      if ((err as { status?: unknown }).status === 429) {
        const info = rateLimitInfo((err as { headers?: Headers }).headers, true);
        if (info) this.opts.onRateLimit?.(info);
      }
      const e = toClaudeError(err, req.model);
      if (e.kind === 'model_setting')
        this.logSettingOnce(req, e.setting ?? 'unknown', 'Claude refused a model setting', {
          claudeRequestId: e.requestId,
        });
      throw e;
    } finally {
      clearTimeout(overall);
      clearTimeout(quiet);
      opts.signal?.removeEventListener('abort', onOuterAbort);
    }
  }
}

/** JSON, or undefined for a body that is not (a gateway's HTML page). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
