import type { ContentBlock } from '@anthropic-ai/sdk/resources/messages';
import type { ClaudeRequest, ClaudeUsage } from '../claude/client.js';
import type { ClaudeErrorKind } from '../claude/errors.js';
import type { ToolActivity } from '../claude/mcp.js';
import type { ClaudeProfile } from '../claude/profile.js';
import type { AnswerSource } from '../limits/traffic.js';

/** Which line a question waits in: people's questions, or long background work (summaries). */
export type AskLane = 'question' | 'summary';

/** One person's question to Claude, as plain data: who asks, where, and how it waits. */
export interface AskInput {
  /** The reference logs and error texts name. */
  ref: string;
  /** Who asks: budgets are theirs. */
  userId: string;
  /** Where the question is asked: the profile is this place's, the cache is scoped to it. */
  where: { teamId: string; channelId: string; kind: 'channel' | 'dm' };
  lane: AskLane;
  /** Aborted when the person stops the answer (reason STOPPED) or the process shuts down. */
  signal?: AbortSignal;
  /** Told when the question starts and stops waiting (in line, or for memory): shutdown hands waiting ones back. */
  onWaiting?(waiting: boolean): void;
}

/** What the pipeline tells the person while their question is on its way. */
export type AskStatus =
  /** Waiting: for a turn in the lane's line, or for Claude's queue (`claude`). */
  | { kind: 'queued'; ahead: number; for: 'turn' | 'claude' }
  | { kind: 'working' }
  | { kind: 'tool'; activity: ToolActivity };

/**
 * Where the pipeline reports to. Features implement it over Slack (a streamed reply, ephemeral
 * responses); tests collect. Text goes to the sink through `AskSession.claude`'s `onText`.
 */
export interface AskSink {
  /** Progress: queued, working, using a tool. Need not be awaited. */
  status(status: AskStatus): void;
  /** The question ended without an answer: the feature's text table says why to the person. */
  fail(failure: AskFailure): Promise<void>;
}

/** Why a question ended without an answer, in kinds a feature has a text for. */
export type AskFailure =
  /** The person's own limit (concurrency, hourly questions, daily tokens); `message` says which. */
  | { kind: 'budget'; message: string; cause?: undefined }
  /** The person pressed stop. */
  | { kind: 'stopped'; cause?: undefined }
  /** The process is shutting down. */
  | { kind: 'restarting'; cause?: undefined }
  /** The question itself cannot be asked; `text` is the person's (e.g. a message too long to read). */
  | { kind: 'refused'; code: string; text: string; cause?: undefined }
  | { kind: ClaudeErrorKind | 'busy' | 'internal'; cause: unknown; requestId?: string };

/** What a question's work has at hand once its turn came. */
export interface AskSession {
  readonly profile: ClaudeProfile;
  /** The question waited in line: it is read as it stands now. */
  readonly waited: boolean;
  /** Gives the waiting-room turn back early (Claude's part is done, or the work waits for memory). */
  leaveLine(): void;
  /**
   * One Claude call on the shared path (cache → single-flight → queue → breaker), with the
   * profile's cache lifetime and the lane's priority; its tokens count against the person's budget.
   */
  claude(
    request: ClaudeRequest,
    opts?: {
      onText?(delta: string): void;
      /** Through the Message Batches API (work that can wait: half the price, within 24 hours). */
      batch?: boolean;
    },
  ): Promise<AskAnswer>;
}

export interface AskAnswer {
  text: string;
  source: AnswerSource;
  stopReason: string | null | undefined;
  usage?: ClaudeUsage;
  requestId?: string;
  /** The answer's content blocks (a tool call, citations); absent for a cached answer (text only). */
  content?: ContentBlock[];
}

/** How a question ended: the work's value, or the failure the sink was told of. */
export type AskOutcome<T> =
  | { ok: true; value: T; profile: ClaudeProfile; calls: AskAnswer[] }
  | { ok: false; failure: AskFailure; profile?: ClaudeProfile; calls: AskAnswer[] };

/** Thrown by a question's work when the question itself cannot be asked (said to the person as is). */
export class AskRefused extends Error {
  override name = 'AskRefused';
  constructor(
    /** A stable name for logs and metrics (`message_too_long`). */
    readonly code: string,
    /** What the person reads. */
    readonly text: string,
  ) {
    super(`${code}: ${text}`);
  }
}
