/**
 * Why an answer was bad: the small modal a 👎 opens (a reason and, if the person wants, a few
 * words), kept with the answer's reference, counted by reason, and listed for the bot's admins on
 * the Home tab. The 👎 itself is counted at the click; the reason is extra.
 * @see https://docs.slack.dev/reference/views/modal-views
 */
import type Keyv from 'keyv';
import { type FeedbackReason, type FeedbackTexts, TEXTS } from '../language.js';

export const REASON_CALLBACK_ID = 'feedback_reason';
const REASON_BLOCK = 'reason';
const REASON_ACTION = 'reason';
const TEXT_BLOCK = 'details';
const TEXT_ACTION = 'details';

/** The reasons, as kept and counted, with their English labels (the admins' Home tab). */
export const REASONS: Readonly<Record<FeedbackReason, string>> = TEXTS.en.feedback.reasons;
export type Reason = FeedbackReason;

/** Characters of the free text (Slack's input enforces it; kept here too). */
export const MAX_REASON_TEXT = 500;
/** A reason per person and answer, kept like the votes. */
const REASON_TTL_MS = 30 * 24 * 3600 * 1000;
/** Reasons listed for admins: the latest ones, a bounded list. */
const RECENT_KEPT = 50;
const RECENT_KEY = 'feedback:reasons:recent';

/** What the modal carries between opening and submitting (private_metadata). */
export interface ReasonContext {
  /** The workspace of the answer: its reasons go when it uninstalls the app. */
  team?: string;
  ref: string;
  profile: string;
  channel: string;
  user: string;
}

/** One reason given. */
export interface GivenReason extends ReasonContext {
  reason: Reason;
  text?: string;
  at: string;
}

/** The modal: five reasons (one required) and optional words, in the person's language (`t`). */
export function reasonModal(ctx: ReasonContext, t: FeedbackTexts = TEXTS.en.feedback) {
  return {
    type: 'modal' as const,
    callback_id: REASON_CALLBACK_ID,
    private_metadata: JSON.stringify(ctx),
    title: { type: 'plain_text' as const, text: t.title },
    submit: { type: 'plain_text' as const, text: t.submit },
    close: { type: 'plain_text' as const, text: t.close },
    blocks: [
      {
        type: 'input' as const,
        block_id: REASON_BLOCK,
        label: { type: 'plain_text' as const, text: t.reasonLabel },
        element: {
          type: 'radio_buttons' as const,
          action_id: REASON_ACTION,
          options: Object.entries(t.reasons).map(([value, text]) => ({
            text: { type: 'plain_text' as const, text },
            value,
          })),
        },
      },
      {
        type: 'input' as const,
        block_id: TEXT_BLOCK,
        optional: true,
        label: { type: 'plain_text' as const, text: t.detailsLabel },
        element: {
          type: 'plain_text_input' as const,
          action_id: TEXT_ACTION,
          multiline: true,
          max_length: MAX_REASON_TEXT,
        },
      },
    ],
  };
}

/** Reads a submitted modal; undefined when it is not ours or makes no sense. */
export function readSubmission(view: {
  private_metadata?: string;
  state?: {
    values?: Record<
      string,
      Record<string, { selected_option?: { value?: string } | null; value?: string | null }>
    >;
  };
}): { ctx: ReasonContext; reason: Reason; text?: string } | undefined {
  let ctx: ReasonContext;
  try {
    ctx = JSON.parse(view.private_metadata ?? '') as ReasonContext;
  } catch {
    return undefined;
  }
  if (typeof ctx?.ref !== 'string' || typeof ctx.user !== 'string') return undefined;
  const values = view.state?.values ?? {};
  const reason = values[REASON_BLOCK]?.[REASON_ACTION]?.selected_option?.value;
  if (!reason || !(reason in REASONS)) return undefined;
  const raw = values[TEXT_BLOCK]?.[TEXT_ACTION]?.value;
  const text = typeof raw === 'string' ? raw.trim().slice(0, MAX_REASON_TEXT) : '';
  return { ctx, reason: reason as Reason, ...(text ? { text } : {}) };
}

/** A reason's key names its workspace, so uninstalling it finds the key. */
const reasonKey = (team: string | undefined, ref: string, user: string) =>
  `feedback-reason:${team || '-'}:${ref}:${user}`;

/** Reasons in the key-value store (Redis with REDIS_URL, else embedded). */
export class ReasonBook {
  constructor(
    private readonly store: Keyv,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Keeps a reason with its answer (a second one from the same person replaces the first). */
  async keep(r: Omit<GivenReason, 'at'>): Promise<GivenReason> {
    const given: GivenReason = { ...r, at: this.now().toISOString() };
    await this.store.set(reasonKey(r.team, r.ref, r.user), given, REASON_TTL_MS);
    // The recent list is read, changed and written back: two reasons in the same instant on two
    // replicas may keep only one of them in the list (each stays with its answer and in metrics).
    const recent = ((await this.store.get(RECENT_KEY)) as GivenReason[] | undefined) ?? [];
    const next = [given, ...recent.filter((x) => !(x.ref === r.ref && x.user === r.user))].slice(
      0,
      RECENT_KEPT,
    );
    await this.store.set(RECENT_KEY, next, REASON_TTL_MS);
    return given;
  }

  /** The reason a person gave on an answer, if any. */
  async of(ref: string, user: string, team?: string): Promise<GivenReason | undefined> {
    return (await this.store.get(reasonKey(team, ref, user))) as GivenReason | undefined;
  }

  /**
   * Takes a workspace's reasons out of the admins' list (their own keys name the workspace and go
   * with the uninstall's sweep of its keys).
   */
  async forgetTeam(teamId: string): Promise<void> {
    const recent = await this.recent();
    const kept = recent.filter((r) => r.team !== teamId);
    if (kept.length !== recent.length) await this.store.set(RECENT_KEY, kept, REASON_TTL_MS);
  }

  /** The latest reasons, newest first. */
  async recent(): Promise<GivenReason[]> {
    return ((await this.store.get(RECENT_KEY)) as GivenReason[] | undefined) ?? [];
  }
}
