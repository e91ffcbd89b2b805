import type { App } from '@slack/bolt';
import { accessGate } from '../../slack/access.js';
import type { FeatureDeps } from '../deps.js';
import { register } from './listener.js';
import { AnswerRunner } from './runner.js';
import { StopRights } from './stop-rights.js';

/** Where a replica asks the others to stop a thread's answer. */
const STOP_TOPIC = 'stop';

/**
 * Answers: a mention in a channel or a DM becomes a job, answered in its thread with the thread as
 * context. Returns the runner, which shutdown drains and other features' work can be tracked by.
 */
export function install(
  app: App,
  deps: FeatureDeps & {
    /** Claim lease without renewal (tests of a process that dies mid-answer). */
    claimLeaseMs?: number;
    /** True once shutdown began: new questions are left to another replica or Slack's retry. */
    stopping(): boolean;
  },
): AnswerRunner {
  const { config, platform, limits, slack } = deps;
  const { log, metrics } = platform;
  const runner = new AnswerRunner({
    config,
    claims: limits.claims,
    jobs: limits.jobs,
    pipeline: deps.ask,
    postClient: slack.postClient,
    readClient: slack.readClient,
    files: deps.files,
    directory: slack.directory,
    identity: slack.identity,
    pacer: slack.pacer,
    metrics,
    log,
    now: deps.now,
    leaseMs: deps.claimLeaseMs,
    store: platform.store,
    admit: accessGate(deps.access, { claims: limits.claims, postClient: slack.postClient, log }),
  });
  const stopRights = new StopRights({
    store: platform.store,
    postClient: slack.postClient,
    admins: new Set(config.bot.adminUserIds),
    log,
  });
  register(app, {
    identity: slack.identity,
    log,
    answerThreadFollowups: config.bot.answerThreadFollowups,
    allowBotMessages: config.bot.allowBotMessages,
    submit: (job) => {
      metrics.events.inc({ kind: job.place.kind === 'dm' ? 'dm' : 'mention' });
      void stopRights.asked(job);
      if (deps.stopping()) {
        log.warn({ ref: job.eventId }, 'event received while stopping; not answered here');
        return;
      }
      return runner.submit(job);
    },
    hasAnsweredIn: (team, channel, ts) => runner.hasAnsweredIn(team, channel, ts),
  });
  // Slack's stop button: stop the thread's answer; Slack already stopped its stream. The event
  // reaches any replica, and answers in the thread may run on others: they are told too.
  // @see https://docs.slack.dev/reference/events/agent_session_stopped
  const stops = platform.broadcast;
  stops?.subscribe(STOP_TOPIC, (message) => {
    const { channel, thread } = JSON.parse(message) as { channel: string; thread: string };
    const stopped = runner.stop(channel, thread);
    if (stopped) log.info({ channel, thread, stopped }, 'answer stopped for another replica');
  });
  app.event('agent_session_stopped', async ({ event }) => {
    const e = event as unknown as { channel?: string; thread_ts?: string; user?: string };
    if (!e.channel || !e.thread_ts) return;
    // Only who asked (or the bot's admins) may stop an answer; others are told who may.
    if (!e.user || !(await stopRights.allows(e.channel, e.thread_ts, e.user))) {
      log.info({ channel: e.channel, thread: e.thread_ts, user: e.user }, 'stop refused: not the asker');
      return;
    }
    const stopped = runner.stop(e.channel, e.thread_ts);
    log.info({ channel: e.channel, thread: e.thread_ts, user: e.user, stopped }, 'stop button pressed');
    await stops?.publish(STOP_TOPIC, JSON.stringify({ channel: e.channel, thread: e.thread_ts }));
  });
  return runner;
}
