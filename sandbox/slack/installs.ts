import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { manifestScopes } from './scopes.js';
import type { SimState } from './state.js';
import type { ApiResult } from './types.js';

/** A workspace of the simulated Slack; the sim's own team is one, `addTeam` makes more. */
export interface SimTeam {
  id: string;
  name: string;
  domain: string;
  /** Its organization (Enterprise Grid), if any. */
  enterpriseId?: string;
}

/** An Enterprise Grid organization and its workspaces. */
export interface SimEnterprise {
  id: string;
  name: string;
  teams: string[];
}

/** A bot token Slack issued: for one workspace, or org-wide for an organization. */
export interface SimGrant {
  token: string;
  teamId?: string;
  enterpriseId?: string;
  orgWide: boolean;
  scopes: string[];
  refreshToken?: string;
  /** With token rotation: when it stops working (ms since the epoch). */
  expiresAt?: number;
  revoked?: boolean;
  /** Web API calls made with it. */
  uses: number;
}

/** The app's OAuth settings (Basic Information and OAuth & Permissions on api.slack.com). */
export interface SimOAuthApp {
  clientId: string;
  clientSecret: string;
  /** oauth_config.redirect_urls: a redirect_uri must be one of them; the first is the default. */
  redirectUrls: string[];
  /** token_rotation_enabled: tokens expire after 12 hours and come with a refresh token. */
  tokenRotation?: boolean;
  /** Tests only: a shorter life for rotating tokens than Slack's 12 hours. */
  tokenLifetimeSeconds?: number;
}

/**
 * An authorization code is single-use and expires after ten minutes.
 * @see https://docs.slack.dev/authentication/installing-with-oauth ("Exchanging a temporary authorization code")
 */
export const CODE_TTL_MS = 10 * 60 * 1000;
/** Rotating tokens last 12 hours (`expires_in: 43200`). @see https://docs.slack.dev/authentication/using-token-rotation */
export const ROTATING_TOKEN_TTL_S = 43_200;

interface PendingCode {
  teamId?: string;
  enterpriseId?: string;
  orgWide: boolean;
  scopes: string[];
  installer: string;
  /** The redirect_uri given to the authorize page, if one was: oauth.v2.access must repeat it. */
  redirectUri?: string;
  expiresAt: number;
}

const token = (kind: string, rotating = false) =>
  `${rotating ? 'xoxe.' : ''}${kind}-${Date.now()}-${randomBytes(12).toString('hex')}`;

/**
 * Workspaces, organizations and the app's installations in the simulated Slack: which bot token
 * belongs to which workspace (a call whose token does not cover the conversation it names answers
 * `channel_not_found`, as Slack does for a channel the token's workspace cannot see), Slack's
 * authorize page and `oauth.v2.access`, org-wide installs, uninstalls.
 */
export class SimInstalls {
  readonly teams = new Map<string, SimTeam>();
  readonly enterprises = new Map<string, SimEnterprise>();
  /** Every bot token issued, by token. */
  readonly grants = new Map<string, SimGrant>();
  private readonly codes = new Map<string, PendingCode>();
  private readonly refreshTokens = new Map<string, SimGrant>();
  oauth: SimOAuthApp | undefined;

  constructor(
    private readonly state: SimState,
    primary: SimTeam,
    primaryToken: string,
    /** The sim's clock for codes and rotating tokens (tests move it). */
    public now: () => number = Date.now,
  ) {
    this.teams.set(primary.id, primary);
    this.grants.set(primaryToken, {
      token: primaryToken,
      teamId: primary.id,
      orgWide: false,
      scopes: [],
      uses: 0,
    });
  }

  get primaryTeam(): string {
    return this.state.id.teamId;
  }

  /** The workspace a conversation belongs to. */
  teamOf(channel: string): string {
    return this.state.conversations.get(channel)?.team_id ?? this.primaryTeam;
  }

  /** The grant of a bot token Slack would accept now; a string is the error Slack answers. */
  grantOf(t: string): SimGrant | 'invalid_auth' | 'token_revoked' | 'token_expired' {
    const g = this.grants.get(t);
    if (!g) return 'invalid_auth';
    if (g.revoked) return 'token_revoked';
    if (g.expiresAt !== undefined && g.expiresAt <= this.now()) return 'token_expired';
    return g;
  }

  /** Whether a grant's token may touch a conversation: the conversation is in its workspace, or in its organization for an org-wide install. */
  covers(g: SimGrant, channel: string): boolean {
    const team = this.teamOf(channel);
    if (g.orgWide) return this.teams.get(team)?.enterpriseId === g.enterpriseId;
    return g.teamId === team;
  }

  /** Who a grant speaks for, as SimCall.team names it. */
  static whose(g: SimGrant): string {
    return (g.orgWide ? g.enterpriseId : g.teamId) ?? '';
  }

  /** The install that serves a workspace now: its organization's org-wide one first, else its own. */
  serving(teamId: string): SimGrant | undefined {
    const ent = this.teams.get(teamId)?.enterpriseId;
    const live = [...this.grants.values()].filter((g) => !g.revoked);
    return (
      live.find((g) => g.orgWide && ent !== undefined && g.enterpriseId === ent) ??
      live.find((g) => !g.orgWide && g.teamId === teamId)
    );
  }

  /** Revokes a workspace's (or, with `orgWide`, an organization's) bot tokens. */
  revoke(who: { teamId?: string; enterpriseId?: string; orgWide?: boolean }): SimGrant[] {
    const gone = [...this.grants.values()].filter(
      (g) =>
        !g.revoked &&
        (who.orgWide
          ? g.orgWide && g.enterpriseId === who.enterpriseId
          : !g.orgWide && g.teamId === who.teamId),
    );
    for (const g of gone) g.revoked = true;
    return gone;
  }

  // ---- OAuth ----

  /**
   * Slack's authorize page (`https://slack.com/oauth/v2/authorize`): checks the client id, the
   * scopes and the redirect URL, then shows where the app can be installed. The person's choice is
   * the sim's `install_on` parameter (a workspace id, or an organization's id for an org-wide
   * install; `as_user` picks who installs): Slack then redirects to redirect_uri with `code` and `state`.
   * @see https://docs.slack.dev/authentication/installing-with-oauth
   */
  authorizePage(url: URL, res: ServerResponse): void {
    const page = (status: number, body: string): void => {
      res
        .writeHead(status, { 'content-type': 'text/html; charset=utf-8' })
        .end(`<html><body>${body}</body></html>`);
    };
    const app = this.oauth;
    const q = url.searchParams;
    if (!app || q.get('client_id') !== app.clientId) {
      page(400, '<h1>invalid_client_id</h1>');
      return;
    }
    const scopes = (q.get('scope') ?? '').split(',').filter(Boolean);
    const known = new Set(manifestScopes());
    if (scopes.some((s) => !known.has(s))) {
      page(400, '<h1>invalid_scope</h1>');
      return;
    }
    const redirectUri = q.get('redirect_uri') ?? undefined;
    // A redirect_uri must match one of the app's redirect URLs; without one, the first is used.
    if (redirectUri !== undefined && !app.redirectUrls.includes(redirectUri)) {
      page(400, '<h1>bad_redirect_uri</h1>');
      return;
    }
    const target = redirectUri ?? app.redirectUrls[0];
    if (!target) {
      page(400, '<h1>bad_redirect_uri</h1>');
      return;
    }
    const choice = q.get('install_on');
    if (!choice) {
      const links = [...this.teams.values()]
        .map(
          (t) =>
            `<li><a href="${withParam(url, 'install_on', t.id)}">Install in ${escapeHtml(t.name)} (${t.id})</a></li>`,
        )
        .concat(
          [...this.enterprises.values()].map(
            (e) =>
              `<li><a href="${withParam(url, 'install_on', e.id)}">Install in every workspace of ${escapeHtml(e.name)} (org-wide, ${e.id})</a></li>`,
          ),
        );
      page(
        200,
        `<h1>Install the app</h1><p>Scopes: ${escapeHtml(scopes.join(', '))}</p><ul>${links.join('')}</ul>`,
      );
      return;
    }
    const ent = this.enterprises.get(choice);
    const team = this.teams.get(choice);
    if (!ent && !team) {
      page(400, '<h1>unknown workspace</h1>');
      return;
    }
    const code = `${Date.now()}.${randomBytes(16).toString('hex')}`;
    this.codes.set(code, {
      ...(ent
        ? { enterpriseId: ent.id }
        : { teamId: choice, ...(team?.enterpriseId ? { enterpriseId: team.enterpriseId } : {}) }),
      orgWide: Boolean(ent),
      scopes,
      installer: q.get('as_user') ?? 'U0ALICE',
      ...(redirectUri ? { redirectUri } : {}),
      expiresAt: this.now() + CODE_TTL_MS,
    });
    const back = new URL(target);
    back.searchParams.set('code', code);
    const state = q.get('state');
    if (state !== null) back.searchParams.set('state', state);
    res.writeHead(302, { location: back.toString() }).end();
  }

  /**
   * `oauth.v2.access`: the client id and secret in the body or as HTTP Basic; a code once, within
   * ten minutes, with the redirect_uri it was issued for; or `grant_type=refresh_token` with token
   * rotation on. The answer's shape is Slack's.
   * @see https://docs.slack.dev/reference/methods/oauth.v2.access
   */
  access(args: Record<string, unknown>, authorization: string | undefined): ApiResult {
    const app = this.oauth;
    let clientId = typeof args.client_id === 'string' ? args.client_id : undefined;
    let secret = typeof args.client_secret === 'string' ? args.client_secret : undefined;
    if (authorization?.startsWith('Basic ')) {
      const [id, pass] = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':');
      clientId ??= id;
      secret ??= pass;
    }
    if (!app || !clientId || clientId !== app.clientId) return { ok: false, error: 'invalid_client_id' };
    if (secret !== app.clientSecret) return { ok: false, error: 'bad_client_secret' };
    if (args.grant_type === 'refresh_token') return this.refresh(String(args.refresh_token ?? ''));
    const code = typeof args.code === 'string' ? args.code : '';
    const pending = this.codes.get(code);
    // Single use: the code is gone whatever happens next.
    this.codes.delete(code);
    if (!pending || pending.expiresAt <= this.now()) return { ok: false, error: 'invalid_code' };
    const given = typeof args.redirect_uri === 'string' ? args.redirect_uri : undefined;
    if (pending.redirectUri !== given) return { ok: false, error: 'bad_redirect_uri' };
    const grant = this.issue(pending);
    const team = pending.teamId ? this.teams.get(pending.teamId) : undefined;
    const ent = pending.enterpriseId ? this.enterprises.get(pending.enterpriseId) : undefined;
    return {
      ok: true,
      access_token: grant.token,
      token_type: 'bot',
      scope: grant.scopes.join(','),
      bot_user_id: this.state.id.botUserId,
      app_id: this.state.id.appId,
      team: pending.orgWide || !team ? null : { id: team.id, name: team.name },
      enterprise: ent ? { id: ent.id, name: ent.name } : null,
      authed_user: { id: pending.installer },
      is_enterprise_install: pending.orgWide,
      ...this.rotation(grant),
    };
  }

  /** What auth.test answers for a grant's token. */
  authTest(g: SimGrant, base: { url: string }): ApiResult {
    const team = g.teamId ? this.teams.get(g.teamId) : undefined;
    const ent = g.enterpriseId ? this.enterprises.get(g.enterpriseId) : undefined;
    return {
      ok: true,
      url: g.orgWide ? `${base.url}enterprise/${g.enterpriseId}/` : `${base.url}${team?.domain ?? ''}`,
      team: g.orgWide ? ent?.name : team?.name,
      user: this.state.id.botName,
      team_id: g.orgWide ? g.enterpriseId : g.teamId,
      user_id: this.state.id.botUserId,
      bot_id: this.state.id.botId,
      ...(g.enterpriseId ? { enterprise_id: g.enterpriseId } : {}),
      is_enterprise_install: g.orgWide,
    };
  }

  private issue(p: Pick<PendingCode, 'teamId' | 'enterpriseId' | 'orgWide' | 'scopes'>): SimGrant {
    const rotating = Boolean(this.oauth?.tokenRotation);
    const grant: SimGrant = {
      token: token('xoxb', rotating),
      ...(p.teamId ? { teamId: p.teamId } : {}),
      ...(p.enterpriseId ? { enterpriseId: p.enterpriseId } : {}),
      orgWide: p.orgWide,
      scopes: p.scopes,
      uses: 0,
      ...(rotating ? { refreshToken: token('xoxe-1'), expiresAt: this.now() + this.lifetimeS() * 1000 } : {}),
    };
    this.grants.set(grant.token, grant);
    if (grant.refreshToken) this.refreshTokens.set(grant.refreshToken, grant);
    return grant;
  }

  private rotation(g: SimGrant): Record<string, unknown> {
    return g.refreshToken ? { refresh_token: g.refreshToken, expires_in: this.lifetimeS() } : {};
  }

  private lifetimeS(): number {
    return this.oauth?.tokenLifetimeSeconds ?? ROTATING_TOKEN_TTL_S;
  }

  /** A rotating token refreshed: a new token and refresh token; the old refresh token is spent. */
  private refresh(refreshToken: string): ApiResult {
    const old = this.refreshTokens.get(refreshToken);
    this.refreshTokens.delete(refreshToken);
    if (!old || old.revoked) return { ok: false, error: 'invalid_refresh_token' };
    const grant = this.issue(old);
    return {
      ok: true,
      access_token: grant.token,
      token_type: 'bot',
      scope: grant.scopes.join(','),
      ...this.rotation(grant),
      ...(old.teamId ? { team: { id: old.teamId } } : {}),
      ...(old.enterpriseId ? { enterprise: { id: old.enterpriseId } } : {}),
    };
  }
}

function withParam(url: URL, key: string, value: string): string {
  const u = new URL(url.toString());
  u.searchParams.set(key, value);
  return escapeHtml(`${u.pathname}${u.search}`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
