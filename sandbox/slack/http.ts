import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { apiHandlers, appTokenMethods } from './api.js';
import type { SimFiles } from './files.js';
import { type SimGrant, SimInstalls } from './installs.js';
import type { RateLimiter } from './rate-limits.js';
import type { ResponseUrls } from './response.js';
import { scopesFor } from './scopes.js';
import type { ApiContext } from './shapes.js';
import type { ApiResult, SimCall, SimFault } from './types.js';

/** Scripted failures: one-shot faults per method and permanently disabled methods. */
export class FaultBook {
  private readonly queued = new Map<string, SimFault[]>();
  readonly disabled = new Set<string>();

  failNext(method: string, fault: SimFault): void {
    const list = this.queued.get(method) ?? [];
    list.push({ ...fault, times: fault.times ?? 1 });
    this.queued.set(method, list);
  }

  /** Consumes one use of the first queued fault for a method. */
  take(method: string): SimFault | undefined {
    const list = this.queued.get(method);
    const fault = list?.[0];
    if (!list || !fault) return undefined;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) list.shift();
    return fault;
  }

  reset(): void {
    this.queued.clear();
    this.disabled.clear();
  }
}

/** What the request handler needs from the sim. */
export interface HttpHooks {
  ctx: ApiContext;
  botToken: string;
  appToken: string;
  /** The bot token's scopes: a method that needs another answers missing_scope. */
  scopes: Set<string>;
  faults: FaultBook;
  /** Each method's rate tier: a call past it answers 429 `ratelimited` with Retry-After. */
  rates: RateLimiter;
  responseUrls: ResponseUrls;
  /** Workspaces, organizations and which bot token belongs to which (OAuth installs). */
  installs: SimInstalls;
  /** Shared files, served at their url_private_download. */
  files: SimFiles;
  record(call: SimCall): void;
  /** A POST to a response_url: not a Web API method, but a write the bot made all the same. */
  recordResponse(call: SimCall): void;
  /** Waits, but gives up silently when the sim closes (the connection is destroyed then). */
  sleep(ms: number): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

/** Decodes a Web API request the way Slack accepts them: query string, form body or JSON body. */
function parseArgs(req: IncomingMessage, url: URL, body: string): Record<string, unknown> | undefined {
  const args: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
  if (!body) return args;
  if (type === 'application/json') {
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
      return { ...args, ...(parsed as Record<string, unknown>) };
    } catch {
      return undefined;
    }
  }
  for (const [k, v] of Object.entries(parseQuery(body))) args[k] = Array.isArray(v) ? v[v.length - 1] : v;
  return args;
}

/**
 * Slack's token rules: missing → not_authed, the other kind of token → not_allowed_token_type, a
 * bot token Slack never issued → invalid_auth, one revoked (uninstalled) → token_revoked, a
 * rotating one past its expiry → token_expired. Returns the bot token's grant when it is one.
 */
function checkToken(h: HttpHooks, method: string, token: string | undefined): string | SimGrant | undefined {
  if (!token) return 'not_authed';
  const grant = h.installs.grantOf(token);
  if (appTokenMethods.has(method)) {
    if (token === h.appToken) return undefined;
    return typeof grant === 'object' ? 'not_allowed_token_type' : 'invalid_auth';
  }
  if (token === h.appToken) return 'not_allowed_token_type';
  return grant;
}

async function handleApi(h: HttpHooks, method: string, req: IncomingMessage, res: ServerResponse, url: URL) {
  const body = await readBody(req);
  const parsed = parseArgs(req, url, body);
  const at = Date.now();
  const args = parsed ?? {};
  const auth = req.headers.authorization;
  const token = auth?.startsWith('Bearer ')
    ? auth.slice(7)
    : typeof args.token === 'string'
      ? args.token
      : undefined;
  delete args.token;
  const answer = (status: number, result: ApiResult, headers: Record<string, string> = {}) => {
    h.record({ method, args, at, ok: result.ok, ...(result.error ? { error: result.error } : {}) });
    sendJson(res, status, result, headers);
  };
  if (parsed === undefined) return answer(200, { ok: false, error: 'invalid_json' });
  // Exchanging a code needs the app's client id and secret, not a token.
  if (method === 'oauth.v2.access') return answer(200, h.installs.access(args, auth));
  const handler = apiHandlers[method];
  if (!handler || h.faults.disabled.has(method)) return answer(200, { ok: false, error: 'unknown_method' });
  const checked = checkToken(h, method, token);
  if (typeof checked === 'string') return answer(200, { ok: false, error: checked });
  const grant = checked;
  if (grant) grant.uses++;
  const whose = grant ? SimInstalls.whose(grant) : undefined;
  const answerAs = (status: number, result: ApiResult, headers: Record<string, string> = {}) => {
    h.record({
      method,
      args,
      at,
      ok: result.ok,
      ...(result.error ? { error: result.error } : {}),
      ...(whose ? { team: whose } : {}),
    });
    sendJson(res, status, result, headers);
  };
  // A conversation outside the token's workspace (or organization, org-wide) is one Slack does
  // not show that token: channel_not_found, as for a channel that does not exist.
  const named = channelOf(args);
  if (grant && named && h.ctx.state.conversations.has(named) && !h.installs.covers(grant, named))
    return answerAs(200, { ok: false, error: 'channel_not_found' });
  if (grant && method === 'auth.test' && SimInstalls.whose(grant) !== h.ctx.team.id)
    return answerAs(200, h.installs.authTest(grant, h.ctx.team));
  // Lists (users.conversations) show an installation's token only its workspace's conversations.
  const ctx = grant ? { ...h.ctx, sees: (id: string) => h.installs.covers(grant, id) } : h.ctx;
  return finishApi(h, ctx, method, args, handler, answerAs, whose ?? h.ctx.team.id);
}

async function finishApi(
  h: HttpHooks,
  ctx: HttpHooks['ctx'],
  method: string,
  args: Record<string, unknown>,
  handler: (typeof apiHandlers)[string] & {},
  answer: (status: number, result: ApiResult, headers?: Record<string, string>) => void,
  /** Whose quota the call spends: Slack's rate limits are per workspace. */
  team: string,
) {
  const missing = missingScope(h, method, args);
  if (missing) return answer(200, missing, scopeHeader(h, method));
  const retryAfter = h.rates.admit(method, team, channelOf(args));
  if (retryAfter !== undefined) {
    return answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(retryAfter) });
  }
  const fault = h.faults.take(method);
  if (fault?.delayMs) await h.sleep(fault.delayMs);
  if (fault?.status === 429) {
    const retryAfter = String(fault.retryAfter ?? 1);
    return answer(429, { ok: false, error: fault.error ?? 'ratelimited' }, { 'retry-after': retryAfter });
  }
  if (fault?.status && fault.status !== 200) {
    return answer(fault.status, { ok: false, error: fault.error ?? 'internal_error' });
  }
  if (fault?.error) return answer(200, { ok: false, error: fault.error });
  let result: ApiResult;
  try {
    result = handler(ctx, args);
  } catch (err) {
    result = { ok: false, error: 'internal_error', detail: String(err) };
  }
  answer(200, result, scopeHeader(h, method));
}

/** The conversation a call names (`channel` or `channel_id`), if any. */
function channelOf(args: Record<string, unknown>): string | undefined {
  const channel = typeof args.channel === 'string' ? args.channel : args.channel_id;
  return typeof channel === 'string' ? channel : undefined;
}

/**
 * Slack's answer to a bot-token call the token's scopes do not cover: `missing_scope`, with the
 * scope needed and the ones granted (docs.slack.dev/apis/web-api, "Scopes and permissions").
 */
function missingScope(h: HttpHooks, method: string, args: Record<string, unknown>): ApiResult | undefined {
  if (appTokenMethods.has(method)) return undefined;
  const channel = channelOf(args);
  const conv = channel ? h.ctx.state.conversations.get(channel) : undefined;
  const needed = scopesFor(method, conv) ?? [];
  if (needed.length === 0 || needed.some((s) => h.scopes.has(s))) return undefined;
  return { ok: false, error: 'missing_scope', needed: needed.join(','), provided: [...h.scopes].join(',') };
}

/** Every bot-token response names the token's scopes, as Slack's x-oauth-scopes header does. */
function scopeHeader(h: HttpHooks, method: string): Record<string, string> {
  return appTokenMethods.has(method) ? {} : { 'x-oauth-scopes': [...h.scopes].join(',') };
}

/** Routes every HTTP request the sim serves: /api/<method> and /response/<id>. */
export function handleRequest(h: HttpHooks, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://sim');
  const done = (p: Promise<void>) =>
    p.catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal_error', detail: String(err) });
    });
  // File bytes need the bot token and files:read; anything else gets the login page.
  if (
    h.files.handle(
      req,
      res,
      url,
      (t) => typeof h.installs.grantOf(t) === 'object' && h.scopes.has('files:read'),
    )
  )
    return;
  // Slack's authorize page (slack.com/oauth/v2/authorize), beside the Web API as Slack has it.
  if (url.pathname === '/oauth/v2/authorize' && req.method === 'GET') {
    h.installs.authorizePage(url, res);
    return;
  }
  if (url.pathname.startsWith('/api/')) {
    done(handleApi(h, decodeURIComponent(url.pathname.slice(5)), req, res, url));
    return;
  }
  if (url.pathname.startsWith('/response/') && req.method === 'POST') {
    done(
      readBody(req).then((body) => {
        const out = h.responseUrls.handle(url.pathname.slice('/response/'.length), body);
        const error = (out.body as { error?: unknown }).error;
        const flags = (() => {
          try {
            const { unfurl_links, unfurl_media } = JSON.parse(body) as Record<string, unknown>;
            return { unfurl_links, unfurl_media };
          } catch {
            return {};
          }
        })();
        h.recordResponse({
          method: 'response_url',
          args: { bytes: body.length, ...flags },
          at: Date.now(),
          ok: out.status === 200,
          ...(typeof error === 'string' ? { error } : {}),
        });
        sendJson(res, out.status, out.body);
      }),
    );
    return;
  }
  sendJson(res, 404, { ok: false, error: 'not_found' });
}
