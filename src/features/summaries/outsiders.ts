import type { ClaimStore } from '../../limits/claims.js';
import { NOT_ENABLED_TEXT } from '../../slack/access.js';
import type { Readers } from '../../slack/read/readers.js';

/** Said the first time in a day a person from outside the workspace is refused a summary. */
export const OUTSIDER_TEXT =
  'You’re from another organization, so I work only with the conversation you ask in: I don’t summarize other channels or open links into other conversations for you.';
/** Said on later refusals the same day (the reason was given once). */
export const OUTSIDER_AGAIN_TEXT = 'I can only summarize the conversation you’re in for you.';

/** Longest check before a command's ack (Slack wants it within 3 s). */
export const OUTSIDER_CHECK_MS = 1500;
/** Longest membership check for a shortcut (after its ack, so not bound by Slack's 3 s). */
export const SHORTCUT_CHECK_MS = 10_000;

/** The reason is given once per person a day (a claim, shared by replicas through Redis). */
const NOTE_KEEP_MS = 24 * 60 * 60 * 1000;

export interface OutsiderDeps {
  readers: Pick<Readers, 'outsider' | 'canRead'>;
  claims: Pick<ClaimStore, 'claim'>;
  now?: () => Date;
}

/** What a summary request would read: where it was asked and the conversation it summarizes. */
export interface SummaryReach {
  teamId: string;
  userId: string;
  /** The person's workspace as the payload names it (shortcuts); commands carry none. */
  userTeamId?: string;
  askedIn: string;
  source: string;
}

/**
 * Why a person from outside the installing workspace (Slack Connect, or a workspace Slack does
 * not name) may not have this summary; undefined when they may. Outside people get only the
 * conversation they asked in, and only if they are a member of it: no link to another channel,
 * no shortcut on a thread elsewhere. Bounded by `ms` (it runs before an ack).
 */
export async function outsiderRefusal(
  deps: OutsiderDeps,
  reach: SummaryReach,
  ms: number,
): Promise<string | undefined> {
  const check = async (): Promise<string | undefined> => {
    const outsider = await deps.readers.outsider(reach.userId, reach.userTeamId);
    if (outsider === false) return undefined;
    if (reach.source === reach.askedIn) {
      // A DM the bot can read is its own DM with the person.
      if (reach.source.startsWith('D')) return undefined;
      const member = await deps.readers.canRead(reach.userId, reach.source);
      if (member) return undefined;
      if (member === undefined) return NOT_ENABLED_TEXT.unverified;
    } else if (outsider === undefined) {
      return NOT_ENABLED_TEXT.unverified;
    }
    const day = (deps.now?.() ?? new Date()).toISOString().slice(0, 10);
    const first = await deps.claims
      .claim(`outsider-note:${reach.teamId}:${reach.userId}:${day}`, NOTE_KEEP_MS)
      .catch(() => true);
    return first ? OUTSIDER_TEXT : OUTSIDER_AGAIN_TEXT;
  };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(NOT_ENABLED_TEXT.unverified), ms);
  });
  try {
    return await Promise.race([check(), late]);
  } finally {
    clearTimeout(timer);
  }
}
