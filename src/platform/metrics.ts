import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds, from a fast ack (a few ms) to Slack's 3 s limit. */
const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3];
const LONG_BUCKETS = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 300];
const WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120];

/** The bot's Prometheus metrics, on a registry of its own (several bots can live in one process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    events: new Counter({
      name: 'slackbot_events_total',
      help: 'Slack events received, by kind',
      labelNames: ['kind'] as const,
      registers,
    }),
    ack: new Histogram({
      name: 'slackbot_ack_seconds',
      help: 'Time from the receiver handing a request to Bolt until it was acknowledged',
      labelNames: ['type'] as const,
      buckets: ACK_BUCKETS,
      registers,
    }),
    socketConnections: new Counter({
      name: 'slackbot_socket_connections_total',
      help: 'Socket Mode connections: opened, handed_over (Slack asked for a new one), lost (closed by themselves), failed (attempts)',
      labelNames: ['event'] as const,
      registers,
    }),
    duplicates: new Counter({
      name: 'slackbot_duplicate_events_total',
      help: 'Slack redeliveries dropped because the event was already claimed',
      registers,
    }),
    profileReloads: new Counter({
      name: 'slackbot_profiles_reloads_total',
      help: 'Re-reads of CLAUDE_PROFILES_FILE (SIGHUP or a change): ok, or rejected (a bad file; the profiles in effect stay)',
      labelNames: ['result'] as const,
      registers,
    }),
    feedback: new Counter({
      name: 'slackbot_feedback_total',
      help: 'Feedback buttons clicked under answers: vote (up, down), the model and channel profile that answered, and whether it changed an earlier vote',
      labelNames: ['vote', 'model', 'profile', 'change'] as const,
      registers,
    }),
    answers: new Counter({
      name: 'slackbot_answers_total',
      help: 'Answers by outcome (ok or error kind) and source (claude, joined, cache)',
      labelNames: ['outcome', 'source'] as const,
      registers,
    }),
    claudeRequests: new Counter({
      name: 'slackbot_claude_requests_total',
      help: 'Claude calls (after cache and single-flight) by model and outcome (ok or error kind)',
      labelNames: ['model', 'outcome'] as const,
      registers,
    }),
    firstToken: new Histogram({
      name: 'slackbot_claude_first_token_seconds',
      help: 'Time from sending a Claude request to its first text',
      labelNames: ['model'] as const,
      buckets: LONG_BUCKETS,
      registers,
    }),
    generation: new Histogram({
      name: 'slackbot_claude_generation_seconds',
      help: 'Time from sending a Claude request to its complete answer',
      labelNames: ['model'] as const,
      buckets: LONG_BUCKETS,
      registers,
    }),
    tokens: new Counter({
      name: 'slackbot_claude_tokens_total',
      help: 'Claude tokens by model and type (input, output, cache_read, cache_write)',
      labelNames: ['model', 'type'] as const,
      registers,
    }),
    cost: new Counter({
      name: 'slackbot_claude_cost_usd_total',
      help: 'Estimated Claude cost in US dollars, from the configured prices per model',
      labelNames: ['model'] as const,
      registers,
    }),
    webSearches: new Counter({
      name: 'slackbot_claude_web_searches_total',
      help: 'Web searches Claude made (server-side web search tool), by model',
      labelNames: ['model'] as const,
      registers,
    }),
    queueWait: new Histogram({
      name: 'slackbot_claude_queue_wait_seconds',
      help: 'Time a Claude call waited in the queue (concurrency and rate limits)',
      buckets: WAIT_BUCKETS,
      registers,
    }),
    cache: new Counter({
      name: 'slackbot_answer_cache_total',
      help: 'Answer cache lookups by result (hit, miss)',
      labelNames: ['result'] as const,
      registers,
    }),
    joins: new Counter({
      name: 'slackbot_single_flight_joins_total',
      help: 'Answers that joined an identical Claude call already in flight',
      registers,
    }),
    breaker: new Gauge({
      name: 'slackbot_claude_breaker_state',
      help: 'Claude circuit breaker: 0 closed, 1 half-open, 2 open',
      registers,
    }),
    slackCalls: new Counter({
      name: 'slackbot_slack_api_calls_total',
      help: 'Slack Web API calls made by the bot, by method and outcome (ok, error)',
      labelNames: ['method', 'outcome'] as const,
      registers,
    }),
    slackRateLimited: new Counter({
      name: 'slackbot_slack_api_rate_limited_total',
      help: 'Slack Web API answers with HTTP 429, by method',
      labelNames: ['method'] as const,
      registers,
    }),
    firstText: new Histogram({
      name: 'slackbot_first_text_seconds',
      help: 'Time from the event to the first answer text sent to Slack',
      buckets: [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64],
      registers,
    }),
    inflight: new Gauge({
      name: 'slackbot_answers_in_flight',
      help: 'Answers being written',
      registers,
    }),
    jobs: new Counter({
      name: 'slackbot_jobs_total',
      help: 'Durable questions (REDIS_URL): queued, taken_over (from a replica that died), expired (too old when taken over), handed_back (on shutdown), not_durable (Redis unreachable when it came), acked_before_held (its event acknowledged before it was held: the store did not answer within the ack budget)',
      labelNames: ['event'] as const,
      registers,
    }),
    oldestJob: new Gauge({
      name: 'slackbot_jobs_oldest_age_seconds',
      help: 'Age of the oldest question not yet answered, across replicas (REDIS_URL)',
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Breaker state as the gauge's number. */
export const BREAKER_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

/**
 * Gauges read when scraped (no bookkeeping on the hot path): the Claude queue of this process.
 */
export function watchQueue(metrics: Metrics, queue: { readonly queued: number; readonly running: number }) {
  new Gauge({
    name: 'slackbot_claude_queue_waiting',
    help: 'Questions and summary parts waiting for Claude (this process)',
    registers: [metrics.registry],
    collect() {
      this.set(queue.queued);
    },
  });
  new Gauge({
    name: 'slackbot_claude_queue_running',
    help: 'Claude calls running now (this process)',
    registers: [metrics.registry],
    collect() {
      this.set(queue.running);
    },
  });
}
