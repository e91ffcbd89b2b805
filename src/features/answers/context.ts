import { AskRefused } from '../../ask/types.js';
import type { ConversationMessage } from '../../claude/prompt.js';
import { estimateTokens } from '../../claude/tokens.js';
import { messageTooLongText } from './texts.js';

export interface TrimResult {
  messages: ConversationMessage[];
  /** How many messages were left out between the first and the kept latest ones. */
  omitted: number;
  tokens: number;
}

/** The single latest message is larger than the whole budget: nothing sensible can be sent. */
export class MessageTooLongError extends AskRefused {
  override name = 'MessageTooLongError';
  constructor(
    readonly tokens: number,
    readonly budget: number,
  ) {
    super('message_too_long', messageTooLongText(tokens, budget));
  }
}

const cost = (m: ConversationMessage) =>
  estimateTokens(m.author) + estimateTokens(m.text) + (m.files ?? []).reduce((n, f) => n + f.tokens, 0);

/**
 * Fits a conversation into `budget` tokens: the latest message always, the first message (the
 * question that started the thread) when it fits, then as many of the most recent messages as fit.
 * What is left out is counted so the prompt can say so.
 */
export function trimToBudget(all: readonly ConversationMessage[], budget: number): TrimResult {
  if (all.length === 0) return { messages: [], omitted: 0, tokens: 0 };
  const latest = all[all.length - 1] as ConversationMessage;
  let used = cost(latest);
  if (used > budget) throw new MessageTooLongError(used, budget);
  const first = all.length > 1 ? (all[0] as ConversationMessage) : undefined;
  let keepFirst = false;
  if (first && used + cost(first) <= budget) {
    keepFirst = true;
    used += cost(first);
  }
  const tail: ConversationMessage[] = [];
  for (let i = all.length - 2; i >= (keepFirst ? 1 : 0); i--) {
    const m = all[i] as ConversationMessage;
    const c = cost(m);
    if (used + c > budget) break;
    used += c;
    tail.unshift(m);
  }
  const kept = [...(keepFirst && first ? [first] : []), ...tail, latest];
  return { messages: kept, omitted: all.length - kept.length, tokens: used };
}
