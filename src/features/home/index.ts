import type { App } from '@slack/bolt';
import type { FeatureDeps } from '../deps.js';
import { register as registerGreeting } from './greeting.js';
import type { ChannelFactsView } from './memory.js';
import type { ReasonView } from './reasons.js';
import type { Votes } from './usage.js';
import { register as registerUsage } from './usage.js';

/** How long someone stays greeted: after a quarter without opening the bot, the greeting comes again. */
const GREETED_KEEP_MS = 90 * 24 * 60 * 60 * 1000;

/** The app's Home: a one-time greeting with prompts in its Messages tab, usage and cost on its Home tab. */
export function install(
  app: App,
  deps: FeatureDeps & {
    feedback?: { week(): Promise<Votes>; recentReasons?(): Promise<ReasonView[]> };
    /** The DM profile's suggested prompts, if any. */
    prompts?: () => string[] | undefined;
    /** Each channel's remembered facts (channel memory), for admins. */
    memory?: (team: string) => Promise<ChannelFactsView[]>;
  },
): void {
  const { platform, slack } = deps;
  const { log, store } = platform;
  registerGreeting(app, {
    log,
    ...(deps.prompts ? { prompts: deps.prompts } : {}),
    get botName() {
      return slack.identity.botName;
    },
    postClient: slack.postClient,
    firstGreeting: async (user) => {
      const key = `greeted:${slack.homeTeam()}:${user}`;
      if (await store.get(key).catch(() => undefined)) return false;
      await store.set(key, true, GREETED_KEEP_MS).catch(() => undefined);
      return true;
    },
  });
  registerUsage(app, {
    log,
    usage: deps.limits.usage,
    postClient: slack.postClient,
    admins: new Set(deps.config.bot.adminUserIds),
    profiles: () => deps.profiles.list(),
    now: deps.now,
    ...(deps.feedback ? { feedback: deps.feedback } : {}),
    ...(deps.memory ? { memory: deps.memory } : {}),
  });
}
