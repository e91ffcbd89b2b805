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
import { STOPPED } from '../../ask/failure.js';
import type { AskPipeline } from '../../ask/index.js';
import type { ClaimStore } from '../../limits/claims.js';
import type { Broadcast } from '../../platform/broadcast.js';
import type { Logger } from '../../platform/logger.js';
import { type AccessPolicy, NOT_ENABLED_TEXT } from '../../slack/access.js';
import type { UserDirectory } from '../../slack/read/directory.js';
import type { Identity } from '../../slack/read/messages.js';
import type { Readers } from '../../slack/read/readers.js';
import { CanvasWriter } from '../../slack/write/canvas.js';
import type { WriteQuota } from '../../slack/write/write-quota.js';
import { askedKey } from '../askers.js';
import type { Digests } from '../deps.js';
import { languageWithin, type SummaryTexts, TEXTS } from '../language.js';
import { parseSummarizeArgs, usageText } from './args.js';
import { digests } from './digests.js';
import { type SummaryJob, summarizeFor, where } from './handler.js';
import { OUTSIDER_CHECK_MS, outsiderRefusal, SHORTCUT_CHECK_MS } from './outsiders.js';
import { type PlanChange, planLines } from './progress.js';
import type { HistoryLimits } from './read-channel.js';
import { SummaryPublisher } from './share.js';
import { CANVAS_ACTION_ID, SHARE_ACTION_ID, STOP_ACTION_ID, windowLabel } from './texts.js';

export interface SummarizeListenerDeps {
  ask: AskPipeline;
  log: Logger;
  identity: Identity;
  readClient: WebClient;
  postClient: WebClient;
  directory: UserDirectory;
  /** Whether the person may read a linked conversation (guests: only their own). */
  readers: Pick<Readers, 'canRead' | 'outsider'>;
  /** Keeps private summaries for the Share button (shared by replicas when Redis is set). */
  store: Keyv;
  /** Exactly-once claims (Redis with REDIS_URL): one public post per Share button. */
  claims: ClaimStore;
  /** Runs work after the ack, so shutdown can wait for it. */
  track(work: Promise<unknown>): void;
  /** The workspace the current work is for (multi-workspace mode); its URL is its own. */
  homeTeam?: () => string;
  /** Allow-lists (where it is asked and the channel of a linked thread); unset: everyone. */
  access?: AccessPolicy;
  limits?: HistoryLimits;
  now?: () => Date;
  /** Chat stream starts per workspace: a public summary streams its plan when one is left. */
  quota?: WriteQuota;
  /** Replicas tell each other of a Stop press (Redis pub/sub); unset: one process. */
  broadcast?: Broadcast;
}

/**
 * Responses one response_url takes: Slack allows five in 30 minutes. The summary itself needs
 * one, a "waiting in line" line may take another: progress lines get the rest, at most three.
 * @see https://docs.slack.dev/interactivity/handling-user-interaction#message_responses
 */
const RESPONSE_URL_USES = 5;
const MAX_PROGRESS_LINES = 3;
/** How long a public summary's asker is remembered in its thread (for the stop button). */
const ASKED_KEEP_MS = 24 * 60 * 60 * 1000;
/** Where a replica asks the others to stop a summary. */
const STOP_TOPIC = 'summary-stop';

/** Allow-list checks happen before the ack, which Slack wants within 3 seconds. */
const ACCESS_CHECK_MS = 1500;
/**
 * The person's language (a cached users.info) is looked up beside the allow-lists, before the
 * ack: English when Slack takes longer. After a shortcut's ack it may take a little longer.
 */
const COMMAND_LOCALE_MS = 1000;
const SHORTCUT_LOCALE_MS = 2000;

/** `/summarize`, the "Summarize thread" message shortcut and the Share button. */
export function register(app: App, deps: SummarizeListenerDeps): Digests {
  // Each workspace's own URL (auth.test with its token), asked once.
  const workspaceUrls = new Map<string, Promise<string>>();
  const urlOf = () => {
    const team = deps.homeTeam?.() ?? '';
    let url = workspaceUrls.get(team);
    if (!url) {
      url = deps.readClient.auth.test().then((r) => r.url ?? 'https://slack.com/');
      workspaceUrls.set(team, url);
      url.catch(() => workspaceUrls.delete(team));
    }
    return url;
  };
  const publisher = new SummaryPublisher({
    ...deps,
    botName: () => deps.identity.botName,
    canvases: new CanvasWriter(deps.postClient),
    workspaceUrl: urlOf,
  });

  app.command('/summarize', async ({ command, ack, respond }) => {
    const args = parseSummarizeArgs(command.text);
    const spoken = languageWithin(deps.directory.locale(command.user_id), COMMAND_LOCALE_MS);
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
    // People from another organization: no link into another conversation.
    const elsewhere = linked.find((c) => c !== command.channel_id);
    const outside =
      elsewhere &&
      (await outsiderRefusal(
        deps,
        { teamId: command.team_id, userId: command.user_id, askedIn: command.channel_id, source: elsewhere },
        OUTSIDER_CHECK_MS,
      ));
    if (outside) return void (await ack({ response_type: 'ephemeral', text: outside }));
    const lang = await spoken;
    const t = TEXTS[lang].summaries;
    const what =
      args.window.kind === 'thread'
        ? t.thisThread
        : t.inPlace(windowLabel(args.window, t), where(command.channel_name, t));
    await ack({ response_type: 'ephemeral', text: `:hourglass_flowing_sand: ${t.summarizing(what)}` });
    const job: SummaryJob = {
      ref: `sum-${randomUUID().slice(0, 8)}`,
      teamId: command.team_id,
      channelId: command.channel_id,
      channelName: command.channel_name,
      userId: command.user_id,
      window: args.window,
      public: args.public,
      lang,
    };
    deps.track(run(job, respond));
  });

  app.shortcut(
    { callback_id: 'summarize_thread', type: 'message_action' },
    async ({ shortcut, ack, respond }) => {
      await ack();
      const s = shortcut as MessageShortcut;
      const spoken = languageWithin(deps.directory.locale(s.user.id), SHORTCUT_LOCALE_MS);
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
      // People from another organization: only a thread of a conversation they are in.
      const outside = await outsiderRefusal(
        deps,
        {
          teamId: s.team?.id ?? s.user.team_id ?? '',
          userId: s.user.id,
          ...(s.user.team_id ? { userTeamId: s.user.team_id } : {}),
          askedIn: s.channel.id,
          source: s.channel.id,
        },
        SHORTCUT_CHECK_MS,
      );
      if (outside) return void deps.track(respond({ response_type: 'ephemeral', text: outside }));
      const lang = await spoken;
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
        lang,
      };
      const t = TEXTS[lang].summaries;
      deps.track(
        respond({
          response_type: 'ephemeral',
          thread_ts: ts,
          text: `:hourglass_flowing_sand: ${t.summarizing(t.thisThread)}`,
        })
          .catch((err) => deps.log.warn({ err, ref: job.ref }, 'could not acknowledge the shortcut'))
          .then(() => run(job, respond, ts)),
      );
    },
  );

  app.action(SHARE_ACTION_ID, async ({ ack, body, action, respond }) => {
    await ack();
    deps.track(publisher.share(body as BlockAction, (action as ButtonAction).value ?? '', respond));
  });

  app.action(CANVAS_ACTION_ID, async ({ ack, body, action, respond }) => {
    await ack();
    deps.track(publisher.saveCanvas(body as BlockAction, (action as ButtonAction).value ?? '', respond));
  });

  /** Summaries being written here, by reference: who asked, how to stop it, a public one's thread. */
  const running = new Map<string, { userId: string; controller: AbortController; thread?: string }>();
  const stopHere = (ref: string, userId: string) => {
    const r = running.get(ref);
    if (!r || r.userId !== userId) return false;
    r.controller.abort(STOPPED);
    return true;
  };
  deps.broadcast?.subscribe(STOP_TOPIC, (message) => {
    const { ref, userId } = JSON.parse(message) as { ref: string; userId: string };
    if (stopHere(ref, userId)) deps.log.info({ ref }, 'summary stopped for another replica');
  });
  // Slack's stop button on a public summary's streamed plan: only the person who asked stops it.
  // @see https://docs.slack.dev/reference/events/agent_session_stopped
  app.event('agent_session_stopped', async ({ event }) => {
    const e = event as unknown as { channel?: string; thread_ts?: string; user?: string };
    const thread = `${e.channel}:${e.thread_ts}`;
    for (const [ref, r] of running) {
      if (r.thread !== thread) continue;
      const here = e.user ? stopHere(ref, e.user) : false;
      deps.log.info({ ref, user: e.user, here }, 'summary stop button pressed');
    }
  });
  // The Stop button under a summary's progress: only the person who asked can press it (it is
  // shown to them only); the summary may be written by another replica.
  app.action(STOP_ACTION_ID, async ({ ack, body, action }) => {
    await ack();
    const ref = (action as ButtonAction).value ?? '';
    const userId = body.user.id;
    const here = stopHere(ref, userId);
    deps.log.info({ ref, user: userId, here }, 'summary stop pressed');
    if (!here) await deps.broadcast?.publish(STOP_TOPIC, JSON.stringify({ ref, userId }));
  });

  /** Writes the summary; responses go out in order, so progress never overtakes the summary. */
  async function run(job: SummaryJob, respond: RespondFn, threadTs?: string): Promise<void> {
    const t = TEXTS[job.lang ?? 'en'].summaries;
    let queue: Promise<unknown> = Promise.resolve();
    let uses = 0;
    let lines = 0;
    const say = (m: RespondArguments) => {
      uses++;
      queue = queue.then(() =>
        respond({ response_type: 'ephemeral', ...(threadTs ? { thread_ts: threadTs } : {}), ...m }).catch(
          (err) => deps.log.warn({ err, ref: job.ref }, 'response_url failed'),
        ),
      );
      return queue;
    };
    // A progress line only while a response is left for the summary itself.
    const progress = (c: PlanChange) => {
      if (!c.milestone || lines >= MAX_PROGRESS_LINES || uses >= RESPONSE_URL_USES - 1) return;
      lines++;
      const { text, lines: tasks } = planLines(c.tasks);
      void say({
        text: `:hourglass_flowing_sand: ${text}`,
        blocks: progressBlocks(text, tasks, job.ref, t),
      } as RespondArguments);
    };
    const controller = new AbortController();
    running.set(job.ref, { userId: job.userId, controller });
    // A public summary streams its plan in its thread: the person gets the Stop button privately too.
    const onThread = (channel: string, ts: string) => {
      const r = running.get(job.ref);
      if (r) r.thread = `${channel}:${ts}`;
      // Recorded as asked there, so the answers' stop rule knows the press is theirs (no "only who asked" note).
      void deps.store.set(askedKey(job.teamId, channel, ts, job.userId), true, ASKED_KEEP_MS).catch(() => {});
      const text = t.writingInThread;
      void say({
        text: `:hourglass_flowing_sand: ${text}…`,
        blocks: progressBlocks(text, [], job.ref, t),
      } as RespondArguments);
    };
    try {
      await summarizeFor({ ...job, signal: controller.signal }, say, {
        ...deps,
        publisher,
        workspaceUrl: urlOf,
        progress,
        onThread,
      });
    } finally {
      running.delete(job.ref);
    }
  }

  return digests((job, say) => summarizeFor(job, say, { ...deps, publisher, workspaceUrl: urlOf }), urlOf);
}

/** A private progress line: the task under way, the plan, and the Stop button. */
function progressBlocks(
  text: string,
  tasks: string[],
  ref: string,
  t: SummaryTexts,
): Array<Record<string, unknown>> {
  return [
    { type: 'section', text: { type: 'mrkdwn', text: `:hourglass_flowing_sand: ${text}` } },
    ...(tasks.length ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: tasks.join('\n') }] }] : []),
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: STOP_ACTION_ID,
          text: { type: 'plain_text', text: t.stopButton },
          style: 'danger',
          value: ref,
        },
      ],
    },
  ];
}
