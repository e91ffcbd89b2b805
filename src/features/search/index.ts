import type { ToolLender } from '../../ask/tool-loop.js';
import { ChannelKinds } from '../../slack/read/search.js';
import type { FeatureDeps } from '../deps.js';
import { textsFor } from '../language.js';
import { searchingStatus } from './texts.js';
import { WorkspaceSearch } from './workspace-search.js';

/**
 * Workspace search: lends answers a `search_workspace` tool where a profile turns
 * `workspace_search` on. Claude decides when to search; the bot searches Slack as the asking
 * person (Real-time Search API) and lists the messages it relied on under the answer.
 */
export function install(deps: Pick<FeatureDeps, 'slack' | 'platform'>): ToolLender {
  const { slack, platform } = deps;
  const search = new WorkspaceSearch({
    client: slack.readClient,
    kinds: new ChannelKinds(slack.readClient),
    directory: slack.directory,
    grantedScopes: slack.grantedScopes,
    log: platform.log,
  });
  return (asker, profile, status) => {
    const { ref, actionToken, actionTokenNotKept, ...place } = asker;
    const one = search.begin({ ref, place, actionToken, actionTokenNotKept }, profile.workspaceSearch, (q) =>
      status(searchingStatus(q)),
    );
    if (!one) return undefined;
    const tool = one.tool;
    return {
      tools: tool ? [tool] : [],
      maxCalls: one.maxCalls,
      closing: (a, cut, locale) => one.closing(a, cut, textsFor(locale).search),
    };
  };
}
