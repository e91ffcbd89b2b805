/** Where an answer is written. The Slack implementation streams; tests may collect. */
export interface ReplySink {
  /**
   * Shows that work started (or the place in line), within a second of the event. Need not be
   * awaited: the sink writes no answer text before its status calls are done.
   */
  thinking(status?: string): Promise<void>;
  /** Who the answer may ping (the people of the conversation); others' mentions become names. */
  allowMentions?(userIds: Iterable<string>, nameOf?: (userId: string) => string | undefined): void;
  /** Names the conversation after the question (DMs), where Slack has agent sessions. */
  title?(text: string): Promise<void>;
  /** The person stopped the answer: what was written stays, followed by a short "stopped" mark. */
  stopped?(): Promise<void>;
  /** The bot's own words this reply writes (notes, button labels), in the asker's language. */
  speak?(texts: ReplyTexts): void;
  /** A line under the answer, in small print (a context block): how it was made, e.g. its model. */
  footnote?(text: string): void;
  /** The answer ends with feedback buttons (a real answer, not a prompt or an error). */
  offerFeedback?(profile?: string): void;
  /** Adds text as Claude writes it; the sink paces its writes to Slack. */
  append(delta: string): void;
  /** The answer is complete. */
  finish(): Promise<void>;
  /** Ends with a friendly error; if some answer text was already shown, it is kept and noted. */
  fail(text: string): Promise<void>;
}

/** Where a reply goes. */
export interface ReplyTarget {
  channel: string;
  threadTs: string;
  teamId: string;
  /** The person being answered: chat streams outside DMs need the recipient. */
  userId: string;
}

/** The bot's own words a reply writes besides the answer; English unless the feature says. */
export interface ReplyTexts {
  /** After an answer that broke off once some text was shown. */
  interrupted: string;
  /** After an answer the person stopped. */
  stopped: string;
  /** The feedback buttons' accessibility labels. */
  goodAnswer: string;
  badAnswer: string;
}
