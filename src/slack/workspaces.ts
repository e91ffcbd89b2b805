import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which installation a piece of work acts for: a workspace, or a workspace of an organization
 * whose org-wide install serves it. Plain data: jobs carry it, never a token.
 */
export interface WorkspaceRef {
  teamId: string;
  enterpriseId?: string;
  /** Served by the organization's org-wide install (the event's `is_enterprise_install`). */
  enterpriseInstall?: boolean;
}

/** The installation's bot, as authorize() found it for a workspace. */
export interface WorkspaceAuth extends WorkspaceRef {
  botToken: string;
  botUserId: string;
  botId?: string;
}

/** Finds a workspace's installation (Bolt's InstallProvider.authorize); rejects when it has none. */
export type ResolveWorkspace = (ref: WorkspaceRef) => Promise<WorkspaceAuth>;

/**
 * The workspace each piece of work acts for, in multi-workspace mode (OAuth installs): the Web API
 * clients the bot builds take the token of the workspace in whose context a call is made (Bolt's
 * listeners run in the event's; a background job runs in the one it names), so no call can go out
 * with another workspace's token, and a call made outside any workspace fails rather than guess.
 * With SLACK_BOT_TOKEN (one workspace) it is off and the clients keep that token.
 */
export class Workspaces {
  private readonly als = new AsyncLocalStorage<WorkspaceAuth>();

  constructor(private readonly resolve?: ResolveWorkspace) {}

  /** True in multi-workspace mode. */
  get multi(): boolean {
    return this.resolve !== undefined;
  }

  /** The workspace the current work acts for (multi-workspace mode), if any. */
  current(): WorkspaceAuth | undefined {
    return this.als.getStore();
  }

  /** Runs `work` for the workspace `ref` (its installation's token is looked up first); as is with one workspace. */
  async run<T>(ref: WorkspaceRef, work: () => Promise<T>): Promise<T> {
    if (!this.resolve) return work();
    const auth = await this.resolve(ref);
    return this.als.run({ ...ref, ...auth }, work);
  }

  /** Runs `work` for a workspace already authorized (Bolt's context for an event). */
  within<T>(auth: WorkspaceAuth, work: () => T): T {
    return this.resolve ? this.als.run(auth, work) : work();
  }
}

/** The workspace an event, command or interaction came from, as Bolt's context names it. */
export function workspaceOfContext(context: {
  teamId?: string;
  enterpriseId?: string;
  isEnterpriseInstall?: boolean;
}): WorkspaceRef {
  return {
    teamId: context.teamId ?? '',
    ...(context.enterpriseId ? { enterpriseId: context.enterpriseId } : {}),
    ...(context.isEnterpriseInstall ? { enterpriseInstall: true } : {}),
  };
}

/**
 * The organization an event's workspace belongs to and whether its org-wide install serves it, from
 * the event's envelope (`enterprise_id`, `authorizations[0].is_enterprise_install`); empty otherwise.
 */
export function enterpriseOfBody(body: unknown): Pick<WorkspaceRef, 'enterpriseId' | 'enterpriseInstall'> {
  const b = body as {
    enterprise_id?: unknown;
    is_enterprise_install?: unknown;
    authorizations?: Array<{ enterprise_id?: unknown; is_enterprise_install?: unknown }>;
  };
  const first = Array.isArray(b?.authorizations) ? b.authorizations[0] : undefined;
  const enterpriseId = typeof b?.enterprise_id === 'string' ? b.enterprise_id : first?.enterprise_id;
  const orgWide = first?.is_enterprise_install === true || b?.is_enterprise_install === true;
  return {
    ...(typeof enterpriseId === 'string' && enterpriseId ? { enterpriseId } : {}),
    ...(orgWide ? { enterpriseInstall: true } : {}),
  };
}

/** The workspace a job was asked in, as `run` takes it. */
export function workspaceOfPlace(place: WorkspaceRef): WorkspaceRef {
  return {
    teamId: place.teamId,
    ...(place.enterpriseId ? { enterpriseId: place.enterpriseId } : {}),
    ...(place.enterpriseInstall ? { enterpriseInstall: true } : {}),
  };
}
