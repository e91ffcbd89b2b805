import type { Installation, InstallationQuery, InstallationStore } from '@slack/oauth';
import type { Records } from '../platform/records.js';
import type { Sealer } from '../platform/sealed.js';

/**
 * The key of an installation: an organization's org-wide install by its enterprise id, any other
 * by its workspace (team ids are unique across organizations).
 */
export function installationKey(q: {
  teamId?: string;
  enterpriseId?: string;
  isEnterpriseInstall?: boolean;
}): string {
  if (q.isEnterpriseInstall) {
    if (!q.enterpriseId) throw new Error('an org-wide installation needs its enterprise id');
    return `installation:${q.enterpriseId}`;
  }
  if (!q.teamId) throw new Error('an installation needs its team id');
  return `installation:${q.teamId}`;
}

/**
 * Bolt's InstallationStore (@slack/oauth) on the bot's own durable store (Redis with REDIS_URL,
 * SQLite in STATE_DIR), each installation sealed whole with SLACK_INSTALLATION_KEY (AES-256-GCM):
 * tokens, refresh tokens and their expiry never lie in the store as plain text. The installation is
 * kept as @slack/oauth gives it (bot.refreshToken, bot.expiresAt included), so InstallProvider's
 * authorize() refreshes rotating tokens and stores the new ones here.
 * @see https://docs.slack.dev/tools/bolt-js/concepts/authenticating-oauth
 */
export class SealedInstallationStore implements InstallationStore {
  constructor(
    private readonly records: Records,
    private readonly sealer: Sealer,
  ) {}

  async storeInstallation(installation: Installation): Promise<void> {
    const key = installationKey({
      teamId: installation.team?.id,
      enterpriseId: installation.enterprise?.id,
      isEnterpriseInstall: installation.isEnterpriseInstall,
    });
    await this.records.put(key, this.sealer.seal(JSON.stringify(installation), key));
  }

  /**
   * The installation that serves a workspace: its own, or for an org-wide install (events carry
   * the organization's id and `is_enterprise_install`) the organization's.
   */
  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation> {
    const key = installationKey(query);
    const sealed = await this.records.get(key);
    if (sealed === undefined) {
      const where = query.isEnterpriseInstall
        ? `organization ${query.enterpriseId}`
        : `workspace ${query.teamId}`;
      throw new Error(`the app is not installed in ${where}`);
    }
    return JSON.parse(this.sealer.open(sealed, key)) as Installation;
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.records.delete(installationKey(query));
  }
}
