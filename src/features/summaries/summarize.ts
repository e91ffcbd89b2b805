import type { ClaudeRequest } from '../../claude/client.js';
import { estimateBudget } from '../../claude/models.js';
import { estimateTokens } from '../../claude/tokens.js';
import { batchNotes, linkCitations, planChunks, type SummaryMessage } from './plan.js';
import {
  buildSummaryRequest,
  quoteSummaryMessage,
  type SummaryScope,
  type SummaryStage,
  summarySystem,
} from './prompt.js';

/** What one call wrote; `cut`: Claude stopped at max_tokens, so the text is incomplete. */
export type AskResult = string | { text: string; cut: boolean };

export interface SummarizeDeps {
  /** One Claude call through the traffic path (cache → single-flight → queue). */
  ask(req: ClaudeRequest): Promise<AskResult>;
  model: string;
  /** Longest final summary in tokens. */
  maxTokens: number;
  /** Input budget of one call; longer history is summarized in chunks (map-reduce). */
  contextTokens: number;
  /** Called when the plan is known and after each part is done. */
  onProgress?(p: { done: number; total: number }): void;
  /** Called as the call that writes the summary itself starts. */
  onWriting?(): void;
}

export interface SummarizeInput {
  messages: readonly SummaryMessage[];
  /** e.g. "the last 24 hours in #general". */
  label: string;
  /** Stable key of the window ("24h", "n200", "thread:…"). */
  windowKey: string;
  /** Asked of the final summary besides the usual (a routine's `prompt`). */
  instructions?: string;
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
  const common = {
    model: deps.model,
    scope,
    ...(input.instructions ? { instructions: input.instructions } : {}),
  };
  // The budget is in the model's tokens; the estimates below count the older tokenizer's.
  const contextTokens = estimateBudget(deps.model, deps.contextTokens);
  const chunks = planSummary(input.messages, contextTokens);
  let calls = 0;
  const ask = async (req: ClaudeRequest): Promise<{ text: string; cut: boolean }> => {
    calls++;
    const r = await deps.ask(req);
    return typeof r === 'string' ? { text: r, cut: false } : r;
  };
  /**
   * Notes of `items` (messages or notes) in one call; when Claude stops at the length limit, the
   * items are split in two and each half is asked again, so nothing is dropped. A single item
   * keeps what was written.
   */
  const whole = async <T>(
    items: readonly T[],
    build: (items: readonly T[]) => ClaudeRequest,
  ): Promise<string[]> => {
    const r = await ask(build(items));
    if (!r.cut || items.length < 2) return [r.text];
    const half = Math.ceil(items.length / 2);
    const parts = await Promise.all([whole(items.slice(0, half), build), whole(items.slice(half), build)]);
    return parts.flat();
  };
  const permalinks = new Map(input.messages.map((m) => [m.ts, m.permalink]));
  const finish = (text: string) => ({
    markdown: linkCitations(text, permalinks),
    calls,
    chunks: chunks.length,
  });

  if (chunks.length <= 1) {
    deps.onProgress?.({ done: 0, total: 1 });
    deps.onWriting?.();
    const r = await ask(
      buildSummaryRequest({
        ...common,
        maxTokens: deps.maxTokens,
        stage: 'final',
        messages: chunks[0]?.messages ?? [],
      }),
    );
    return finish(withCutNote(r));
  }

  let done = 0;
  deps.onProgress?.({ done, total: chunks.length });
  const notesMax = Math.min(deps.maxTokens, NOTES_MAX_TOKENS);
  const mapped = await Promise.all(
    chunks.map(async (c, i) => {
      const part = { index: i + 1, total: chunks.length };
      const texts = await whole(c.messages, (messages) =>
        buildSummaryRequest({ ...common, maxTokens: notesMax, stage: 'map', part, messages }),
      );
      deps.onProgress?.({ done: ++done, total: chunks.length });
      return texts;
    }),
  );
  let notes = mapped.flat();
  const budget = inputBudget(contextTokens, 'reduce-final');
  for (;;) {
    const batches = batchNotes(notes, budget, estimateTokens);
    if (batches.length <= 1) {
      deps.onWriting?.();
      const r = await ask(
        buildSummaryRequest({ ...common, maxTokens: deps.maxTokens, stage: 'reduce-final', notes }),
      );
      return finish(withCutNote(r));
    }
    const reduced = await Promise.all(
      batches.map((b, i) =>
        whole(b, (batch) =>
          buildSummaryRequest({
            ...common,
            maxTokens: notesMax,
            stage: 'reduce',
            part: { index: i + 1, total: batches.length },
            notes: [...batch],
          }),
        ),
      ),
    );
    // Splitting never grows the notes: a round that cannot shrink them ends in the final call.
    const next = reduced.flat();
    if (next.length >= notes.length) {
      deps.onWriting?.();
      const r = await ask(
        buildSummaryRequest({ ...common, maxTokens: deps.maxTokens, stage: 'reduce-final', notes: next }),
      );
      return finish(withCutNote(r));
    }
    notes = next;
  }
}

/** Said under a final summary Claude stopped at the length limit. */
export const SUMMARY_CUT_NOTE =
  '_…the summary reached the length limit here. Ask for a shorter window for the rest._';

function withCutNote(r: { text: string; cut: boolean }): string {
  return r.cut ? `${r.text}\n\n${SUMMARY_CUT_NOTE}` : r.text;
}
