/** What the answers feature says besides Claude's answers. */
import type { ToolActivity } from '../../claude/mcp.js';
import { type BotTexts, TEXTS } from '../language.js';

/** The reply to a message with nothing to answer (see AnswerJob.blank). */
export const BLANK_TEXT: Record<'mention', string> = {
  mention: 'What can I help with? Ask your question in the same message as the mention.',
};

/** Said under an answer when shared files were not read: each named, with the reason. */
export function fileNotesText(notes: readonly { name: string; why: string }[]): string {
  const lines = notes.map((n) => `• ${n.name}: ${n.why}`);
  return `_Files I did not read:_\n${lines.join('\n')}`;
}

/** The reply to a message too long for the context budget, with both sizes. */
export function messageTooLongText(tokens: number, budget: number): string {
  return `Your message is too long for me to read (about ${tokens.toLocaleString('en-US')} tokens; I can take about ${budget.toLocaleString('en-US')}). Please shorten it or split it into parts.`;
}

/** Opens an answer that replaces what a replica that stopped had begun to write. */
export const CONTINUED_NOTE = '_(continued after a restart)_\n\n';

/** A question taken over later than JOB_MAX_AGE_SECONDS: not answered late without a word. */
export const LOST_TRACK_TEXT =
  ':hourglass: Sorry, I lost track of this question while restarting. Please ask again.';

/**
 * Said under an answer Claude stopped early: at the length limit (CLAUDE_MAX_TOKENS) or still paused
 * after its server-tool continuations (`pause_turn`), with how to get the rest, or by declining
 * (stop reason `refusal`).
 * @see https://docs.anthropic.com/en/api/handling-stop-reasons
 */
export function stopNote(
  stopReason: string | null | undefined,
  where: 'channel' | 'dm',
  texts: BotTexts = TEXTS.en,
): string | undefined {
  const how = where === 'dm' ? texts.continueDm : texts.continueThread;
  if (stopReason === 'max_tokens') return texts.lengthLimit(how);
  if (stopReason === 'refusal') return texts.declined;
  // Still paused after the continuations one answer is allowed (its searches or tools went on).
  if (stopReason === 'pause_turn') return texts.tooManySteps(how);
  return undefined;
}

/** Longest model-written part (a query, a tool's name) shown in the status: it is one short line. */
const STATUS_PART_CHARS = 60;

const statusPart = (s: string) => {
  const plain = s
    .slice(0, STATUS_PART_CHARS * 4)
    .replace(/[\s<>&]+/g, ' ')
    .trim();
  return plain.length > STATUS_PART_CHARS ? `${plain.slice(0, STATUS_PART_CHARS - 1)}…` : plain;
};

/** The status while Claude uses a tool: a compact line, never the tool's raw payload. */
export function toolStatus(activity: ToolActivity): string {
  return activity.kind === 'search'
    ? `is searching the web for “${statusPart(activity.query)}”…`
    : `is using ${statusPart(activity.server)} (${statusPart(activity.tool)})…`;
}

/** Tells the person how many questions are ahead of theirs. */
export function queuedText(ahead: number, texts: BotTexts = TEXTS.en): string {
  return texts.queued(ahead);
}

/** A question that stopped the bot twice while it was worked on: not tried a third time. */
export const QUARANTINED_TEXT =
  ':warning: I could not answer this question: it stopped the bot twice while I was working on it, so I will not try it again. If it has files, try without them or with smaller ones.';

/**
 * The words that choose a model for one question ("use opus: …", German "nutze opus: …"),
 * as a regular-expression alternation. Japanese people write "use" too.
 */
export const CHOOSE_WORDS = 'use|nutze|verwende';

/** Under an answer asked with a model the person chose ("use opus: …"). */
export function chosenModelNote(model: string, texts: BotTexts = TEXTS.en): string {
  return texts.model.answeredWith(model);
}

/** A model choice outside the place's profile: no Claude call; the allowed ones named. */
export function modelNotAllowedText(
  choice: string,
  allowed: readonly string[],
  current: string,
  aliases: readonly string[],
  texts: BotTexts = TEXTS.en,
): string {
  const safe = choice.replace(/[^a-z0-9.@:_-]/gi, '').slice(0, 60);
  if (!allowed.length) return texts.model.noChoice(safe, current);
  return texts.model.notAllowed(safe, allowed.join(', '), aliases.join(', '));
}
