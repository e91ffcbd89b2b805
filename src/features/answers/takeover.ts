import type { JobStore, TakenJob } from '../../limits/durable-jobs.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import type { AnswerJob } from '../../slack/job.js';
import { MAX_ATTEMPTS } from './quarantine.js';

/**
 * What becomes of a job taken over: answered (`taken_over`), the person told to ask again (too
 * old: `expired`), or told it will not be tried again (it stopped the bot twice: `quarantined`).
 */
export type Fate = 'taken_over' | 'expired' | 'quarantined';

/** Jobs taken over per sweep: a replica coming back after an outage takes its share, not all. */
const TAKE_PER_SWEEP = 10;

/**
 * Every third of a lease, takes over the questions of replicas that stopped renewing theirs
 * (they died, or shut down and handed them back), and reports the age of the oldest question
 * not yet answered. A question older than the age limit is not answered late: the person is
 * told to ask again.
 */
export class Takeover {
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(
    private readonly jobs: JobStore,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    /** Reads a job back from its stored text (parseJob with the runner's sealer). */
    private readonly parse: (text: string) => AnswerJob | undefined,
    private readonly resume: (job: AnswerJob, taken: TakenJob, fate: Fate) => void,
  ) {}

  start(maxAgeMs: number): void {
    if (this.timer) return;
    void this.jobs.prepare();
    const sweep = () => void this.sweep(maxAgeMs);
    this.timer = setInterval(sweep, Math.max(50, this.jobs.leaseMs / 3));
    this.timer.unref();
    sweep();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async sweep(maxAgeMs: number): Promise<void> {
    if (this.sweeping || !this.jobs.available) return;
    this.sweeping = true;
    try {
      for (const taken of await this.jobs.takeOver(TAKE_PER_SWEEP)) this.take(taken, maxAgeMs);
      this.metrics.oldestJob.set((await this.jobs.oldestAgeMs()) / 1000);
    } catch (err) {
      this.log.debug({ err: { message: (err as Error).message } }, 'job sweep failed; next one retries');
    } finally {
      this.sweeping = false;
    }
  }

  private take(taken: TakenJob, maxAgeMs: number): void {
    const job = this.parse(taken.payload);
    if (!job) {
      this.log.warn({ job: taken.id }, 'unreadable job dropped');
      void this.jobs.done(taken.id).catch(() => {});
      return;
    }
    const ageMs = Date.now() - taken.acceptedAt;
    const fate: Fate =
      taken.attempts > MAX_ATTEMPTS ? 'quarantined' : ageMs > maxAgeMs ? 'expired' : 'taken_over';
    this.metrics.jobs.inc({ event: fate });
    this.log.info(
      {
        ref: job.eventId,
        job: taken.id,
        ageMs,
        written: taken.written.length,
        attempts: taken.attempts,
        fate,
      },
      'question taken over from a replica that stopped',
    );
    this.resume(job, taken, fate);
  }
}
