/**
 * The shape of the bot's own words (see language.ts): one interface every language gives in full,
 * so a missing translation is a type error.
 */
import type { AskFailure } from '../ask/types.js';

/** Languages the bot speaks besides English: the first part of a Slack locale (`de-DE` → `de`). */
export type Language = 'en' | 'de' | 'ja';

/** The kinds of failure said from the table (the others carry their own text). */
export type ErrorKind = Exclude<AskFailure['kind'], 'budget' | 'refused' | 'stopped'>;

/** Channel memory's replies ("@bot remember that …", the list, forget, memory off). */
export interface MemoryTexts {
  /** A fact kept: its number, the most a channel keeps. */
  remembered: (n: number, max: number) => string;
  already: (n: number) => string;
  empty: string;
  tooLong: (chars: number, max: number) => string;
  full: (max: number) => string;
  nothing: string;
  forgotAll: (n: number) => string;
  /** `fact` is escaped for mrkdwn already. */
  forgot: (fact: string) => string;
  notFound: string;
  which: (numbers: readonly number[]) => string;
  off: string;
  notMember: string;
  unverified: string;
  failed: string;
  /** What the facts are kept in could not be read: nothing changed. */
  unavailable: string;
  /** Above the numbered list, and under it. */
  listHead: (n: number, max: number) => string;
  listFoot: string;
}

/** Why workspace search is off for an answer: the app, the person's event, or Slack at the time. */
export type SearchOff = 'no_scope' | 'no_token' | 'not_kept' | 'token_refused' | 'failed';

/** Workspace search's words under an answer. */
export interface SearchTexts {
  /** The heading of the messages an answer relied on. */
  sources: string;
  /** The one line under an answer given from the thread alone, saying why. */
  off: (why: SearchOff) => string;
  /** Under an answer whose model still wanted to search when its searches were used up. */
  cut: (maxSearches: number) => string;
}

/** The model a person chose for one question ("use opus: …"). */
export interface ModelTexts {
  /** Under the answer. */
  answeredWith: (model: string) => string;
  /** The place offers no choice: `choice` is made safe already. */
  noChoice: (choice: string, current: string) => string;
  /** `allowed` and `aliases` are comma-joined lists; `aliases` may be ''. */
  notAllowed: (choice: string, allowed: string, aliases: string) => string;
}

/** "@bot stop" in a followed thread. */
export interface FollowTexts {
  unfollowed: string;
  stopped: string;
  notFollowing: string;
}

/** The reasons a 👎 may give (the keys are kept; the labels are shown). */
export type FeedbackReason = 'wrong' | 'outdated' | 'incomplete' | 'harmful' | 'other';

/** The modal a 👎 opens. */
export interface FeedbackTexts {
  title: string;
  submit: string;
  close: string;
  reasonLabel: string;
  detailsLabel: string;
  reasons: Record<FeedbackReason, string>;
}

/** The units of a summary's time window. */
export type WindowUnit = 'm' | 'h' | 'd' | 'w';

/** What a summary covers, as the coverage line says it; times formatted already. */
export interface CoverageWords {
  messages: number;
  people: number;
  threads: number;
  from?: string;
  to?: string;
  /** The read cap, when it cut the history short. */
  cutAt?: number;
}

/** `/summarize`, the "Summarize thread" shortcut and their buttons. */
export interface SummaryTexts {
  /** Window labels: "the last 3 hours", "the last 200 messages", "this thread". */
  lastUnits: (n: number, unit: WindowUnit) => string;
  lastMessages: (n: number) => string;
  thisThread: string;
  thisConversation: string;
  /** "the last 24 hours in #general", "a thread in #general". */
  inPlace: (what: string, place: string) => string;
  threadIn: (place: string) => string;
  /** The first private line, at once. */
  summarizing: (what: string) => string;
  title: (label: string) => string;
  noMessages: (label: string) => string;
  /** Other summaries are ahead: `ahead` more before this one (0: next). */
  queued: (ahead: number) => string;
  posted: string;
  stopped: string;
  coverage: (c: CoverageWords) => string;
  /** Under the summary: `links` of the files shared, `more` not listed. */
  files: (links: string, more: number) => string;
  cut: string;
  shareButton: string;
  canvasButton: string;
  stopButton: string;
  /** The plan while it is written. */
  reading: string;
  read: (messages: number) => string;
  summarizingPart: (part: number, total: number) => string;
  summarizedParts: (total: number) => string;
  writing: string;
  wrote: string;
  writingInThread: string;
  stoppedTask: string;
  unfinished: string;
  /** A public summary's parent: mrkdwn (title and name escaped already) and the plain fallback. */
  publicParent: (title: string, requester: string) => string;
  publicFallback: (title: string, requester: string) => string;
  /** The Share and Save as canvas buttons' replies. */
  shareExpired: string;
  canvasExpired: string;
  shareNotOwner: string;
  canvasNotOwner: string;
  alreadyShared: string;
  shared: string;
  alreadyCanvas: (link: string) => string;
  canvasBusy: string;
  savedCanvas: (link: string) => string;
  halfShared: (why: string) => string;
  /** A link to elsewhere that is not summarized. */
  foreignPrivate: string;
  notYours: string;
  uncheckedReader: string;
}

export interface BotTexts {
  errors: Record<ErrorKind, string>;
  /** Under an error: the reference people quote to whoever runs the bot. */
  reference: string;
  /** After an answer that broke off once some text was shown. */
  interrupted: string;
  /** After an answer the person stopped. */
  stopped: string;
  /** Feedback buttons' accessibility labels. */
  goodAnswer: string;
  badAnswer: string;
  /** Under an answer cut at the length limit; `how` says how to get the rest. */
  lengthLimit: (how: string) => string;
  /** Under an answer cut after too many tool steps. */
  tooManySteps: (how: string) => string;
  /** How to ask for the rest: in a DM, and in a channel thread. */
  continueDm: string;
  continueThread: string;
  /** Under an answer Claude declined to finish. */
  declined: string;
  /** Under an answer that could not read the whole thread (the app's Slack history quota). */
  partialThread: string;
  /** The status while the question waits its turn. */
  queued: (ahead: number) => string;
  memory: MemoryTexts;
  search: SearchTexts;
  model: ModelTexts;
  follow: FollowTexts;
  feedback: FeedbackTexts;
  summaries: SummaryTexts;
}
