import type { WebClient } from '@slack/web-api';
import type Keyv from 'keyv';
import { LRUCache } from 'lru-cache';
import { STOPPED } from '../../ask/failure.js';
import type { AskPipeline } from '../../ask/pipeline.js';
import type { ToolLender } from '../../ask/tool-loop.js';
import type { SharedFileReader } from '../../claude/shared-files.js';
import type { Config } from '../../config/config.js';
import { type ClaimStore, DEFAULT_LEASE_MS } from '../../limits/claims.js';
import type { JobStore } from '../../limits/durable-jobs.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import { Sealer } from '../../platform/sealed.js';
import { type AnswerJob, parseJob, storedJob } from '../../slack/job.js';
import type { UserDirectory } from '../../slack/read/directory.js';
import type { SlackFile } from '../../slack/read/file-kinds.js';
import type { LimitedHistory } from '../../slack/read/limited-history.js';
import type { Identity } from '../../slack/read/messages.js';
import { slackErrorCode } from '../../slack/web.js';
import { type Workspaces, workspaceOfPlace } from '../../slack/workspaces.js';
import { SlackReply } from '../../slack/write/reply.js';
import type { StreamPacer } from '../../slack/write/stream-pacer.js';
import { answer } from './answer.js';
import { loadConversation } from './conversation.js';
import { guardedReply } from './guarded-reply.js';
import { CLAIM_KEEP_MS, claimLease, jobLease, type Lease, removeMessages } from './lease.js';
import { quarantine } from './quarantine.js';
import { Takeover } from './takeover.js';
import { CONTINUED_NOTE, LOST_TRACK_TEXT } from './texts.js';

export interface RunnerDeps {
  config: Config;
  claims: ClaimStore;
  /** Durable questions (Redis): held while answered, taken over when a replica dies. */
  jobs?: JobStore;
  /** The shared path of every question to Claude (profile, budget, waiting room, the call). */
  pipeline: AskPipeline;
  postClient: WebClient;
  readClient: WebClient;
  /** Turns the files shared in a conversation into what Claude reads. */
  files: SharedFileReader<SlackFile>;
  directory: UserDirectory;
  identity: Identity;
  pacer: StreamPacer;
  /** History reads within a distributed app's quota (SLACK_HISTORY_LIMITED). */
  history?: LimitedHistory;
  metrics: Metrics;
  log: Logger;
  now?: () => Date;
  /** Shared memory of answered threads (Redis with REDIS_URL), for un-mentioned follow-ups. */
  store?: Keyv;
  /** How long a claim or job lasts without renewal: a dead process's questions are taken up after it. */
  leaseMs?: number;
  /** Allow-lists: false when the bot is not enabled there (the person has been told). Unset: all. */
  admit?: (job: AnswerJob) => Promise<boolean>;
  /** The facts a channel remembers, for its questions' prompts (channel memory). */
  channelFacts?: (place: AnswerJob['place']) => Promise<string[]>;
  /** Client tools other features lend answers (workspace search). */
  tools?: ToolLender;
  /** Multi-workspace mode: each job runs with its workspace's installation. */
  workspaces?: Workspaces;
}

/** Follow-ups are answered in threads the bot answered in during the last week. */
const ANSWERED_THREAD_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** One question (or other background work) this process is working on. */
interface Running {
  controller: AbortController;
  /** `channel:threadTs` of the question, once it is worked on (the stop button names the thread). */
  thread?: string;
  /** Who asked: only they (or the bot's admins) may stop it. */
  askedBy?: string;
  lease?: Lease;
  /** Waiting in the waiting room, or for memory to read its files: nothing sent to Claude yet. */
  waiting: boolean;
  /** Shutdown gives it back to the shared stream: it writes nothing more here. */
  handingBack: boolean;
  /** Another replica took it over (this one lost its lease): it writes nothing more here. */
  lost: boolean;
}

/**
 * Runs answers in the background after their event was acknowledged: holds the question (a
 * durable job with Redis, else a claim on the event: exactly one reply, even across replicas),
 * keeps the lease alive while working, and on shutdown hands questions still waiting back to
 * the other replicas, lets answers finish, then tells the rest to ask again.
 */
export class AnswerRunner {
  private running = new Map<Promise<void>, Running>();
  /** Threads answered here lately (the store has them all, for ANSWERED_THREAD_TTL_MS). */
  private answeredThreads = new LRUCache<string, true>({ max: 20_000, ttl: ANSWERED_THREAD_TTL_MS });
  private readonly takeover: Takeover | undefined;
  /** Questions could not be kept in the durable store lately (logged once until they can). */
  private notDurable = false;
  /** Seals the person's action_token kept with a waiting job (SLACK_INSTALLATION_KEY); unset: not kept. */
  private readonly sealer: Sealer | undefined;

  constructor(private readonly deps: RunnerDeps) {
    const jobs = deps.jobs;
    const key = deps.config.slack.installationKey;
    this.sealer = key ? new Sealer(key) : undefined;
    const sealer = this.sealer;
    this.takeover = jobs
      ? new Takeover(
          jobs,
          deps.metrics,
          deps.log,
          (text) => parseJob(text, sealer),
          (job, taken, fate) => {
            const release = () => deps.claims.release(claimKeyOf(job));
            const lease = jobLease(jobs, taken.id, release, deps.log, taken.written);
            const expired = fate === 'expired';
            this.spawn(job, async (r) => {
              if (fate === 'quarantined') await quarantine(deps, job, lease, taken.attempts);
              else if (expired || (await this.admitted(job, lease))) await this.work(job, r, lease, expired);
            });
          },
        )
      : undefined;
  }

  get size(): number {
    return this.running.size;
  }

  /** Starts taking over the questions of replicas that stopped (with Redis). */
  start(): void {
    this.takeover?.start(this.deps.config.jobMaxAgeSeconds * 1000);
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
    this.running.set(p, idle());
    void p.finally(() => this.running.delete(p));
  }

  /**
   * Stops the answers of a thread that `by` asked (all of them for `by: 'anyone'`, the bot's
   * admins): Claude's call is aborted (its queue slot freed, no more tokens), a question still
   * waiting leaves the line, and the reply is marked stopped. Returns how many were stopped here
   * (another replica may hold the thread's answer). See stop.ts for the whole stop button.
   */
  stop(channel: string, threadTs: string, by: string): number {
    let stopped = 0;
    for (const r of this.running.values()) {
      if (r.thread !== `${channel}:${threadTs}` || r.controller.signal.aborted) continue;
      if (by !== 'anyone' && r.askedBy !== by) continue;
      r.controller.abort(STOPPED);
      stopped++;
    }
    return stopped;
  }

  /**
   * Takes a question and answers it in the background. Resolves once the question is held (in
   * the durable store when there is one, so a crash from then on loses nothing): its event is
   * acknowledged to Slack only then. The allow-lists are checked after that, so a slow check
   * never holds the acknowledgement.
   */
  submit(job: AnswerJob): Promise<void> {
    return new Promise<void>((accepted) => {
      this.spawn(
        job,
        async (r) => {
          const lease = await this.hold(job).finally(accepted);
          if (!lease) {
            this.deps.metrics.duplicates.inc();
            this.deps.log.info({ ref: job.eventId, channel: job.place.channelId }, 'duplicate event dropped');
            return;
          }
          if (await this.admitted(job, lease)) await this.work(job, r, lease, false);
        },
        accepted,
      );
    });
  }

  /**
   * Hands questions still waiting back to the other replicas (durable jobs), waits up to
   * `graceMs` for running answers; then aborts the rest, which end with a "restarting, please
   * ask again" note, and waits for those notes to be posted.
   */
  async drain(graceMs: number): Promise<{ finished: number; aborted: number; handedBack: number }> {
    this.takeover?.stop();
    let handedBack = 0;
    for (const r of this.running.values()) {
      if (!r.waiting || !r.lease?.handBack) continue;
      r.handingBack = true;
      r.controller.abort();
      handedBack++;
    }
    const total = this.running.size - handedBack;
    const done = await settleWithin([...this.running.keys()], graceMs);
    if (done) return { finished: total, aborted: 0, handedBack };
    const left = [...this.running.entries()];
    for (const [, r] of left) r.controller.abort();
    await settleWithin(
      left.map(([p]) => p),
      10_000,
    );
    return { finished: total - left.length, aborted: left.length, handedBack };
  }

  /** `failed`: told when the work could not start (its workspace's installation is gone). */
  private spawn(job: AnswerJob, run: (r: Running) => Promise<void>, failed?: () => void): void {
    const r = idle();
    // The job's own workspace: every Slack call it makes takes that installation's token.
    const inWorkspace = this.deps.workspaces
      ? this.deps.workspaces.run(workspaceOfPlace(job.place), () => run(r))
      : run(r);
    const p = inWorkspace.catch((err) => {
      failed?.();
      this.deps.log.error({ err, ref: job.eventId }, 'answer job failed');
    });
    this.running.set(p, r);
    void p.finally(() => this.running.delete(p));
  }

  /**
   * Takes the question: a durable job when Redis answers (the job and the event's claim in one
   * step), else a claim; undefined when the event is already held (a redelivery).
   */
  private async hold(job: AnswerJob): Promise<Lease | undefined> {
    const { claims, jobs, metrics, log } = this.deps;
    const leaseMs = this.deps.leaseMs ?? DEFAULT_LEASE_MS;
    const claimKey = claimKeyOf(job);
    if (jobs) {
      try {
        if (!jobs.available) throw new Error('redis unavailable');
        // Kept without the person's action_token readable (sealed, or left out): see storedJob.
        const held = await jobs.accept(claimKey, storedJob(job, this.sealer), CLAIM_KEEP_MS);
        if (held === 'duplicate') return undefined;
        metrics.jobs.inc({ event: 'queued' });
        this.notDurable = false;
        return jobLease(jobs, held.id, () => claims.release(claimKey), log);
      } catch (err) {
        // Answered all the same, but a crash of this replica now loses it. Logged once an outage
        // (the metric counts every question), so a busy bot does not log one line a question.
        metrics.jobs.inc({ event: 'not_durable' });
        if (!this.notDurable)
          log.warn({ err: { message: (err as Error).message }, ref: job.eventId }, 'questions not durable');
        this.notDurable = true;
      }
    }
    return (await claims.claim(claimKey, leaseMs)) ? claimLease(claims, claimKey, leaseMs) : undefined;
  }

  /** The allow-lists let the question through; else it is done with (the person was told). */
  private async admitted(job: AnswerJob, lease: Lease): Promise<boolean> {
    const ok = await (this.deps.admit?.(job) ?? Promise.resolve(true)).catch((err: Error) => {
      // Closed on failure, as the allow-lists mean: not answered rather than answered unchecked.
      this.deps.log.warn({ err: { message: err.message }, ref: job.eventId }, 'allow-lists not checked');
      return false;
    });
    if (!ok) await lease.complete();
    return ok;
  }

  private async work(job: AnswerJob, r: Running, lease: Lease, expired: boolean): Promise<void> {
    const { metrics, log } = this.deps;
    const leaseMs = this.deps.leaseMs ?? DEFAULT_LEASE_MS;
    r.lease = lease;
    r.thread = `${job.place.channelId}:${job.place.threadTs}`;
    r.askedBy = job.userId;
    const quiet = () => r.lost || r.handingBack;
    // Renew the lease while working, so a long answer is not taken over.
    const renew = setInterval(
      () =>
        void lease.renew().then((ours) => {
          if (ours || r.lost) return;
          r.lost = true;
          log.warn({ ref: job.eventId }, 'question taken over by another replica; stopping here');
          r.controller.abort();
        }),
      leaseMs / 3,
    );
    metrics.inflight.inc();
    const started = Date.now();
    const onFirstText = () => metrics.firstText.observe((Date.now() - started) / 1000);
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
      lease.wrote,
    );
    let note = '';
    if (lease.previous?.length) {
      await removeMessages(this.deps.postClient, job.place.channelId, lease.previous, log);
      note = CONTINUED_NOTE;
    }
    if (expired) {
      await sink.fail(LOST_TRACK_TEXT).catch(() => {});
      metrics.answers.inc({ outcome: 'expired', source: 'none' });
      clearInterval(renew);
      metrics.inflight.dec();
      await lease.complete();
      return;
    }
    const { readClient: client, directory, identity, files, history } = this.deps;
    const conversation = { client, directory, identity, files, ...(history ? { history } : {}) };
    try {
      const outcome = await answer(job, guardedReply(sink, { quiet, note, onFirstText }), {
        pipeline: this.deps.pipeline,
        log,
        botName: identity.botName,
        nameOf: (id) => directory.knownName(id),
        localeOf: (id) => directory.locale(id),
        now: this.deps.now,
        signal: r.controller.signal,
        // Waiting in line or for file memory: shutdown hands such a question back.
        onWaiting: (waiting) => {
          r.waiting = waiting;
        },
        loadConversation: (j, o) => loadConversation(j, conversation, o),
        channelFacts: this.deps.channelFacts,
        tools: this.deps.tools,
      });
      if (r.handingBack) {
        await lease.handBack?.();
        metrics.jobs.inc({ event: 'handed_back' });
        log.info(
          { ref: job.eventId },
          'waiting question handed back (another replica, or this one restarted, answers it)',
        );
        return;
      }
      if (r.lost) return;
      metrics.answers.inc({
        outcome: outcome.ok ? 'ok' : (outcome.errorKind ?? 'error'),
        source: outcome.source ?? 'none',
      });
      this.rememberThread(job);
      await lease.complete();
    } catch (err) {
      if (r.lost) return;
      // Nothing could be written to Slack: let a redelivery try again.
      log.error({ err, code: slackErrorCode(err), ref: job.eventId }, 'answer could not be delivered');
      metrics.answers.inc({ outcome: 'undelivered', source: 'none' });
      await lease.release();
    } finally {
      clearInterval(renew);
      metrics.inflight.dec();
    }
  }

  private rememberThread(job: AnswerJob): void {
    const key = `${job.place.teamId}:${job.place.channelId}:${job.place.threadTs}`;
    this.answeredThreads.set(key, true);
    void this.deps.store?.set(`thread:${key}`, 1, ANSWERED_THREAD_TTL_MS).catch(() => {});
  }
}

/** The event's claim: one per message, whichever event (mention or message) carried it. */
function claimKeyOf(job: AnswerJob): string {
  // The workspace as a hash tag: the claim and its durable job share a Redis Cluster hash slot.
  return `claim:{${job.place.teamId}}:${job.place.channelId}:${job.messageTs}`;
}

function idle(): Running {
  return { controller: new AbortController(), waiting: false, handingBack: false, lost: false };
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
