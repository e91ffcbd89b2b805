import type { RespondArguments } from '@slack/bolt';
import type { AskOutcome } from '../../ask/index.js';
import type { DigestRequest, Digests } from '../deps.js';
import type { SummaryJob } from './handler.js';
import { SUMMARY_EVENT_TYPE } from './read-channel.js';

/**
 * Digests for other features (routines) as summary jobs: the window between two times (or a
 * count), delivered where the request says. The plan goes to the request's `progress`; the
 * lines a person would read are dropped, and the text of a failure is kept for the caller.
 */
export function digests(
  summarize: (job: SummaryJob, say: (m: RespondArguments) => Promise<unknown>) => Promise<AskOutcome<void>>,
  workspaceUrl: () => Promise<string>,
): Digests {
  return {
    workspaceUrl,
    eventType: SUMMARY_EVENT_TYPE,
    async write(r: DigestRequest) {
      const w = r.window;
      const window: SummaryJob['window'] =
        'count' in w
          ? { kind: 'count', count: w.count, label: r.label, key: `n${w.count}` }
          : {
              kind: 'between',
              oldest: w.oldest.toFixed(6),
              latest: w.latest.toFixed(6),
              label: r.label,
              key: `${w.oldest}-${w.latest}`,
            };
      let delivered = false;
      let said: string | undefined;
      const outcome = await summarize(
        {
          ref: r.ref,
          teamId: r.teamId,
          channelId: r.channelId,
          channelName: r.channelName,
          userId: r.userId,
          window,
          public: false,
          ...(r.signal ? { signal: r.signal } : {}),
          ...(r.instructions ? { instructions: r.instructions } : {}),
          ...(r.batch ? { batch: true } : {}),
          ...(r.progress ? { progress: r.progress } : {}),
          deliver: async (d) => {
            await r.deliver(d);
            delivered = true;
          },
        },
        async (m) => {
          said = m.text;
        },
      );
      return outcome.ok ? { ok: true, delivered } : { ok: false, failure: outcome.failure, text: said };
    },
  };
}
