import type { ClaudeRequest } from '../../claude/client.js';
import { estimateTokens } from '../../claude/tokens.js';
import { batchNotes, linkCitations, planChunks, type SummaryMessage } from './plan.js';
import {
  buildSummaryRequest,
  quoteSummaryMessage,
  type SummaryScope,
  type SummaryStage,
  summarySystem,
} from './prompt.js';

export interface SummarizeDeps {
  /** One Claude call through the traffic path (cache → single-flight → queue); resolves with the text. */
  ask(req: ClaudeRequest): Promise<string>;
  model: string;
  /** Longest final summary in tokens. */
  maxTokens: number;
  /** Input budget of one call; longer history is summarized in chunks (map-reduce). */
  contextTokens: number;
  /** Called when the plan is known and after each part is done. */
  onProgress?(p: { done: number; total: number }): void;
}

export interface SummarizeInput {
  messages: readonly SummaryMessage[];
  /** e.g. "the last 24 hours in #general". */
  label: string;
  /** Stable key of the window ("24h", "n200", "thread:…"). */
  windowKey: string;
}

export interface SummaryOutcome {
  /** Claude's summary with citations turned into permalinks (not yet formatted for Slack). */
  markdown: string;
  /** Claude requests made (cache hits included). */
  calls: number;
  /** Parts of the map step (1 when everything fit in one call). */
  chunks: number;
}

/** Notes of one part stay short, so that many parts still fit in one combining call. */
const NOTES_MAX_TOKENS = 1024;
/** Room for the header line and the closing request in each call. */
const FRAMING_TOKENS = 200;

/** The summary plan of a conversation: how many Claude calls in the map step. */
export function planSummary(messages: readonly SummaryMessage[], contextTokens: number) {
  const budget = inputBudget(contextTokens, 'map');
  return planChunks(messages, budget, (m) => estimateTokens(quoteSummaryMessage(m)));
}

function inputBudget(contextTokens: number, stage: SummaryStage): number {
  return Math.max(1000, contextTokens - estimateTokens(summarySystem(stage)) - FRAMING_TOKENS);
}

/**
 * Summarizes a conversation: in one call when it fits the budget, else map-reduce (notes per
 * chunk, each a separate queued call, then notes combined until one call writes the summary).
 * Every message goes to Claude exactly once in the map step. Throws what `ask` throws.
 */
export async function summarize(input: SummarizeInput, deps: SummarizeDeps): Promise<SummaryOutcome> {
  const latestTs = input.messages.reduce((a, m) => (Number(m.ts) > Number(a) ? m.ts : a), '0');
  const scope: SummaryScope = { label: input.label, windowKey: input.windowKey, latestTs };
  const common = { model: deps.model, scope };
  const chunks = planSummary(input.messages, deps.contextTokens);
  let calls = 0;
  const ask = (req: ClaudeRequest) => {
    calls++;
    return deps.ask(req);
  };
  const permalinks = new Map(input.messages.map((m) => [m.ts, m.permalink]));
  const finish = (text: string) => ({
    markdown: linkCitations(text, permalinks),
    calls,
    chunks: chunks.length,
  });

  if (chunks.length <= 1) {
    deps.onProgress?.({ done: 0, total: 1 });
    const text = await ask(
      buildSummaryRequest({
        ...common,
        maxTokens: deps.maxTokens,
        stage: 'final',
        messages: chunks[0]?.messages ?? [],
      }),
    );
    return finish(text);
  }

  let done = 0;
  deps.onProgress?.({ done, total: chunks.length });
  const notesMax = Math.min(deps.maxTokens, NOTES_MAX_TOKENS);
  let notes = await Promise.all(
    chunks.map(async (c, i) => {
      const text = await ask(
        buildSummaryRequest({
          ...common,
          maxTokens: notesMax,
          stage: 'map',
          part: { index: i + 1, total: chunks.length },
          messages: c.messages,
        }),
      );
      deps.onProgress?.({ done: ++done, total: chunks.length });
      return text;
    }),
  );
  const budget = inputBudget(deps.contextTokens, 'reduce-final');
  for (;;) {
    const batches = batchNotes(notes, budget, estimateTokens);
    if (batches.length <= 1) {
      const text = await ask(
        buildSummaryRequest({ ...common, maxTokens: deps.maxTokens, stage: 'reduce-final', notes }),
      );
      return finish(text);
    }
    notes = await Promise.all(
      batches.map((b, i) =>
        ask(
          buildSummaryRequest({
            ...common,
            maxTokens: notesMax,
            stage: 'reduce',
            part: { index: i + 1, total: batches.length },
            notes: b,
          }),
        ),
      ),
    );
  }
}
