import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import type { AnswerJob } from '../../slack/job.js';
import { SlackReply } from '../../slack/write/reply.js';
import type { StreamPacer } from '../../slack/write/stream-pacer.js';
import { type Lease, removeMessages } from './lease.js';
import { QUARANTINED_TEXT } from './texts.js';

/**
 * Starts on a question this many times at most: a question whose holder died (or failed) before
 * finishing it twice is taken as the cause (a file that exhausts memory, say), so no replica
 * tries it a third time and brings itself down in turn.
 */
export const MAX_ATTEMPTS = 2;

/**
 * Ends a question that stopped the bot twice: what the replicas before wrote for it goes, the
 * person is told it will not be tried again, and the job is done with.
 */
export async function quarantine(
  deps: { postClient: WebClient; pacer: StreamPacer; metrics: Metrics; log: Logger },
  job: AnswerJob,
  lease: Lease,
  attempts: number,
): Promise<void> {
  const { postClient, metrics, log } = deps;
  const { channelId: channel, threadTs, teamId } = job.place;
  log.warn({ ref: job.eventId, channel, attempts }, 'question quarantined: it stopped the bot twice');
  if (lease.previous?.length) await removeMessages(postClient, channel, lease.previous, log);
  const sink = new SlackReply(
    postClient,
    { channel, threadTs, teamId, userId: job.userId },
    deps.pacer,
    log,
    job.eventId,
    lease.wrote,
  );
  await sink.fail(QUARANTINED_TEXT).catch(() => {});
  metrics.answers.inc({ outcome: 'quarantined', source: 'none' });
  await lease.complete();
}
