import { randomUUID } from 'node:crypto';
import type {
  App,
  BlockAction,
  ButtonAction,
  MessageShortcut,
  RespondArguments,
  RespondFn,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type Keyv from 'keyv';
import { tokensOf } from '../../claude/client.js';
import type { ClaimStore } from '../../limits/claims.js';
import { PRIORITY } from '../../limits/queue.js';
import type { AnswerSource, Traffic } from '../../limits/traffic.js';
import type { DailyBudget, UserBudget } from '../../limits/user-budget.js';
import type { WaitingRoom } from '../../limits/waiting-room.js';
import type { Logger } from '../../platform/logger.js';
import { type AccessPolicy, NOT_ENABLED_TEXT } from '../../slack/access.js';
import type { UserDirectory } from '../../slack/read/directory.js';
import type { Identity } from '../../slack/read/history.js';
import type { Readers } from '../../slack/read/readers.js';
import { slackErrorCode } from '../../slack/web.js';
import { formatMarkdownForSlack } from '../../slack/write/format.js';
import { parseSummarizeArgs, type SummaryWindow, usageText } from './args.js';
import { coverageOf, coverageText } from './plan.js';
import {
  DEFAULT_LIMITS,
  type HistoryLimits,
  type HistoryWindow,
  readChannelHistory,
} from './read-channel.js';
import { SummaryPublisher } from './share.js';
import { summarize } from './summarize.js';
import {
  clipMarkdown,
  coverageMrkdwn,
  FOREIGN_PRIVATE_TEXT,
  failureText,
  filesMrkdwn,
  NOT_YOURS_TEXT,
  SHARE_ACTION_ID,
  summaryBlocks,
  UNCHECKED_READER_TEXT,
} from './texts.js';

/** What a summary of a channel is written with: its profile's model, limits, cache and budget. */
export interface SummaryProfile {
  model: string;
  maxTokens: number;
  contextTokens: number;
  cacheTtlSeconds: number;
  daily: DailyBudget;
}

export interface SummarizeListenerDeps {
  log: Logger;
  identity: Identity;
  readClient: WebClient;
  postClient: WebClient;
  directory: UserDirectory;
  /** Whether the person may read a linked conversation (guests: only their own). */
  readers: Pick<Readers, 'canRead'>;
  traffic: Traffic;
  /** Keeps private summaries for the Share button (shared by replicas when Redis is set). */
  store: Keyv;
  /** Exactly-once claims (Redis with REDIS_URL): one public post per Share button. */
  claims: ClaimStore;
  /** The model and limits of the channel's profile (CLAUDE_PROFILES_FILE). */
  claude(channelId: string): Promise<SummaryProfile>;
  /** Runs work after the ack, so shutdown can wait for it. */
  track(work: Promise<unknown>): void;
  /** Per-person limits (USER_*): a summary counts like a question. */
  budget?: UserBudget;
  /** Summaries at once per process (SUMMARIES_MAX_CONCURRENT); the rest wait here. */
  room?: WaitingRoom;
  /** Allow-lists (where it is asked and the channel of a linked thread); unset: everyone. */
  access?: AccessPolicy;
  limits?: HistoryLimits;
  now?: () => Date;
}

/** One summary to make: plain data plus the way to answer the person who asked. */
interface SummaryJob {
  ref: string;
  teamId: string;
  /** Where it was asked (and where the summary is shown). */
  channelId: string;
  channelName: string | undefined;
  userId: string;
  window: SummaryWindow;
  public: boolean;
  respond: RespondFn;
  /** Responses go into this thread (the shortcut's thread, where the person is looking). */
  threadTs?: string;
}

/** Allow-list checks happen before the ack, which Slack wants within 3 seconds. */
const ACCESS_CHECK_MS = 1500;

/** Names Slack gives conversations without a readable name in command payloads. */
const where = (name: string | undefined) =>
  name && !/^(directmessage|privategroup|mpdm)/.test(name) ? `#${name}` : 'this conversation';

/** `/summarize`, the "Summarize thread" message shortcut and the Share button. */
export function register(app: App, deps: SummarizeListenerDeps): void {
  const publisher = new SummaryPublisher({ ...deps, botName: () => deps.identity.botName });
  let workspaceUrl: Promise<string> | undefined;
  const urlOf = () => {
    workspaceUrl ??= deps.readClient.auth.test().then((r) => r.url ?? 'https://slack.com/');
    workspaceUrl.catch(() => {
      workspaceUrl = undefined;
    });
    return workspaceUrl;
  };

  app.command('/summarize', async ({ command, ack, respond }) => {
    const args = parseSummarizeArgs(command.text);
    if (args.kind !== 'summarize') {
      const usage = usageText(command.command);
      await ack({
        response_type: 'ephemeral',
        text: args.kind === 'help' ? usage : `${args.message}\n\n${usage}`,
      });
      return;
    }
    const linked = args.window.kind === 'thread' ? [args.window.channelId] : [];
    const denial = await deps.access?.checkAll(
      { teamId: command.team_id, userId: command.user_id },
      [command.channel_id, ...linked],
      ACCESS_CHECK_MS,
    );
    if (denial) {
      await ack({ response_type: 'ephemeral', text: NOT_ENABLED_TEXT[denial] });
      return;
    }
    const place = where(command.channel_name);
    const what = args.window.kind === 'thread' ? 'this thread' : `${args.window.label} in ${place}`;
    await ack({ response_type: 'ephemeral', text: `:hourglass_flowing_sand: Summarizing ${what}…` });
    const job: SummaryJob = {
      ref: `sum-${randomUUID().slice(0, 8)}`,
      teamId: command.team_id,
      channelId: command.channel_id,
      channelName: command.channel_name,
      userId: command.user_id,
      window: args.window,
      public: args.public,
      respond,
    };
    deps.track(run(job));
  });

  app.shortcut(
    { callback_id: 'summarize_thread', type: 'message_action' },
    async ({ shortcut, ack, respond }) => {
      await ack();
      const s = shortcut as MessageShortcut;
      const ts = (s.message.thread_ts as string | undefined) ?? s.message.ts;
      const denial = await deps.access?.checkAll(
        {
          teamId: s.team?.id ?? s.user.team_id ?? '',
          ...(s.user.team_id ? { userTeamId: s.user.team_id } : {}),
          userId: s.user.id,
        },
        [s.channel.id],
        ACCESS_CHECK_MS,
      );
      if (denial) {
        deps.track(respond({ response_type: 'ephemeral', text: NOT_ENABLED_TEXT[denial] }));
        return;
      }
      const job: SummaryJob = {
        ref: `sum-${randomUUID().slice(0, 8)}`,
        teamId: s.team?.id ?? s.user.team_id ?? '',
        channelId: s.channel.id,
        channelName: s.channel.name,
        userId: s.user.id,
        window: {
          kind: 'thread',
          channelId: s.channel.id,
          ts,
          label: 'this thread',
          key: `thread:${s.channel.id}:${ts}`,
        },
        public: false,
        respond,
        threadTs: ts,
      };
      deps.track(
        respond({
          response_type: 'ephemeral',
          thread_ts: ts,
          text: ':hourglass_flowing_sand: Summarizing this thread…',
        })
          .catch((err) => deps.log.warn({ err, ref: job.ref }, 'could not acknowledge the shortcut'))
          .then(() => run(job)),
      );
    },
  );

  app.action(SHARE_ACTION_ID, async ({ ack, body, action, respond }) => {
    await ack();
    deps.track(publisher.share(body as BlockAction, (action as ButtonAction).value ?? '', respond));
  });

  async function run(job: SummaryJob): Promise<void> {
    const started = Date.now();
    const log = deps.log.child({ ref: job.ref, channel: job.channelId, user: job.userId });
    // Responses go out in order; progress never overtakes the summary.
    let queue: Promise<unknown> = Promise.resolve();
    const say = (m: RespondArguments) => {
      queue = queue.then(() =>
        job
          .respond({ response_type: 'ephemeral', ...(job.threadTs ? { thread_ts: job.threadTs } : {}), ...m })
          .catch((err) => log.warn({ err }, 'response_url failed')),
      );
      return queue;
    };
    const w = job.window;
    const source = w.kind === 'thread' ? w.channelId : job.channelId;
    const { cacheTtlSeconds, daily, ...claude } = await deps.claude(source);
    const admitted = await deps.budget?.begin(job.teamId, job.userId, daily);
    if (admitted && !admitted.ok) {
      log.info('per-person limit reached');
      return void (await say({ text: `:hourglass: ${admitted.message}` }));
    }
    let leave: (() => void) | undefined;
    let tokens = 0;
    try {
      leave = await deps.room?.enter({
        onQueued: (ahead) =>
          void say({
            text: `:hourglass_flowing_sand: Other summaries are being written; yours starts ${ahead === 0 ? 'next' : `after ${ahead} more`}…`,
          }),
      });
      let place = where(job.channelName);
      if (source !== job.channelId) {
        const info = await deps.readClient.conversations.info({ channel: source });
        const c = info.channel;
        if (!c || c.is_private || c.is_im || c.is_mpim)
          return void (await say({ text: FOREIGN_PRIVATE_TEXT }));
        // A link to elsewhere is honoured only where the person could read it in Slack.
        const readable = await deps.readers.canRead(job.userId, source);
        if (!readable) {
          log.info({ source, readable }, 'linked conversation not readable by the person');
          return void (await say({ text: readable === false ? NOT_YOURS_TEXT : UNCHECKED_READER_TEXT }));
        }
        place = `#${c.name}`;
      }
      const label = w.kind === 'thread' ? `a thread in ${place}` : `${w.label} in ${place}`;
      const now = (deps.now?.() ?? new Date()).getTime() / 1000;
      const hw: HistoryWindow =
        w.kind === 'thread'
          ? { kind: 'thread', ts: w.ts }
          : w.kind === 'count'
            ? { kind: 'count', count: w.count }
            : { kind: 'since', oldest: (now - w.seconds).toFixed(6) };
      const limits = deps.limits ?? DEFAULT_LIMITS;
      const history = await readChannelHistory(
        {
          client: deps.readClient,
          directory: deps.directory,
          identity: deps.identity,
          workspaceUrl: await urlOf(),
        },
        source,
        hw,
        limits,
      );
      if (history.messages.length === 0)
        return void (await say({ text: `There are no messages to summarize in ${label}.` }));
      const coverage = coverageOf(history.messages, history.truncated, limits.maxMessages);
      const sources: AnswerSource[] = [];
      const outcome = await summarize(
        { messages: history.messages, label, windowKey: w.key },
        {
          ...claude,
          ask: async (req) => {
            const a = await deps.traffic.ask({ teamId: job.teamId, channelId: source }, req, () => {}, {
              // Long summaries must not starve answers to mentions.
              priority: PRIORITY.background,
              cacheTtlSeconds,
            });
            sources.push(a.source);
            const u = a.source === 'claude' ? a.result?.usage : undefined;
            tokens += u ? tokensOf(u) : 0;
            return { text: a.text, cut: a.result?.stopReason === 'max_tokens' };
          },
          onProgress: ({ done, total }) => {
            if (done === 0) {
              const parts = total > 1 ? ` in ${total} parts` : '';
              void say({
                text: `:hourglass_flowing_sand: Read ${coverageText({ ...coverage, firstTs: undefined })} Writing the summary${parts}…`,
              });
            } else if (total >= 4 && done === Math.ceil(total / 2)) {
              void say({ text: `:hourglass_flowing_sand: ${done} of ${total} parts summarized…` });
            }
          },
        },
      );
      // The summary may ping only people whose messages it covers.
      const authors = new Set(history.messages.map((m) => m.userId));
      const markdown = clipMarkdown(
        formatMarkdownForSlack(outcome.markdown, {
          mentionable: (id) => authors.has(id),
          nameOf: (id) => deps.directory.knownName(id),
        }),
      );
      const title = `Summary of ${label}`;
      const coverageLine = [coverageMrkdwn(coverage), filesMrkdwn(history.messages)]
        .filter(Boolean)
        .join('\n');
      const summary = {
        channelId: job.channelId,
        userId: job.userId,
        title,
        markdown,
        coverage: coverageLine,
      };
      if (job.public) {
        await publisher.post(summary);
        await say({ text: ':white_check_mark: Posted the summary in the channel.' });
      } else {
        const shareId = await publisher.save({ ...summary, teamId: job.teamId });
        await say(
          summaryBlocks({ title, markdown, coverage: coverageLine, ...(shareId ? { shareId } : {}) }),
        );
      }
      log.info(
        {
          messages: coverage.messages,
          chunks: outcome.chunks,
          calls: outcome.calls,
          sources,
          truncated: coverage.truncated,
          public: job.public,
          ms: Date.now() - started,
        },
        'summarized',
      );
    } catch (err) {
      const code = slackErrorCode(err);
      log.warn({ err, code, ms: Date.now() - started }, 'summary failed');
      await say({ text: failureText(err, job.ref, deps.identity.botName) });
    } finally {
      leave?.();
      if (admitted?.ok) admitted.release();
      if (tokens) void deps.budget?.spend(job.teamId, job.userId, tokens, daily).catch(() => {});
    }
  }
}
