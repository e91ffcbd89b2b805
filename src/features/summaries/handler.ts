import type { RespondArguments } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { AskOutcome, AskPipeline, AskSession } from '../../ask/index.js';
import type { AnswerSource } from '../../limits/traffic.js';
import type { Logger } from '../../platform/logger.js';
import type { UserDirectory } from '../../slack/read/directory.js';
import type { Identity } from '../../slack/read/messages.js';
import type { Readers } from '../../slack/read/readers.js';
import { formatMarkdownForSlack } from '../../slack/write/format.js';
import { PlanStream } from '../../slack/write/plan-stream.js';
import type { WriteQuota } from '../../slack/write/write-quota.js';
import type { Digest } from '../deps.js';
import { failureText } from '../failure-text.js';
import { type Language, type SummaryTexts, TEXTS } from '../language.js';
import type { SummaryWindow } from './args.js';
import { coverageOf, coverageText } from './plan.js';
import { type PlanChange, SummaryPlan } from './progress.js';
import {
  DEFAULT_LIMITS,
  type HistoryLimits,
  type HistoryWindow,
  readChannelHistory,
  SUMMARY_EVENT_TYPE,
} from './read-channel.js';
import type { SummaryPublisher } from './share.js';
import { summarize } from './summarize.js';
import { clipMarkdown, coverageMrkdwn, filesMrkdwn, summaryBlocks, windowLabel } from './texts.js';

/** One summary to make: plain data, and where the person who asked is answered. */
export interface SummaryJob {
  ref: string;
  teamId: string;
  /** Where it was asked (and where the summary is shown). */
  channelId: string;
  channelName: string | undefined;
  userId: string;
  window: SummaryWindow;
  public: boolean;
  /** What the summary should attend to besides the usual (a routine's `prompt`). */
  instructions?: string;
  /** Aborted when the process stops (routines: the slot is taken up again). */
  signal?: AbortSignal;
  /** Claude's calls through the Message Batches API (a routine's digest that can wait). */
  batch?: boolean;
  /** Where the finished summary goes instead of the person (routines); `say` still hears the rest. */
  deliver?(summary: Digest): Promise<void>;
  /** Where the plan goes instead of the person's private lines (a routine's channel message). */
  progress?(change: PlanChange): void;
  /** The asker's language for the bot's own words; unset (routines: no asker) reads English. */
  lang?: Language;
}

export interface SummaryDeps {
  ask: AskPipeline;
  log: Logger;
  identity: Identity;
  readClient: WebClient;
  directory: UserDirectory;
  /** Whether the person may read a linked conversation (guests: only their own). */
  readers: Pick<Readers, 'canRead'>;
  publisher: SummaryPublisher;
  workspaceUrl(): Promise<string>;
  /** Writes a public summary's plan stream (the bot's own token). */
  postClient?: WebClient;
  /** Chat stream starts are budgeted per workspace: without one left, no plan stream. */
  quota?: WriteQuota;
  /** The plan of a private summary, shown to the person (the listener keeps response_url's budget). */
  progress?(change: PlanChange): void;
  /** A public summary's thread exists (its plan streams there): Slack's stop button there stops it. */
  onThread?(channel: string, threadTs: string): void;
  limits?: HistoryLimits;
  now?: () => Date;
}

/** Names Slack gives conversations without a readable name in command payloads. */
export const where = (name: string | undefined, t: SummaryTexts = TEXTS.en.summaries) =>
  name && !/^(directmessage|privategroup|mpdm)/.test(name) ? `#${name}` : t.thisConversation;

/**
 * Writes a summary through the shared pipeline: the source channel's profile, the person's
 * budget and the summaries' line; `say` writes to the person (ephemeral responses, in order).
 */
export async function summarizeFor(
  job: SummaryJob,
  say: (m: RespondArguments) => Promise<unknown>,
  deps: SummaryDeps,
): Promise<AskOutcome<void>> {
  const w = job.window;
  const source = w.kind === 'thread' ? w.channelId : job.channelId;
  const kind = source.startsWith('D') ? ('dm' as const) : ('channel' as const);
  const texts = TEXTS[job.lang ?? 'en'];
  return await deps.ask.run(
    {
      ref: job.ref,
      userId: job.userId,
      where: { teamId: job.teamId, channelId: source, kind },
      lane: 'summary',
      ...(job.signal ? { signal: job.signal } : {}),
    },
    {
      status: (s) => {
        if (s.kind === 'queued' && s.for === 'turn')
          void say({ text: `:hourglass_flowing_sand: ${texts.summaries.queued(s.ahead)}` });
      },
      fail: async (f) =>
        void (await say({
          text:
            f.kind === 'stopped'
              ? `:black_square_for_stop: ${texts.summaries.stopped}`
              : failureText(f, job.ref, deps.identity.botName, texts),
        })),
    },
    (s) => write(job, source, s, say, deps),
  );
}

async function write(
  job: SummaryJob,
  source: string,
  s: AskSession,
  say: (m: RespondArguments) => Promise<unknown>,
  deps: SummaryDeps,
): Promise<void> {
  const started = Date.now();
  const w = job.window;
  const t = TEXTS[job.lang ?? 'en'].summaries;
  let place = where(job.channelName);
  let shownPlace = where(job.channelName, t);
  if (source !== job.channelId) {
    const info = await deps.readClient.conversations.info({ channel: source });
    const c = info.channel;
    if (!c || c.is_private || c.is_im || c.is_mpim) return void (await say({ text: t.foreignPrivate }));
    // A link to elsewhere is honoured only where the person could read it in Slack.
    const readable = await deps.readers.canRead(job.userId, source);
    if (!readable) {
      deps.log.info({ ref: job.ref, source, readable }, 'linked conversation not readable by the person');
      return void (await say({ text: readable === false ? t.notYours : t.uncheckedReader }));
    }
    place = `#${c.name}`;
    shownPlace = place;
  }
  // Claude reads the English label (part of the cache key); the person reads theirs.
  const label = w.kind === 'thread' ? `a thread in ${place}` : `${w.label} in ${place}`;
  const shown = !job.lang
    ? label
    : w.kind === 'thread'
      ? t.threadIn(shownPlace)
      : t.inPlace(windowLabel(w, t), shownPlace);
  const limits = deps.limits ?? DEFAULT_LIMITS;
  const history = await readChannelHistory(
    {
      client: deps.readClient,
      directory: deps.directory,
      identity: deps.identity,
      workspaceUrl: await deps.workspaceUrl(),
    },
    source,
    windowOf(w, deps.now?.() ?? new Date()),
    limits,
  );
  if (history.messages.length === 0) return void (await say({ text: t.noMessages(shown) }));
  const coverage = coverageOf(history.messages, history.truncated, limits.maxMessages);
  const title = t.title(shown);
  const coverageLine = [coverageMrkdwn(coverage, t), filesMrkdwn(history.messages, t)]
    .filter(Boolean)
    .join('\n');
  // A public summary streams its plan in its thread; a private one shows it in private lines.
  let stream: PlanStream | undefined;
  let parentTs: string | undefined;
  const plan = new SummaryPlan((c) => {
    if (stream) void stream.update(c.changed);
    else if (job.progress) job.progress(c);
    else if (!job.public) deps.progress?.(c);
  }, t);
  plan.read(coverage.messages, coverageText({ ...coverage, firstTs: undefined }, undefined, t).slice(0, 256));
  if (job.public && !job.deliver) {
    parentTs = await deps.publisher.postParent({
      channelId: job.channelId,
      userId: job.userId,
      title,
      coverage: coverageLine,
      ...(job.lang ? { lang: job.lang } : {}),
    });
    if (deps.postClient && deps.quota) {
      const ps = new PlanStream(
        deps.postClient,
        deps.quota,
        { channel: job.channelId, threadTs: parentTs, teamId: job.teamId, userId: job.userId },
        deps.log,
      );
      if (await ps.start(title, plan.all)) stream = ps;
    }
    deps.onThread?.(job.channelId, parentTs);
  }
  const sources: AnswerSource[] = [];
  let outcome: Awaited<ReturnType<typeof summarize>>;
  try {
    outcome = await summarize(
      {
        messages: history.messages,
        label,
        windowKey: w.key,
        ...(job.instructions ? { instructions: job.instructions } : {}),
      },
      {
        model: s.profile.model,
        maxTokens: s.profile.maxTokens,
        contextTokens: s.profile.contextTokens,
        ask: async (req) => {
          const a = await s.claude(req, job.batch ? { batch: true } : undefined);
          sources.push(a.source);
          return { text: a.text, cut: a.stopReason === 'max_tokens' };
        },
        onProgress: ({ done, total }) => plan.parts(done, total),
        onWriting: () => plan.writing(),
      },
    );
  } catch (err) {
    plan.failed(job.signal?.aborted ? t.stoppedTask : t.unfinished);
    if (parentTs) {
      // Nothing half done stays in the channel: the plan and its title go, a new try posts whole.
      await stream?.finish(undefined);
      await deps.publisher.remove(job.channelId, [stream?.messageTs, parentTs]);
    }
    throw err;
  }
  plan.done();
  s.leaveLine();
  // The summary may ping only people whose messages it covers.
  const authors = new Set(history.messages.map((m) => m.userId));
  const markdown = clipMarkdown(
    formatMarkdownForSlack(outcome.markdown, {
      mentionable: (id) => authors.has(id),
      nameOf: (id) => deps.directory.knownName(id),
    }),
    t,
  );
  const coveragePlain = coverageText(coverage, undefined, t);
  const summary = {
    channelId: job.channelId,
    userId: job.userId,
    title,
    markdown,
    coverage: coverageLine,
    ...(job.lang ? { lang: job.lang } : {}),
  };
  if (job.deliver) {
    await job.deliver({
      title,
      markdown,
      coverage: coverageLine,
      coveragePlain,
      messages: coverage.messages,
    });
  } else if (parentTs) {
    const metadata = { event_type: SUMMARY_EVENT_TYPE, event_payload: {} };
    const streamed = (await stream?.finish(markdown, { metadata })) ?? false;
    if (!streamed) await deps.publisher.postReply(job.channelId, parentTs, markdown);
    await say({ text: `:white_check_mark: ${t.posted}` });
  } else {
    const shareId = await deps.publisher.save({ ...summary, coveragePlain, teamId: job.teamId });
    await say(summaryBlocks({ title, markdown, coverage: coverageLine, t, ...(shareId ? { shareId } : {}) }));
  }
  deps.log.info(
    {
      ref: job.ref,
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
}

/** The history a summary window reads. */
function windowOf(w: SummaryWindow, now: Date): HistoryWindow {
  if (w.kind === 'thread') return { kind: 'thread', ts: w.ts };
  if (w.kind === 'count') return { kind: 'count', count: w.count };
  if (w.kind === 'between') return { kind: 'since', oldest: w.oldest, latest: w.latest };
  return { kind: 'since', oldest: (now.getTime() / 1000 - w.seconds).toFixed(6) };
}
