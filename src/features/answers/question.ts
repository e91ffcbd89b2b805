import type { AskSession } from '../../ask/types.js';
import type { ClaudeRequest } from '../../claude/client.js';
import { estimateBudget } from '../../claude/models.js';
import { serverTools } from '../../claude/profile.js';
import { buildRequest, systemText } from '../../claude/prompt.js';
import { estimateTokens } from '../../claude/tokens.js';
import type { AnswerJob } from '../../slack/job.js';
import type { ReplySink } from '../../slack/write/reply.js';
import { trimToBudget } from './context.js';
import type { Conversation } from './conversation.js';
import { BLANK_TEXT, CHOOSE_WORDS, fileNotesText } from './texts.js';

/** "use opus: " opening the question, taken off when it chose the model. */
const CHOSEN = new RegExp(`^\\s*(?:${CHOOSE_WORDS})\\s+\\S+?\\s*:\\s*`, 'i');

export interface QuestionDeps {
  /**
   * `waited`: the question waited its turn, so it is read as it stands now. `tokenBudget`: how much
   * of a long thread's newest end to read. `onFilesWait`: the files wait for memory.
   */
  loadConversation(
    job: AnswerJob,
    opts: { waited: boolean; tokenBudget: number; onFilesWait?: () => void; signal?: AbortSignal },
  ): Promise<Conversation>;
  botName: string;
  /** Names already known for people (a mention of someone outside the conversation shows it). */
  nameOf?: (userId: string) => string | undefined;
  now?: () => Date;
  signal?: AbortSignal;
  /** Told while the question waits for file memory (shutdown hands waiting questions back). */
  onWaiting?(waiting: boolean): void;
  /** The facts the place's channel remembers (channel memory); none in DMs. */
  channelFacts?(place: AnswerJob['place']): Promise<string[]>;
}

/** What Claude is asked for a question, with what the answer says under it. */
export interface Question {
  request: ClaudeRequest;
  fileNotes: Conversation['fileNotes'];
  /** Messages sent and left out (logs). */
  messages: number;
  omitted: number;
  /** The app's history quota kept part of the thread from being read: the answer says so. */
  partial?: boolean;
  /** Gives back the memory the conversation's files hold (FILES_MEMORY_MAX_BYTES). */
  release?: () => void;
}

/**
 * Reads the thread a question was asked in and turns it into Claude's request within the
 * profile's context budget (newest end first). Undefined when there is nothing to ask: the person
 * was told so in `reply`.
 */
export async function readQuestion(
  job: AnswerJob,
  s: AskSession,
  reply: ReplySink,
  deps: QuestionDeps,
  /** The model the person chose for this question from the profile's `models`; else the profile's. */
  chosenModel?: string,
): Promise<Question | undefined> {
  const p = s.profile;
  const model = chosenModel ?? p.model;
  // In the bot's estimate units: the model's tokenizer may count more for the same text.
  const contextBudget = estimateBudget(model, p.contextTokens);
  // The channel's facts, in the system prompt; a profile with `memory: false` gets none.
  const channelFacts =
    p.memory !== false && job.place.kind === 'channel' ? ((await deps.channelFacts?.(job.place)) ?? []) : [];
  let waitedForFiles = false;
  const conv = await deps
    .loadConversation(job, {
      waited: s.waited,
      tokenBudget: contextBudget,
      onFilesWait: () => {
        waitedForFiles = true;
        deps.onWaiting?.(true);
        // Waiting for memory is not a turn: the waiting room lets a question without files in.
        s.leaveLine();
        void reply.thinking('is waiting to read the files…').catch(() => {});
      },
      signal: deps.signal,
    })
    .finally(() => {
      if (waitedForFiles) deps.onWaiting?.(false);
    });
  if (waitedForFiles) void reply.thinking().catch(() => {});
  try {
    const asked = conv.messages.find((m) => m.ts === job.messageTs);
    // "use opus: …" chose the model; Claude reads the question after it.
    if (asked && chosenModel) asked.text = asked.text.replace(CHOSEN, '');
    // A DM's session is named once, by the question that starts its thread; replies keep the name.
    if (job.place.kind === 'dm' && job.messageTs === job.place.threadTs && asked?.text.trim())
      void reply.title?.(asked.text).catch(() => {});
    reply.allowMentions?.(
      conv.messages.flatMap((m) => (m.userId ? [m.userId] : [])),
      deps.nameOf,
    );
    const onlyUnread = asked && !asked.text.trim() && !asked.files?.length && asked.unreadFiles?.length;
    if (onlyUnread || !conv.messages.some((m) => !m.fromBot)) {
      // Nobody's words survived (deleted, or only mentions and markup), or only unreadable files.
      reply.append(onlyUnread && conv.fileNotes?.length ? fileNotesText(conv.fileNotes) : BLANK_TEXT.mention);
      await reply.finish();
      conv.release?.();
      return undefined;
    }
    const system = {
      botName: deps.botName,
      today: (deps.now?.() ?? new Date()).toISOString().slice(0, 10),
      where: job.place.kind,
      ...(channelFacts.length ? { channelFacts } : {}),
    } as const;
    const systemTokens = estimateTokens(systemText(p.systemPrompt, system));
    const trimmed = trimToBudget(conv.messages, Math.max(500, contextBudget - systemTokens));
    // A long thread's older replies were never read: they are left out too.
    const omitted = trimmed.omitted + conv.unread;
    const request = buildRequest({
      model,
      maxTokens: p.maxTokens,
      customPrompt: p.systemPrompt,
      tools: serverTools(p),
      mcpServers: p.mcpServers,
      profile: p.name,
      system,
      conversation: trimmed.messages,
      omitted,
      // Estimated once, as the conversation was trimmed: the queue reserves these.
      inputTokens: systemTokens + trimmed.tokens,
    });
    return {
      request,
      fileNotes: conv.fileNotes,
      messages: trimmed.messages.length,
      omitted,
      ...(conv.partial ? { partial: true } : {}),
      release: conv.release,
    };
  } catch (err) {
    conv.release?.();
    throw err;
  }
}
