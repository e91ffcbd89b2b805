import type { App } from '@slack/bolt';
import { WaitingRoom } from '../../limits/waiting-room.js';
import type { FeatureDeps } from '../deps.js';
import { register } from './listener.js';

/** Summaries that may wait for a turn; one more is told the bot is busy. */
const SUMMARIES_WAITING = 20;

/**
 * Summaries: `/summarize` and the "Summarize thread" shortcut, every point linked to its source.
 * `track` hands each summary's work to whatever shutdown waits for.
 */
export function install(app: App, deps: FeatureDeps & { track(work: Promise<unknown>): void }): void {
  const { config, platform, limits, slack } = deps;
  register(app, {
    budget: limits.budget,
    room: new WaitingRoom({ slots: config.bot.summariesMaxConcurrent, maxWaiting: SUMMARIES_WAITING }),
    log: platform.log,
    identity: slack.identity,
    readClient: slack.readClient,
    postClient: slack.postClient,
    directory: slack.directory,
    readers: slack.readers,
    traffic: limits.traffic,
    store: platform.store,
    claims: limits.claims,
    claude: async (channelId) => {
      const p = await deps.profiles.forPlace({
        channelId,
        kind: channelId.startsWith('D') ? 'dm' : 'channel',
      });
      return {
        model: p.model,
        maxTokens: p.maxTokens,
        contextTokens: p.contextTokens,
        cacheTtlSeconds: p.cacheTtlSeconds,
        daily: { tokensPerDay: p.userTokensPerDay, pool: p.budgetPool },
      };
    },
    track: deps.track,
    access: deps.access,
  });
}
