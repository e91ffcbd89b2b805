import type { Limits } from '../limits/index.js';
import { WaitingRoom } from '../limits/waiting-room.js';
import type { Logger } from '../platform/logger.js';
import { AskPipeline, type ProfileSource } from './pipeline.js';

export { STOPPED } from './failure.js';
export { AskPipeline, type ProfileSource } from './pipeline.js';
export type * from './types.js';

/** Summaries that may wait for a turn; one more is told the bot is busy. */
const SUMMARIES_WAITING = 20;

/**
 * The ask pipeline over the shared limits: people's questions wait in the limits' waiting room,
 * summaries in their own (SUMMARIES_MAX_CONCURRENT at once), and every call's tokens are recorded
 * in the usage book.
 */
export function createAsk(
  limits: Limits,
  profiles: ProfileSource,
  opts: { summariesMaxConcurrent: number; log: Logger },
): AskPipeline {
  return new AskPipeline({
    profiles,
    traffic: limits.traffic,
    batches: limits.batches,
    budget: limits.budget,
    rooms: {
      question: limits.room,
      summary: new WaitingRoom({ slots: opts.summariesMaxConcurrent, maxWaiting: SUMMARIES_WAITING }),
    },
    onUsage: (input, usage, request) =>
      limits.recordUsage(
        { userId: input.userId, place: { channelId: input.where.channelId, teamId: input.where.teamId } },
        { ok: true, source: 'claude', usage, request },
      ),
    log: opts.log,
  });
}
