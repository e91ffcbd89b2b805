import type { App } from '@slack/bolt';
import type { ToolLender } from '../../ask/tool-loop.js';
import { accessGate } from '../../slack/access.js';
import type { AnswerJob } from '../../slack/job.js';
import type { FeatureDeps } from '../deps.js';
import { ThreadFollowing } from './follow.js';
import { register } from './listener.js';
import { AnswerRunner } from './runner.js';
import { installStop, StopRights, tellReplicas } from './stop.js';

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
    /** Other features' commands ("@bot remember that …"): their work, or undefined when not theirs. */
    commands?: ((job: AnswerJob, words: string) => Promise<void> | undefined)[];
    /** The facts a channel remembers, for its questions' prompts (channel memory). */
    channelFacts?: (place: AnswerJob['place']) => Promise<string[]>;
    /** Client tools other features lend answers (workspace search). */
    tools?: ToolLender;
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
    ...(slack.history ? { history: slack.history } : {}),
    metrics,
    log,
    now: deps.now,
    leaseMs: deps.claimLeaseMs,
    store: platform.store,
    admit: accessGate(deps.access, { claims: limits.claims, postClient: slack.postClient, log }),
    ...(deps.channelFacts ? { channelFacts: deps.channelFacts } : {}),
    tools: deps.tools,
    workspaces: slack.workspaces,
  });
  const stopRights = new StopRights({
    store: platform.store,
    postClient: slack.postClient,
    admins: new Set(config.bot.adminUserIds),
    log,
  });
  const following = new ThreadFollowing({
    store: platform.store,
    claims: limits.claims,
    postClient: slack.postClient,
    log,
    follows: async (place) => (await deps.profiles.forPlace(place)).followThreads === true,
    localeOf: (id) => slack.directory.locale(id),
    stopAnswers: (channel, thread, user) => {
      void tellReplicas(platform.broadcast, channel, thread, user).catch(() => {});
      return runner.stop(channel, thread, user);
    },
  });
  const commands = [
    (job: AnswerJob, words: string) => following.command(job, words),
    ...(deps.commands ?? []),
  ];
  register(app, {
    identity: slack.identity,
    log,
    allowBotMessages: config.bot.allowBotMessages,
    followsThread: (place) => following.followsThread(place),
    command: (job, words) => {
      if (deps.stopping()) return false;
      for (const c of commands) {
        const work = c(job, words);
        if (work) {
          runner.track(work);
          return true;
        }
      }
      return false;
    },
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
  installStop(app, { runner, rights: stopRights, broadcast: platform.broadcast, log });
  return runner;
}
