import type { WebClient } from '@slack/web-api';
import type { LimitedHistory } from './limited-history.js';
import type { SlackMessage } from './messages.js';
import { readThreadEnd } from './thread.js';

/** Context for a top-level DM message: the recent DM history. */
const DM_HISTORY_MESSAGES = 20;

/** Where a question was asked, as the messages it is answered from are read. */
export interface QuestionPlace {
  channelId: string;
  threadTs: string;
  /** The question's message: nothing written after it is read. */
  messageTs: string;
  /** A DM message outside a thread: the recent DM history is its context. */
  topLevelDm?: boolean;
  /** The workspace: its history quota, when the app's reads are limited (SLACK_HISTORY_LIMITED). */
  teamId?: string;
}

/**
 * The messages a question is answered from, oldest first, as Slack returns them: the recent DM
 * history for a top-level DM, else the thread's parent and its newest end (see readThreadEnd),
 * read until `budget` is spent as `sizeOf` counts a message's text.
 */
export async function readQuestionMessages(
  client: WebClient,
  place: QuestionPlace,
  budget: number,
  sizeOf: (text: string) => number,
  limited?: LimitedHistory,
): Promise<{ messages: SlackMessage[]; unread: number; partial?: boolean }> {
  if (place.topLevelDm && !limited)
    return { messages: await dmHistory(client, place.channelId, place.messageTs), unread: 0 };
  if (limited) {
    // A top-level DM is read as its own thread: what the person asked, with no history call.
    if (place.topLevelDm) return { messages: [], unread: 0 };
    return limited.readThread(client, place.teamId ?? '', place.channelId, place.threadTs, place.messageTs);
  }
  return readThreadEnd(client, place.channelId, place.threadTs, place.messageTs, budget, sizeOf);
}

async function dmHistory(client: WebClient, channel: string, latest: string): Promise<SlackMessage[]> {
  const r = await client.conversations.history({
    channel,
    latest,
    inclusive: true,
    limit: DM_HISTORY_MESSAGES,
  });
  return ((r.messages ?? []) as SlackMessage[]).reverse();
}
