import type { App } from '@slack/bolt';
import type { TeamRef } from '../../platform/team-data.js';
import { enterpriseOfBody } from '../../slack/workspaces.js';
import type { FeatureDeps } from '../deps.js';

/**
 * Uninstalls and revoked tokens: `app_uninstalled`, or `tokens_revoked` naming the bot's token,
 * delete the workspace's installation and everything the bot keeps of it (every hook added to
 * `deps.teamData`, and every key naming the team). Bolt runs these listeners without authorizing
 * the event (the installation may be gone already).
 * @see https://docs.slack.dev/reference/events/app_uninstalled
 * @see https://docs.slack.dev/reference/events/tokens_revoked
 */
export function install(app: App, deps: FeatureDeps): void {
  const { log } = deps.platform;
  const forget = async (why: string, body: unknown) => {
    const teamId = (body as { team_id?: unknown }).team_id;
    if (typeof teamId !== 'string' || !teamId) return;
    const { enterpriseId, enterpriseInstall } = enterpriseOfBody(body);
    const team: TeamRef = {
      teamId,
      ...(enterpriseId ? { enterpriseId } : {}),
      ...(enterpriseInstall ? { enterpriseInstall } : {}),
    };
    // An organization's org-wide install removed: each workspace it served goes too.
    const served = enterpriseInstall && enterpriseId ? await deps.slack.installer?.teamsOf(enterpriseId) : [];
    for (const member of served ?? []) {
      const r = await deps.teamData.forget({ teamId: member, enterpriseId: enterpriseId as string });
      log.info({ team: member, enterprise: enterpriseId, why, ...r }, 'workspace forgotten');
    }
    const { failed, keys } = await deps.teamData.forget(team);
    log.info({ team: teamId, enterprise: enterpriseId, why, keys, failed }, 'workspace forgotten');
  };
  app.event('app_uninstalled', async ({ body }) => forget('app_uninstalled', body));
  app.event('tokens_revoked', async ({ event, body }) => {
    // A user's token revoked leaves the bot installed; only the bot's own token matters here.
    const bots = (event as { tokens?: { bot?: unknown[] } }).tokens?.bot;
    if (Array.isArray(bots) && bots.length > 0) await forget('tokens_revoked', body);
  });
}
