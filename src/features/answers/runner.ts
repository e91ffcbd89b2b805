import type { WebClient } from '@slack/web-api';
import type Keyv from 'keyv';
import type { Config } from '../../config/config.js';
import type { ClaimStore } from '../../limits/claims.js';
import type { Traffic } from '../../limits/traffic.js';
import type { UserBudget } from '../../limits/user-budget.js';
import type { WaitingRoom } from '../../limits/waiting-room.js';
import { BoundedMap } from '../../platform/bounded-map.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import type { AnswerJob } from '../../slack/job.js';
import type { UserDirectory } from '../../slack/read/directory.js';
import { type Identity, loadConversation } from '../../slack/read/history.js';
import { slackErrorCode } from '../../slack/web.js';
import { SlackReply } from '../../slack/write/reply.js';
import type { StreamPacer } from '../../slack/write/stream-pacer.js';
import { type AnswerOutcome, answer } from './answer.js';

export interface RunnerDeps {
  config: Config;
  claims: ClaimStore;
  traffic: Traffic;
  postClient: WebClient;
  readClient: WebClient;
  directory: UserDirectory;
  identity: Identity;
  pacer: StreamPacer;
  metrics: Metrics;
  log: Logger;
  now?: () => Date;
  /** Shared memory of answered threads (Redis with REDIS_URL), for un-mentioned follow-ups. */
  store?: Keyv;
  /** How long a claim lasts without renewal: a dead process's events are answered again after it. */
  leaseMs?: number;
  /** Where questions wait for their turn before any work is done for them. */
  room?: WaitingRoom;
  /** Per-person fairness and budgets; absent = no per-person limits. */
  budget?: UserBudget;
  /** Told of every answer written (usage summary). */
  onAnswered?: (job: AnswerJob, outcome: AnswerOutcome) => void;
}

/** After an answer, redeliveries of its event stay dropped for this long (Slack retries within minutes). */
const CLAIM_KEEP_MS = 6 * 60 * 60 * 1000;
const DEFAULT_LEASE_MS = 30_000;
/** Follow-ups are answered in threads the bot answered in during the last week. */
const ANSWERED_THREAD_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Runs answers in the background after their event was acknowledged: claims the event (exactly
 * one reply, even across replicas), keeps the claim alive while working, and on shutdown lets
 * answers finish, then tells the rest to ask again.
 */
export class AnswerRunner {
  private running = new Map<Promise<void>, AbortController>();
  /** Threads answered here lately (the store has them all, for ANSWERED_THREAD_TTL_MS). */
  private answeredThreads = new BoundedMap<string, true>({ max: 20_000, ttlMs: ANSWERED_THREAD_TTL_MS });

  constructor(private readonly deps: RunnerDeps) {}

  get size(): number {
    return this.running.size;
  }

  /** Whether the bot answered in this thread (this process, or any replica through the store). */
  async hasAnsweredIn(team: string, channel: string, threadTs: string): Promise<boolean> {
    const key = `${team}:${channel}:${threadTs}`;
    if (this.answeredThreads.has(key)) return true;
    return Boolean(await this.deps.store?.get(`thread:${key}`).catch(() => undefined));
  }

  /** Other background work (summaries) that shutdown should wait for. */
  track(work: Promise<unknown>): void {
    const p = work.then(
      () => {},
      (err) => this.deps.log.error({ err }, 'background work failed'),
    );
    this.running.set(p, new AbortController());
    void p.finally(() => this.running.delete(p));
  }

  submit(job: AnswerJob): void {
    const controller = new AbortController();
    const p = this.run(job, controller.signal).catch((err) => {
      this.deps.log.error({ err, ref: job.eventId }, 'answer job failed');
    });
    this.running.set(p, controller);
    void p.finally(() => this.running.delete(p));
  }

  /**
   * Waits up to `graceMs` for running answers; then aborts the rest, which end with a "restarting,
   * please ask again" note, and waits for those notes to be posted.
   */
  async drain(graceMs: number): Promise<{ finished: number; aborted: number }> {
    const total = this.running.size;
    const done = await settleWithin([...this.running.keys()], graceMs);
    if (done) return { finished: total, aborted: 0 };
    const left = [...this.running.entries()];
    for (const [, controller] of left) controller.abort();
    await settleWithin(
      left.map(([p]) => p),
      10_000,
    );
    return { finished: total - left.length, aborted: left.length };
  }

  private async run(job: AnswerJob, signal: AbortSignal): Promise<void> {
    const { claims, metrics, log } = this.deps;
    const leaseMs = this.deps.leaseMs ?? DEFAULT_LEASE_MS;
    const claimKey = `claim:${job.place.teamId}:${job.place.channelId}:${job.messageTs}`;
    if (!(await claims.claim(claimKey, leaseMs))) {
      metrics.duplicates.inc();
      log.info({ ref: job.eventId, channel: job.place.channelId }, 'duplicate event dropped');
      return;
    }
    // Renew the lease while working, so a long answer is not taken over by a redelivery.
    const renew = setInterval(() => void claims.extend(claimKey, leaseMs).catch(() => {}), leaseMs / 3);
    metrics.inflight.inc();
    const started = Date.now();
    const sink = new SlackReply(
      this.deps.postClient,
      {
        channel: job.place.channelId,
        threadTs: job.place.threadTs,
        teamId: job.place.teamId,
        userId: job.userId,
      },
      this.deps.pacer,
      log,
      job.eventId,
    );
    let firstText = true;
    const admitted =
      job.blank || !this.deps.budget ? undefined : await this.deps.budget.begin(job.place.teamId, job.userId);
    if (admitted && !admitted.ok) {
      log.info({ ref: job.eventId, user: job.userId }, 'per-person limit reached');
      await sink.fail(`:hourglass: ${admitted.message}`).catch(() => {});
      metrics.answers.inc({ outcome: 'user_limit', source: 'none' });
      clearInterval(renew);
      metrics.inflight.dec();
      await claims.complete(claimKey, CLAIM_KEEP_MS);
      return;
    }
    try {
      const c = this.deps.config;
      const room = this.deps.room;
      const outcome = await answer(
        job,
        {
          thinking: (s) => sink.thinking(s),
          append: (d) => {
            if (firstText) metrics.firstText.observe((Date.now() - started) / 1000);
            firstText = false;
            sink.append(d);
          },
          finish: () => sink.finish(),
          fail: (t) => sink.fail(t),
          allowMentions: (ids, nameOf) => sink.allowMentions(ids, nameOf),
          offerFeedback: () => sink.offerFeedback(),
        },
        {
          nameOf: (id) => this.deps.directory.knownName(id),
          loadConversation: (j, o) =>
            loadConversation(this.deps.readClient, this.deps.directory, this.deps.identity, j, o),
          traffic: this.deps.traffic,
          log,
          botName: this.deps.identity.botName,
          model: c.claude.model,
          maxTokens: c.claude.maxTokens,
          contextTokens: c.claude.contextTokens,
          customPrompt: c.bot.systemPrompt,
          now: this.deps.now,
          signal,
          ...(room ? { waitTurn: (o) => room.enter(o) } : {}),
        },
      );
      metrics.answers.inc({
        outcome: outcome.ok ? 'ok' : (outcome.errorKind ?? 'error'),
        source: outcome.source ?? 'none',
      });
      this.deps.onAnswered?.(job, outcome);
      if (outcome.usage) {
        const u = outcome.usage;
        void this.deps.budget
          ?.spend(job.place.teamId, job.userId, u.inputTokens + u.outputTokens)
          .catch(() => {});
      }
      this.rememberThread(job);
      await claims.complete(claimKey, CLAIM_KEEP_MS);
    } catch (err) {
      // Nothing could be written to Slack: let a redelivery try again.
      log.error({ err, code: slackErrorCode(err), ref: job.eventId }, 'answer could not be delivered');
      metrics.answers.inc({ outcome: 'undelivered', source: 'none' });
      await claims.release(claimKey);
    } finally {
      clearInterval(renew);
      metrics.inflight.dec();
      if (admitted?.ok) admitted.release();
    }
  }

  private rememberThread(job: AnswerJob): void {
    const key = `${job.place.teamId}:${job.place.channelId}:${job.place.threadTs}`;
    this.answeredThreads.set(key, true);
    void this.deps.store?.set(`thread:${key}`, 1, ANSWERED_THREAD_TTL_MS).catch(() => {});
  }
}

async function settleWithin(promises: Promise<unknown>[], ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  const ok = await Promise.race([Promise.allSettled(promises).then(() => true as const), timeout]);
  clearTimeout(timer);
  return ok;
}
