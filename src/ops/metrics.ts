import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The bot's Prometheus metrics, on a registry of its own (several bots can live in one process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    events: new Counter({
      name: 'slackbot_events_total',
      help: 'Slack events received, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    duplicates: new Counter({
      name: 'slackbot_duplicate_events_total',
      help: 'Slack redeliveries dropped because the event was already claimed',
      registers: [registry],
    }),
    answers: new Counter({
      name: 'slackbot_answers_total',
      help: 'Answers by outcome (ok or error kind) and source (claude, joined, cache)',
      labelNames: ['outcome', 'source'] as const,
      registers: [registry],
    }),
    tokens: new Counter({
      name: 'slackbot_claude_tokens_total',
      help: 'Claude tokens by type (input, output, cache_read, cache_write)',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    firstText: new Histogram({
      name: 'slackbot_first_text_seconds',
      help: 'Time from the event to the first answer text sent to Slack',
      buckets: [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64],
      registers: [registry],
    }),
    inflight: new Gauge({
      name: 'slackbot_answers_in_flight',
      help: 'Answers being written',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
