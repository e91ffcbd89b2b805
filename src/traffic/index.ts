import type Bottleneck from 'bottleneck';
import type { ClaudeRequest, ClaudeResult } from '../claude/client.js';
import { PROMPT_VERSION } from '../claude/prompt.js';
import { type AnswerCache, answerKey } from './cache.js';
import { SingleFlight } from './single-flight.js';

/** Where an answer came from: a new Claude call, one already in flight, or the cache. */
export type AnswerSource = 'claude' | 'joined' | 'cache';

export interface TrafficAnswer {
  text: string;
  source: AnswerSource;
  result?: ClaudeResult;
}

export interface ClaudeStreamer {
  stream(
    req: ClaudeRequest,
    opts: { onText: (d: string) => void; signal?: AbortSignal },
  ): Promise<ClaudeResult>;
}

export interface TrafficDeps {
  claude: ClaudeStreamer;
  cache: AnswerCache;
  limiter: Bottleneck;
}

/**
 * The path of every Claude call: cache → single-flight → queue. Only complete answers (Claude
 * stopped on its own) are cached.
 */
export class Traffic {
  private flights = new SingleFlight<ClaudeResult>();

  constructor(private readonly deps: TrafficDeps) {}

  async ask(
    scope: { teamId: string; channelId: string },
    req: ClaudeRequest,
    onText: (delta: string) => void,
    opts: { onQueued?: (ahead: number) => void; signal?: AbortSignal } = {},
  ): Promise<TrafficAnswer> {
    const key = answerKey(scope, req, PROMPT_VERSION);
    const hit = await this.deps.cache.get(key);
    if (hit) {
      onText(hit.text);
      return { text: hit.text, source: 'cache' };
    }
    const { joined, result } = this.flights.run(
      key,
      async (emit) => {
        const counts = this.deps.limiter.counts();
        const ahead = counts.QUEUED + counts.RECEIVED;
        if (ahead > 0) opts.onQueued?.(ahead);
        const r = await this.deps.limiter.schedule(() =>
          this.deps.claude.stream(req, { onText: emit, signal: opts.signal }),
        );
        if (r.stopReason === 'end_turn' || r.stopReason === 'stop_sequence') {
          await this.deps.cache.set(key, { text: r.text, at: Date.now() });
        }
        return r;
      },
      onText,
    );
    const r = await result;
    return { text: r.text, source: joined ? 'joined' : 'claude', result: r };
  }

  get inflight(): number {
    return this.flights.size;
  }
}
