/**
 * Channel memory: "@bot remember that …" keeps a fact for the channel it is said in, "@bot what do
 * you remember?" lists them, "@bot forget 2" (or its words) removes one. The bot recognises these
 * itself (Claude is never asked), answers them in the thread, and gives every later question in
 * that channel, and only that channel, its facts in the cached system prompt. Only members of the
 * channel may see or change them; a profile's `memory: false` turns it off.
 */
import { LRUCache } from 'lru-cache';
import type { Logger } from '../../platform/logger.js';
import { accessGate } from '../../slack/access.js';
import type { AnswerJob } from '../../slack/job.js';
import { plainText } from '../../slack/read/messages.js';
import { callOnce, slackErrorCode } from '../../slack/web.js';
import type { FeatureDeps } from '../deps.js';
import { languageWithin, type MemoryTexts, TEXTS } from '../language.js';
import { findFact, type MemoryCommand, parseMemoryCommand } from './commands.js';
import {
  cleanFact,
  type Fact,
  type FactBook,
  FileFacts,
  MAX_FACT_CHARS,
  MAX_FACTS,
  MemoryUnavailable,
  RedisFacts,
  StoreFacts,
} from './facts.js';
import { factList, memoryText } from './texts.js';

/** How often a channel's facts in use have their time to live renewed (per process). */
const TOUCH_EVERY_MS = 24 * 60 * 60 * 1000;

/** A redelivered command event is not done twice (the claim outlives Slack's retries). */
const COMMAND_KEEP_MS = 6 * 60 * 60 * 1000;

export interface ChannelMemory {
  /**
   * The work of a memory command in `words` (the text addressed to the bot), or undefined when
   * the words are no memory command (then the message is a question).
   */
  command(job: AnswerJob, words: string): Promise<void> | undefined;
  /** The facts for a question's prompt: a channel's own, none in DMs. Never throws. */
  factsFor(place: AnswerJob['place']): Promise<string[]>;
  /** Every channel's facts in a workspace, for the Home tab of the bot's admins. */
  overview(team: string): Promise<{ channel: string; facts: Fact[] }[]>;
}

/** Where facts are kept: Redis with REDIS_URL, a file in STATE_DIR without it, else memory. */
export function factBook(deps: Pick<FeatureDeps, 'config' | 'platform'>): FactBook {
  const { config, platform } = deps;
  if (platform.redis) return new RedisFacts(platform.redis, config.redisKeyPrefix);
  if (config.stateDir) {
    try {
      return new FileFacts(config.stateDir, platform.log);
    } catch (err) {
      platform.log.error({ err }, 'STATE_DIR cannot keep channel memory; it is kept in memory only');
    }
  }
  return new StoreFacts(platform.store);
}

export function createMemory(deps: FeatureDeps): ChannelMemory {
  const { platform, slack, limits, profiles } = deps;
  const log: Logger = platform.log;
  const book = factBook(deps);
  const admit = accessGate(deps.access, { claims: limits.claims, postClient: slack.postClient, log });
  const today = () => (deps.now?.() ?? new Date()).toISOString().slice(0, 10);
  const touched = new LRUCache<string, true>({ max: 10_000, ttl: TOUCH_EVERY_MS });
  // Uninstalled from a workspace: every channel's facts there go (STATE_DIR's file included).
  deps.teamData.onForget('channel-memory', async ({ teamId }) => {
    for (const channel of await book.channels(teamId)) await book.update(teamId, channel, () => []);
  });

  const say = async (job: AnswerJob, text: string) => {
    await callOnce(() =>
      slack.postClient.chat.postMessage({
        channel: job.place.channelId,
        thread_ts: job.place.threadTs,
        text,
      }),
    ).catch((err) =>
      log.warn({ ref: job.eventId, code: slackErrorCode(err) }, 'could not post the memory reply'),
    );
  };

  /** What the command does to the channel's facts, and what the person is told. */
  const run = async (job: AnswerJob, cmd: MemoryCommand, table: MemoryTexts): Promise<string> => {
    const { teamId, channelId } = job.place;
    const t = memoryText(table);
    if (cmd.kind === 'list') {
      const facts = await book.list(teamId, channelId);
      if (!facts.length) return t.nothing;
      const names = new Map(
        await Promise.all(
          [...new Set(facts.map((f) => f.by))].map(
            async (id) => [id, await slack.directory.name(id)] as const,
          ),
        ),
      );
      return factList(facts, (id) => names.get(id) ?? id, table);
    }
    if (cmd.kind === 'forgetAll') {
      let n = 0;
      await book.update(teamId, channelId, (facts) => {
        n = facts.length;
        return [];
      });
      return n ? t.forgotAll(n) : t.nothing;
    }
    if (cmd.kind === 'forget') {
      let said = t.notFound;
      const what = cleanFact(await plainText(cmd.what, slack.directory, slack.identity));
      await book.update(teamId, channelId, (facts) => {
        const found = findFact(facts, what);
        if (!found) return facts;
        if ('many' in found) {
          said = t.which(found.many);
          return facts;
        }
        said = t.forgot((facts[found.index] as Fact).text);
        return facts.filter((_, i) => i !== found.index);
      });
      return said;
    }
    const text = cleanFact(await plainText(cmd.fact, slack.directory, slack.identity));
    if (!text) return t.empty;
    if (text.length > MAX_FACT_CHARS) return t.tooLong(text.length);
    let said = '';
    await book.update(teamId, channelId, (facts) => {
      const same = facts.findIndex((f) => f.text.toLowerCase() === text.toLowerCase());
      if (same >= 0) {
        said = t.already(same + 1);
        return facts;
      }
      if (facts.length >= MAX_FACTS) {
        said = t.full;
        return facts;
      }
      said = t.remembered(facts.length + 1);
      return [...facts, { text, by: job.userId, at: today() }];
    });
    return said;
  };

  const handle = async (job: AnswerJob, cmd: MemoryCommand): Promise<void> => {
    const at = { ref: job.eventId, channel: job.place.channelId, user: job.userId, command: cmd.kind };
    const key = `memory-command:${job.place.teamId}:${job.place.channelId}:${job.messageTs}`;
    if (!(await limits.claims.claim(key, COMMAND_KEEP_MS).catch(() => true))) return;
    if (admit && !(await admit(job).catch(() => false))) return;
    // Said in the command's language when its words were German or Japanese, else the person's.
    const lang = cmd.lang ?? (await languageWithin(slack.directory.locale(job.userId)));
    const table = TEXTS[lang].memory;
    const t = memoryText(table);
    const profile = await profiles.forPlace(job.place);
    if (profile.memory === false) return say(job, t.off);
    // Only people in the channel: a guest or someone from another organization is checked
    // against the channels they are in; the workspace's own members read it as Slack lets them.
    const member = await slack.readers.canRead(job.userId, job.place.channelId);
    if (member !== true) return say(job, member === false ? t.notMember : t.unverified);
    try {
      const text = await run(job, cmd, table);
      log.info(at, 'memory command');
      await say(job, text);
    } catch (err) {
      if (err instanceof MemoryUnavailable) {
        // Said plainly, and nothing changed: the facts are unreadable, not gone.
        if (err.logged) log.warn(at, 'memory command refused: channel memory unavailable');
        else
          log.error({ ...at, where: err.where }, 'channel memory unreadable; left as it is, nothing changed');
        await say(job, t.unavailable);
        return;
      }
      log.warn({ ...at, err }, 'memory command failed');
      await say(job, t.failed);
    }
  };

  return {
    command(job, words) {
      // A DM is one person's conversation, which remembers itself: "remember that …" there is
      // said to Claude, and nothing from a DM is kept for any prompt.
      if (job.place.kind === 'dm') return undefined;
      const cmd = parseMemoryCommand(words);
      return cmd ? handle(job, cmd) : undefined;
    },
    async factsFor(place) {
      if (place.kind !== 'channel') return [];
      const facts = await book.list(place.teamId, place.channelId).catch(() => []);
      // Facts in use are kept: their time to live starts again, at most once a day per channel here.
      const key = `${place.teamId}:${place.channelId}`;
      if (facts.length && book.touch && !touched.has(key)) {
        touched.set(key, true);
        void book.touch(place.teamId, place.channelId).catch(() => {});
      }
      return facts.map((f) => f.text);
    },
    async overview(team) {
      const channels = await book.channels(team).catch(() => []);
      const all = await Promise.all(
        channels.map(async (channel) => ({ channel, facts: await book.list(team, channel).catch(() => []) })),
      );
      return all.filter((c) => c.facts.length > 0);
    },
  };
}
