/**
 * A question from Slack as plain data: who asked, where, what. Serialisable, so the same job can
 * be run from an event, a test, or a shared job queue; nothing here knows Bolt.
 */
import type { Sealer } from '../platform/sealed.js';

/** Where a conversation lives. */
export interface Place {
  teamId: string;
  /** The workspace's organization (Enterprise Grid), when it has one. */
  enterpriseId?: string;
  /** Answered through the organization's org-wide install rather than the workspace's own. */
  enterpriseInstall?: boolean;
  channelId: string;
  /** The thread the answer goes into (the message's own ts for a top-level message). */
  threadTs: string;
  kind: 'channel' | 'dm';
}

/** One question to answer: serialisable, so queued work can move between processes. */
export interface AnswerJob {
  /** Stable id of the Slack event (event_id), used for dedupe and in logs. */
  eventId: string;
  place: Place;
  userId: string;
  /**
   * The person's own workspace (`user_team` on the event) when it is not the place's: someone from
   * another organization in a Slack Connect channel.
   */
  userTeamId?: string;
  /** ts of the message that asked. */
  messageTs: string;
  /** True when the asking message is a top-level DM message: context is recent DM history. */
  topLevelDm: boolean;
  /**
   * The asking message as its event carried it, when it starts a thread in a channel: then it is
   * the whole thread, and a question that did not wait needs no history read.
   */
  asked?: AskedMessage;
  /**
   * The person's `action_token` from the event: their short-lived permission for the app to search
   * Slack as them (assistant.search.context). Absent for people of another organization, and
   * from workspaces or events that do not carry one. Redacted in logs.
   * @see https://docs.slack.dev/apis/web-api/real-time-search-api
   */
  actionToken?: string;
  /**
   * The event carried an `action_token` that was not kept with the waiting job (no
   * SLACK_INSTALLATION_KEY to seal it): taken up after a restart, the answer goes without workspace
   * search and says why.
   */
  actionTokenNotKept?: true;
  /**
   * Set when the message has nothing for Claude to answer: only a mention or whitespace, and no
   * file. Answered with a short prompt, no Claude call.
   */
  blank?: 'mention';
  /**
   * The model the person chose for this question ("@bot use opus: …"), as they wrote it: checked
   * against the place's profile (`models`) before Claude is asked.
   */
  model?: string;
}

/** A Slack message's fields the conversation is built from. */
export interface AskedMessage {
  ts: string;
  user?: string;
  bot_id?: string;
  username?: string;
  text?: string;
  subtype?: string;
  /** Files shared with it, as the event described them (read when the answer is written). */
  files?: unknown[];
}

const isText = (v: unknown): v is string => typeof v === 'string';

/** A job as a durable store keeps it: the person's token sealed, or left out. */
interface StoredJob extends Omit<AnswerJob, 'actionToken'> {
  /** Written by versions before tokens were sealed; read, never written. */
  actionToken?: string;
  sealedActionToken?: string;
}

/** What a sealed action_token is bound to: its job's event (a value copied to another job does not open). */
const tokenContext = (eventId: string) => `action-token:${eventId}`;

/**
 * The job as text for a durable store (Redis, STATE_DIR's journal), where it waits until answered:
 * the person's `action_token` is never kept readable. It is sealed with `sealer`
 * (SLACK_INSTALLATION_KEY, AES-256-GCM) when there is one, else left out (the job then says, if
 * taken up after a restart, that workspace search was not available).
 */
export function storedJob(job: AnswerJob, sealer: Sealer | undefined): string {
  const { actionToken, ...rest } = job;
  if (!actionToken) return JSON.stringify(rest);
  const stored: StoredJob = sealer
    ? { ...rest, sealedActionToken: sealer.seal(actionToken, tokenContext(job.eventId)) }
    : { ...rest, actionTokenNotKept: true };
  return JSON.stringify(stored);
}

/**
 * A job read back from the shared job stream (written by a replica of this bot, but checked
 * field by field all the same); undefined when it is not one.
 */
export function parseJob(text: string, sealer?: Sealer): AnswerJob | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  const j = v as Partial<StoredJob> | null;
  const p = j?.place as Partial<Place> | undefined;
  const ok =
    isText(j?.eventId) &&
    isText(j.userId) &&
    isText(j.messageTs) &&
    typeof j.topLevelDm === 'boolean' &&
    isText(p?.teamId) &&
    isText(p.channelId) &&
    isText(p.threadTs) &&
    (p.kind === 'channel' || p.kind === 'dm') &&
    (j.asked === undefined || isText((j.asked as Partial<AskedMessage>).ts)) &&
    (j.blank === undefined || j.blank === 'mention' || j.blank === 'file') &&
    (j.model === undefined || isText(j.model)) &&
    (j.actionToken === undefined || isText(j.actionToken)) &&
    (j.sealedActionToken === undefined || isText(j.sealedActionToken)) &&
    (j.actionTokenNotKept === undefined || j.actionTokenNotKept === true);
  if (!ok) return undefined;
  const { sealedActionToken, ...job } = j as StoredJob;
  if (sealedActionToken === undefined) return job;
  try {
    if (!sealer) throw new Error('no key');
    return { ...job, actionToken: sealer.open(sealedActionToken, tokenContext(job.eventId)) };
  } catch {
    // Sealed with another key (rotated) or none set now: answered without it, saying why.
    return { ...job, actionTokenNotKept: true };
  }
}
