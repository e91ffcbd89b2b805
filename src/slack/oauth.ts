import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger as SlackLogger } from '@slack/logger';
import {
  type CodedError,
  defaultCallbackFailure,
  defaultCallbackSuccess,
  type Installation,
  InstallProvider,
} from '@slack/oauth';
import type { Config } from '../config/config.js';
import type { Logger } from '../platform/logger.js';
import { type Records, RedisRecords, SqliteRecords } from '../platform/records.js';
import { Sealer } from '../platform/sealed.js';
import { SealedInstallationStore } from './installations.js';
import { INSTALL_PATH, REDIRECT_PATH, type WebRequest, type WebResponse } from './receive/install-routes.js';
import { BOT_SCOPES } from './scopes.js';
import type { WorkspaceAuth, WorkspaceRef } from './workspaces.js';

/** The scopes the app asks for when installed: manifest.yml's bot scopes (scopes.ts mirrors them, checked by a test). */
export const INSTALL_SCOPES: readonly string[] = [
  ...Object.keys(BOT_SCOPES.required),
  ...Object.keys(BOT_SCOPES.optional),
];

/**
 * Installs in many workspaces with Bolt's own OAuth: @slack/oauth's InstallProvider serves the
 * install page (state signed with SLACK_STATE_SECRET, kept in a cookie), exchanges the code with
 * oauth.v2.access, stores the installation, and authorizes every event by its team and enterprise
 * (refreshing rotating tokens). The installations live in Redis (REDIS_URL) or SQLite (STATE_DIR),
 * sealed with SLACK_INSTALLATION_KEY.
 * @see https://docs.slack.dev/tools/bolt-js/concepts/authenticating-oauth
 */
export function createInstaller(
  config: Config,
  deps: {
    log: Logger;
    slackLog: SlackLogger;
    redis?: import('../platform/redis.js').RedisClient;
    fetch?: typeof fetch;
  },
) {
  const { clientId, clientSecret, stateSecret, installationKey, redirectUri, apiUrl } = config.slack;
  if (!clientId || !clientSecret || !stateSecret || !installationKey)
    throw new Error('SLACK_CLIENT_ID: multi-workspace mode needs its four settings');
  const records: Records = deps.redis
    ? new RedisRecords(deps.redis, config.redisKeyPrefix)
    : new SqliteRecords(config.stateDir ?? '.');
  const store = new SealedInstallationStore(records, new Sealer(installationKey));
  const provider = new InstallProvider({
    clientId,
    clientSecret,
    stateSecret,
    installationStore: store,
    installUrlOptions: { scopes: [...INSTALL_SCOPES], ...(redirectUri ? { redirectUri } : {}) },
    // Slack's authorize page sits beside its Web API (slack.com/oauth/v2/authorize); so does a test double's.
    authorizationUrl: new URL('/oauth/v2/authorize', apiUrl).toString(),
    logger: deps.slackLog,
    clientOptions: {
      slackApiUrl: apiUrl,
      timeout: 10_000,
      retryConfig: { retries: 2, minTimeout: 250, maxTimeout: 2000 },
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    },
  });
  const { log } = deps;
  /** Workspaces an org-wide install was seen serving (`org-teams:E…`): uninstalling it forgets them too. */
  const seen = new Set<string>();
  const served = async (ref: WorkspaceRef) => {
    const ent = ref.enterpriseId;
    if (!ref.enterpriseInstall || !ent || !ref.teamId || seen.has(`${ent}:${ref.teamId}`)) return;
    const key = `org-teams:${ent}`;
    const teams = new Set(JSON.parse((await records.get(key)) ?? '[]') as string[]);
    if (!teams.has(ref.teamId)) await records.put(key, JSON.stringify([...teams, ref.teamId]));
    seen.add(`${ent}:${ref.teamId}`);
  };
  const callbackOptions = {
    successAsync: async (i: Installation, o: unknown, req: IncomingMessage, res: ServerResponse) => {
      log.info(
        { team: i.team?.id, enterprise: i.enterprise?.id, orgWide: Boolean(i.isEnterpriseInstall) },
        'app installed',
      );
      defaultCallbackSuccess(i, o as never, req, res);
    },
    failure: (err: CodedError, o: unknown, req: IncomingMessage, res: ServerResponse) => {
      log.warn({ code: err.code, err: { message: err.message } }, 'install failed');
      defaultCallbackFailure(err, o as never, req, res);
    },
  };

  return {
    store,
    records,
    /** The installation serving a workspace, as Bolt's authorize gives it; rejects when there is none. */
    async resolve(ref: WorkspaceRef): Promise<WorkspaceAuth> {
      const a = await provider.authorize({
        teamId: ref.enterpriseInstall ? undefined : ref.teamId,
        enterpriseId: ref.enterpriseId,
        isEnterpriseInstall: Boolean(ref.enterpriseInstall),
      } as Parameters<InstallProvider['authorize']>[0]);
      if (!a.botToken) throw new Error(`no bot token installed for workspace ${ref.teamId}`);
      await served(ref).catch(() => {});
      return {
        ...ref,
        botToken: a.botToken,
        botUserId: a.botUserId ?? '',
        ...(a.botId ? { botId: a.botId } : {}),
      };
    },
    /** Bolt's App authorize: the installation of the event's workspace or organization. */
    async authorize(source: Parameters<InstallProvider['authorize']>[0]) {
      const found = await provider.authorize(source);
      if (source.isEnterpriseInstall)
        await served({
          teamId: source.teamId ?? '',
          ...(source.enterpriseId ? { enterpriseId: source.enterpriseId } : {}),
          enterpriseInstall: true,
        }).catch(() => {});
      return found;
    },
    /** The workspaces an organization's org-wide install served (as far as this bot saw). */
    async teamsOf(enterpriseId: string): Promise<string[]> {
      return JSON.parse((await records.get(`org-teams:${enterpriseId}`)) ?? '[]') as string[];
    },
    /** Deletes a workspace's (or an organization's org-wide) installation. */
    async forget(ref: WorkspaceRef): Promise<void> {
      await store.deleteInstallation({
        teamId: ref.teamId,
        enterpriseId: ref.enterpriseId,
        isEnterpriseInstall: false,
      } as never);
      if (ref.enterpriseInstall && ref.enterpriseId) {
        await store.deleteInstallation({
          enterpriseId: ref.enterpriseId,
          isEnterpriseInstall: true,
        } as never);
        await records.delete(`org-teams:${ref.enterpriseId}`);
        for (const key of [...seen]) if (key.startsWith(`${ref.enterpriseId}:`)) seen.delete(key);
      }
    },
    /** Serves /slack/install and /slack/oauth_redirect with InstallProvider's handlers. */
    async serve(request: WebRequest): Promise<WebResponse> {
      const res = new RecordedResponse();
      const req = { method: 'GET', url: request.url, headers: request.headers } as IncomingMessage;
      const path = new URL(request.url, 'http://bot').pathname;
      try {
        if (path === INSTALL_PATH) await provider.handleInstallPath(req, res.asServerResponse());
        else if (path === REDIRECT_PATH)
          await provider.handleCallback(req, res.asServerResponse(), callbackOptions as never);
        else return { status: 404, headers: {}, body: '' };
      } catch (err) {
        log.warn({ err: { message: (err as Error).message } }, 'install page failed');
        return { status: 500, headers: {}, body: '' };
      }
      return res.result();
    },
    close: () => records.close(),
  };
}

export type Installer = ReturnType<typeof createInstaller>;

/** The parts of ServerResponse InstallProvider uses, recorded as plain data. */
class RecordedResponse {
  private status = 200;
  private readonly headers: Record<string, string | string[]> = {};
  private body = '';

  asServerResponse(): ServerResponse {
    const self = this;
    return {
      getHeader: (name: string) => self.headers[name.toLowerCase()],
      setHeader(name: string, value: string | string[]) {
        self.headers[name.toLowerCase()] = value;
        return this;
      },
      writeHead(status: number, headers?: Record<string, string>) {
        self.status = status;
        for (const [k, v] of Object.entries(headers ?? {})) self.headers[k.toLowerCase()] = v;
        return this;
      },
      end(body?: string) {
        self.body += body ?? '';
        return this;
      },
    } as unknown as ServerResponse;
  }

  result(): WebResponse {
    return { status: this.status, headers: this.headers, body: this.body };
  }
}
