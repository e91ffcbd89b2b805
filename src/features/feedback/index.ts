import type { App } from '@slack/bolt';
import type Keyv from 'keyv';
import { utcDay } from '../../limits/usage.js';
import { FEEDBACK_ACTION_ID, readFeedback, type Vote } from '../../slack/write/feedback.js';
import { askedIn } from '../askers.js';
import type { FeatureDeps } from '../deps.js';
import { languageWithin, TEXTS } from '../language.js';
import { type GivenReason, REASON_CALLBACK_ID, ReasonBook, readSubmission, reasonModal } from './reasons.js';

/** A person's vote on an answer is kept this long (to change it, or not count it twice). */
const VOTE_TTL_MS = 30 * 24 * 3600 * 1000;
/** Daily counts for the Home tab, kept a little longer than the week it shows. */
const DAY_TTL_MS = 8 * 24 * 3600 * 1000;
const DAYS_SHOWN = 7;
/**
 * The longest the reason modal waits for the person's language: its trigger_id lasts 3 seconds
 * from the click, so after this it opens in English.
 */
const MODAL_LOCALE_MS = 800;

type Counts = { up: number; down: number };
/** A day's votes, in all and per channel profile (as entries: a name is never an object key). */
type DayCounts = Counts & { profiles?: Array<[string, Counts]> };
/** A person's vote on an answer, and where it was counted (so a change takes it back there). */
export interface CountedVote {
  vote: Vote;
  day: string;
  profile: string;
}
/** Votes of the last week, in all and per channel profile (by name). */
export type WeekVotes = Counts & { profiles: Map<string, Counts> };

/** Profiles counted per day: a file with more is a mistake, and the count stays bounded. */
const PROFILES_COUNTED = 200;

/** Votes per UTC day in the key-value store (Redis with REDIS_URL), for the Home tab. */
export class FeedbackBook {
  /** Why answers were voted down (the 👎 modal). */
  readonly reasons: ReasonBook;

  constructor(
    private readonly store: Keyv,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.reasons = new ReasonBook(store, now);
  }

  /** The latest reasons given, newest first (the Home tab of the bot's admins). */
  recentReasons(): Promise<GivenReason[]> {
    return this.reasons.recent();
  }

  /**
   * Counts a vote today, taking the person's earlier vote on the same answer back from the day
   * and profile it was counted in. Returns where this one was counted.
   */
  async count(vote: Vote, previous: CountedVote | undefined, profile = 'default'): Promise<CountedVote> {
    const day = utcDay(this.now());
    if (previous) await this.change(previous.day, previous.profile, previous.vote, -1);
    await this.change(day, profile, vote, 1);
    return { vote, day, profile };
  }

  private async change(day: string, profile: string, vote: Vote, by: 1 | -1): Promise<void> {
    const key = `feedback:day:${day}`;
    const c = (await this.store.get(key)) as DayCounts | undefined;
    if (!c && by < 0) return;
    const counts: Counts = { up: c?.up ?? 0, down: c?.down ?? 0 };
    const profiles = new Map(c?.profiles ?? []);
    const p: Counts = { up: 0, down: 0, ...profiles.get(profile) };
    counts[vote] = Math.max(0, counts[vote] + by);
    p[vote] = Math.max(0, p[vote] + by);
    if (profiles.has(profile) || profiles.size < PROFILES_COUNTED) profiles.set(profile, p);
    await this.store.set(key, { ...counts, profiles: [...profiles] }, DAY_TTL_MS);
  }

  /** Votes of the last seven UTC days. */
  async week(): Promise<WeekVotes> {
    const total: WeekVotes = { up: 0, down: 0, profiles: new Map() };
    for (let i = 0; i < DAYS_SHOWN; i++) {
      const day = utcDay(new Date(this.now().getTime() - i * 86_400_000));
      const c = (await this.store.get(`feedback:day:${day}`)) as DayCounts | undefined;
      total.up += c?.up ?? 0;
      total.down += c?.down ?? 0;
      for (const [name, p] of c?.profiles ?? []) {
        const sum = total.profiles.get(name) ?? { up: 0, down: 0 };
        total.profiles.set(name, { up: sum.up + p.up, down: sum.down + p.down });
      }
    }
    return total;
  }
}

/**
 * Feedback on answers: the thumbs under each answer. One vote per person per answer (changing it
 * is fine); each click is a metric, a log line with the answer's reference, and a count on the
 * Home tab. Nothing of it goes to Claude.
 */
export function install(app: App, deps: FeatureDeps): FeedbackBook {
  const { log, metrics, store } = deps.platform;
  const book = new FeedbackBook(store, deps.now);
  // Uninstalling a workspace: its votes' and reasons' keys name it (swept); the admins' list is not.
  deps.teamData.onForget('feedback-reasons', ({ teamId }) => book.reasons.forgetTeam(teamId));
  /**
   * Feedback only on answers the person can see: in a DM with the bot, only the person who asked
   * there (recorded with each question); elsewhere whoever can read the conversation (guests and
   * people of other organizations only in conversations they are members of).
   */
  const maySee = async (
    team: string,
    user: string,
    channel: string | undefined,
    threadTs: string | undefined,
  ) => {
    if (!channel) return false;
    if (channel.startsWith('D'))
      return Boolean(threadTs) && (await askedIn(store, { team, channel, threadTs: threadTs ?? '' }, user));
    return (await deps.slack.readers.canRead(user, channel).catch(() => undefined)) === true;
  };
  app.action(FEEDBACK_ACTION_ID, async ({ ack, body, action, client }) => {
    await ack();
    const a = action as { block_id?: unknown; value?: unknown };
    const fb = readFeedback(a.block_id, a.value);
    if (!fb) return;
    const user = body.user.id;
    const b = body as {
      channel?: { id?: string };
      team?: { id?: string } | null;
      message?: { ts?: string; thread_ts?: string };
    };
    const channel = b.channel?.id;
    // The modal speaks the person's language, looked up beside the check (a cached users.info).
    const spoken = languageWithin(deps.slack.directory.locale(user), MODAL_LOCALE_MS);
    if (!(await maySee(b.team?.id ?? '', user, channel, b.message?.thread_ts ?? b.message?.ts))) {
      log.info({ ref: fb.ref, user, channel }, 'feedback refused: not a conversation the person can see');
      return;
    }
    // The modal first: its trigger_id is good for 3 seconds. The 👎 is counted whatever becomes of it.
    if (fb.vote === 'down') {
      const trigger = (body as { trigger_id?: string }).trigger_id;
      const view = reasonModal(
        {
          ...(b.team?.id ? { team: b.team.id } : {}),
          ref: fb.ref,
          profile: fb.profile ?? 'default',
          channel: channel ?? '',
          user,
        },
        TEXTS[await spoken].feedback,
      );
      if (trigger)
        await client.views
          .open({ trigger_id: trigger, view })
          .catch((err) => log.warn({ err, ref: fb.ref }, 'the feedback modal could not be opened'));
    }
    // The key names the workspace: uninstalling it sweeps the key.
    const key = `feedback:${b.team?.id || '-'}:${fb.ref}:${user}`;
    // The profile that answered (named in the buttons), and its model as it stands now.
    const profile = fb.profile ?? 'default';
    const today = utcDay(deps.now?.() ?? new Date());
    const stored = (await store.get(key).catch(() => undefined)) as CountedVote | Vote | undefined;
    // A bare vote was kept before votes remembered their day and profile: counted today's.
    const previous = typeof stored === 'string' ? { vote: stored, day: today, profile } : stored;
    if (previous?.vote === fb.vote) return;
    const model = deps.profiles.list().find((p) => p.name === profile)?.model ?? deps.config.claude.model;
    metrics.feedback.inc({ vote: fb.vote, model, profile, change: previous ? 'changed' : 'new' });
    const counted = await book.count(fb.vote, previous, profile).catch((err) => {
      log.warn({ err }, 'feedback not counted');
      return { vote: fb.vote, day: today, profile };
    });
    await store.set(key, counted, VOTE_TTL_MS).catch(() => {});
    log.info({ ref: fb.ref, user, vote: fb.vote, previous: previous?.vote, model, profile }, 'feedback');
  });
  // The reason: kept with the answer's reference, counted, listed for admins.
  app.view(REASON_CALLBACK_ID, async ({ ack, body, view }) => {
    const given = readSubmission(view as Parameters<typeof readSubmission>[0]);
    // Only the person the modal was opened for (Slack shows it to them alone).
    if (!given || given.ctx.user !== body.user.id) {
      await ack();
      log.info({ user: body.user.id }, 'feedback reason refused: not the person it was asked of');
      return;
    }
    await ack();
    const { ctx, reason, text } = given;
    metrics.feedbackReasons.inc({ reason, profile: ctx.profile });
    await book.reasons
      .keep({ ...ctx, reason, ...(text ? { text } : {}) })
      .catch((err) => log.warn({ err, ref: ctx.ref }, 'feedback reason not kept'));
    log.info({ ref: ctx.ref, user: ctx.user, reason, words: text?.length ?? 0 }, 'feedback reason');
  });
  return book;
}
