import { createRequire, Module } from 'node:module';
import type * as PromClient from 'prom-client';

/**
 * prom-client, loaded without the OpenTelemetry API: its process CPU metric requires
 * @opentelemetry/api when it loads (about 50 modules, some 20 ms of a start) only to label
 * exemplars, which this registry never turns on. While prom-client loads, require's cache holds a
 * stand-in that loads the real API on first use (as src/slack/receive/bolt-app.ts does for Bolt's
 * receivers), so anything that does use it gets the real one.
 */
function loadPromClient(): typeof PromClient {
  const require = createRequire(import.meta.url);
  const index = require.resolve('prom-client');
  const fromPromClient = createRequire(index);
  const otelFile = fromPromClient.resolve('@opentelemetry/api');
  if (require.cache[index] || require.cache[otelFile]) return require(index) as typeof PromClient;
  let real: object | undefined;
  const standIn = new Module(otelFile);
  standIn.filename = otelFile;
  standIn.loaded = true;
  standIn.exports = new Proxy(
    {},
    {
      get: (_target, key) => {
        real ??= fromPromClient('@opentelemetry/api') as object;
        return Reflect.get(real, key);
      },
    },
  );
  require.cache[otelFile] = standIn;
  try {
    return require(index) as typeof PromClient;
  } finally {
    delete require.cache[otelFile];
  }
}
const { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } = loadPromClient();

/** Seconds, from a fast ack (a few ms) to Slack's 3 s limit. */
const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3];
const LONG_BUCKETS = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 300];
const WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120];

/** The bot's Prometheus metrics, on a registry of its own (several bots can live in one process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers });
  const histogram = <L extends string = never>(
    name: string,
    help: string,
    buckets: number[],
    labelNames: readonly L[] = [],
  ) => new Histogram<L>({ name, help, buckets, labelNames, registers });
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers });
  return {
    registry,
    events: counter('slackbot_events_total', 'Slack events received, by kind', ['kind']),
    ack: histogram(
      'slackbot_ack_seconds',
      'Time from the receiver handing a request to Bolt until it was acknowledged',
      ACK_BUCKETS,
      ['type'],
    ),
    socketConnections: counter(
      'slackbot_socket_connections_total',
      'Socket Mode connections: opened, handed_over (Slack asked for a new one), lost (closed by themselves), failed (attempts)',
      ['event'],
    ),
    duplicates: counter(
      'slackbot_duplicate_events_total',
      'Slack redeliveries dropped because the event was already claimed',
    ),
    profileReloads: counter(
      'slackbot_profiles_reloads_total',
      'Re-reads of CLAUDE_PROFILES_FILE (SIGHUP or a change): ok, or rejected (a bad file; the profiles in effect stay)',
      ['result'],
    ),
    feedback: counter(
      'slackbot_feedback_total',
      'Feedback buttons clicked under answers: vote (up, down), the model and channel profile that answered, and whether it changed an earlier vote',
      ['vote', 'model', 'profile', 'change'],
    ),
    feedbackReasons: counter(
      'slackbot_feedback_reasons_total',
      'Reasons given in the thumbs-down modal (wrong, outdated, incomplete, harmful, other), by the channel profile that answered',
      ['reason', 'profile'],
    ),
    batches: counter(
      'slackbot_claude_batches_total',
      'Claude calls through the Message Batches API: submitted, resumed (a batch submitted before a restart, picked up), succeeded, failed',
      ['event', 'model'],
    ),
    batchSaving: counter(
      'slackbot_claude_batch_saving_usd_total',
      'Estimated US dollars saved by batched calls (half the price) against the same calls through the Messages API',
      ['model'],
    ),
    answers: counter(
      'slackbot_answers_total',
      'Answers by outcome (ok or error kind) and source (claude, joined, cache)',
      ['outcome', 'source'],
    ),
    claudeRequests: counter(
      'slackbot_claude_requests_total',
      'Claude calls (after cache and single-flight) by model and outcome (ok or error kind)',
      ['model', 'outcome'],
    ),
    firstToken: histogram(
      'slackbot_claude_first_token_seconds',
      'Time from sending a Claude request to its first text',
      LONG_BUCKETS,
      ['model'],
    ),
    generation: histogram(
      'slackbot_claude_generation_seconds',
      'Time from sending a Claude request to its complete answer',
      LONG_BUCKETS,
      ['model'],
    ),
    tokens: counter(
      'slackbot_claude_tokens_total',
      'Claude tokens by model and type (input, output, cache_read, cache_write)',
      ['model', 'type'],
    ),
    cost: counter(
      'slackbot_claude_cost_usd_total',
      'Estimated Claude cost in US dollars, from the configured prices per model',
      ['model'],
    ),
    webSearches: counter(
      'slackbot_claude_web_searches_total',
      'Web searches Claude made (server-side web search tool), by model',
      ['model'],
    ),
    queueWait: histogram(
      'slackbot_claude_queue_wait_seconds',
      'Time a Claude call waited in the queue (concurrency and rate limits)',
      WAIT_BUCKETS,
    ),
    cache: counter('slackbot_answer_cache_total', 'Answer cache lookups by result (hit, miss)', ['result']),
    joins: counter(
      'slackbot_single_flight_joins_total',
      'Answers that joined an identical Claude call already in flight',
    ),
    breaker: gauge('slackbot_claude_breaker_state', 'Claude circuit breaker: 0 closed, 1 half-open, 2 open'),
    slackCalls: counter(
      'slackbot_slack_api_calls_total',
      'Slack Web API calls made by the bot, by method and outcome (ok, error)',
      ['method', 'outcome'],
    ),
    slackRateLimited: counter(
      'slackbot_slack_api_rate_limited_total',
      'Slack Web API answers with HTTP 429, by method',
      ['method'],
    ),
    firstText: histogram(
      'slackbot_first_text_seconds',
      'Time from the event to the first answer text sent to Slack',
      [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64],
    ),
    inflight: gauge('slackbot_answers_in_flight', 'Answers being written'),
    jobs: counter(
      'slackbot_jobs_total',
      'Durable questions (REDIS_URL): queued, taken_over (from a replica that died), expired (too old when taken over), quarantined (it stopped the bot twice: not tried again), handed_back (on shutdown), not_durable (Redis unreachable when it came), acked_before_held (its event acknowledged before it was held: the store did not answer within the ack budget)',
      ['event'],
    ),
    oldestJob: gauge(
      'slackbot_jobs_oldest_age_seconds',
      'Age of the oldest question not yet answered, across replicas (REDIS_URL)',
    ),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Breaker state as the gauge's number. */
export const BREAKER_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

/**
 * Gauges read when scraped (no bookkeeping on the hot path): the Claude queue of this process.
 */
export function watchQueue(metrics: Metrics, queue: { readonly queued: number; readonly running: number }) {
  const scraped = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [metrics.registry],
      collect() {
        this.set(read());
      },
    });
  scraped(
    'slackbot_claude_queue_waiting',
    'Questions and summary parts waiting for Claude (this process)',
    () => queue.queued,
  );
  scraped('slackbot_claude_queue_running', 'Claude calls running now (this process)', () => queue.running);
}
