import type { App } from '@slack/bolt';
import type { Digests, FeatureDeps } from '../deps.js';
import { register } from './listener.js';

/**
 * Summaries: `/summarize` and the "Summarize thread" shortcut, every point linked to its source;
 * the digests other features (routines) ask for go the same way.
 * `track` hands each summary's work to whatever shutdown waits for.
 */
export function install(app: App, deps: FeatureDeps & { track(work: Promise<unknown>): void }): Digests {
  const { platform, limits, slack } = deps;
  return register(app, {
    ask: deps.ask,
    log: platform.log,
    identity: slack.identity,
    readClient: slack.readClient,
    postClient: slack.postClient,
    directory: slack.directory,
    readers: slack.readers,
    store: platform.store,
    claims: limits.claims,
    track: deps.track,
    access: deps.access,
    quota: slack.pacer.quota,
    broadcast: platform.broadcast,
    homeTeam: slack.homeTeam,
  });
}
