/**
 * Slack's stop button, in one place. The press arrives as `agent_session_stopped` (Slack has
 * already ended its stream) at whichever replica Slack picked; the answer may be written by
 * another one. So: who pressed is checked (StopRights), the answers they asked in the thread are
 * stopped here (AnswerRunner.stop aborts them with STOPPED: the Claude call is cancelled, a
 * question still waiting leaves the line) and the other replicas are told through Redis pub/sub to
 * do the same; the ask pipeline then ends each one as `stopped`, and its reply keeps what was
 * written with a "(stopped)" mark (SlackReply.stopped).
 * @see https://docs.slack.dev/reference/events/agent_session_stopped
 */
import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type Keyv from 'keyv';
import type { Broadcast } from '../../platform/broadcast.js';
import type { Logger } from '../../platform/logger.js';
import type { AnswerJob } from '../../slack/job.js';
import { callOnce, slackErrorCode } from '../../slack/web.js';
import { askedKey, latestAskerKey } from '../askers.js';
import type { AnswerRunner } from './runner.js';

/** Where a replica asks the others to stop a thread's answers. */
const STOP_TOPIC = 'stop';

/** How long who asked in a thread is remembered: far longer than any answer runs. */
const ASKED_KEEP_MS = 24 * 60 * 60 * 1000;

/** A stop told to the other replicas: whose answers in which thread. */
interface StopMessage {
  channel: string;
  thread: string;
  /** The person whose answers stop, or `anyone` (an admin pressed). */
  by: string;
}

/** Listens for the stop button (every question must be recorded in `rights` as it comes). */
export function installStop(
  app: App,
  deps: { runner: AnswerRunner; rights: StopRights; broadcast?: Broadcast; log: Logger },
): void {
  const { runner, rights, broadcast, log } = deps;
  broadcast?.subscribe(STOP_TOPIC, (message) => {
    const { channel, thread, by } = JSON.parse(message) as StopMessage;
    const stopped = runner.stop(channel, thread, by);
    if (stopped) log.info({ channel, thread, stopped }, 'answer stopped for another replica');
  });
  app.event('agent_session_stopped', async ({ event, body }) => {
    const e = event as unknown as { channel?: string; thread_ts?: string; user?: string };
    if (!e.channel || !e.thread_ts) return;
    const team = (body as { team_id?: string }).team_id ?? '';
    const by = e.user ? await rights.whoseAnswers(team, e.channel, e.thread_ts, e.user) : undefined;
    if (!by) {
      log.info({ channel: e.channel, thread: e.thread_ts, user: e.user }, 'stop refused: not the asker');
      return;
    }
    const stopped = runner.stop(e.channel, e.thread_ts, by);
    log.info({ channel: e.channel, thread: e.thread_ts, user: e.user, stopped }, 'stop button pressed');
    await tellReplicas(broadcast, e.channel, e.thread_ts, by);
  });
}

/** Asks the other replicas to stop `by`'s answers in a thread (the ones written there). */
export async function tellReplicas(
  broadcast: Broadcast | undefined,
  channel: string,
  thread: string,
  by: string,
): Promise<void> {
  const message: StopMessage = { channel, thread, by };
  await broadcast?.publish(STOP_TOPIC, JSON.stringify(message));
}

/**
 * Who may stop a thread's answers: each person their own (they asked), and the bot's admins
 * (ADMIN_USER_IDS) anyone's. Workspace admins and owners are not given the right by their Slack
 * role: the bot's admins are the people its operator named. Who asked is kept in the store, so
 * any replica receiving the press can tell.
 */
export class StopRights {
  constructor(
    private readonly deps: {
      store: Keyv;
      postClient: WebClient;
      /** ADMIN_USER_IDS: may stop any answer. */
      admins: ReadonlySet<string>;
      log: Logger;
    },
  ) {}

  /** Remembers that the job's person asked in its thread. Never throws. */
  async asked(job: AnswerJob): Promise<void> {
    // Named by its workspace, so uninstalling it deletes these too (TeamData's sweep).
    const { teamId, channelId, threadTs } = job.place;
    await Promise.all([
      this.deps.store.set(askedKey(teamId, channelId, threadTs, job.userId), true, ASKED_KEEP_MS),
      // The latest asker is who others are told to ask.
      this.deps.store.set(latestAskerKey(teamId, channelId, threadTs), job.userId, ASKED_KEEP_MS),
    ]).catch((err) => this.deps.log.warn({ err, ref: job.eventId }, 'could not record who asked'));
  }

  /**
   * Whose answers a press by `userId` stops: their own, or anyone's for an admin. Undefined when
   * they asked nothing in the thread: they are told privately who may stop it.
   */
  async whoseAnswers(
    team: string,
    channel: string,
    threadTs: string,
    userId: string,
  ): Promise<string | undefined> {
    if (this.deps.admins.has(userId)) return 'anyone';
    const [mine, latest] = await Promise.all([
      this.deps.store.get<boolean>(askedKey(team, channel, threadTs, userId)),
      this.deps.store.get<string>(latestAskerKey(team, channel, threadTs)),
    ]).catch(() => [undefined, undefined] as const);
    if (mine) return userId;
    const who = typeof latest === 'string' ? `<@${latest}>, who asked,` : 'the person who asked';
    const text = `Only ${who} can stop this answer${this.deps.admins.size ? ' (or an admin of this bot)' : ''}.`;
    await callOnce(() =>
      this.deps.postClient.chat.postEphemeral({ channel, user: userId, thread_ts: threadTs, text }),
    ).catch((err) =>
      this.deps.log.warn({ code: slackErrorCode(err), channel }, 'could not say who may stop the answer'),
    );
    return undefined;
  }
}
