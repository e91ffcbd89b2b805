import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../platform/logger.js';
import { callOnce } from '../../slack/web.js';
import { PlanMessage } from '../../slack/write/plan-message.js';
import type { PlanTask } from '../../slack/write/plan-stream.js';
import type { WriteQuota } from '../../slack/write/write-quota.js';
import type { Digests } from '../deps.js';
import type { RoutineRun } from './scheduler.js';
import { canvasTask, failedProgressMessage, progressMessage } from './texts.js';

/** What a run's message needs (a part of the run's own deps). */
export interface ProgressDeps {
  postClient: WebClient;
  quota: WriteQuota;
  digests: Pick<Digests, 'eventType'>;
  teamId(): string;
  log: Logger;
}

/** Where a run writes and what it is called there. */
export interface RunPlace {
  target: string;
  sourceLabel: string;
  when: string;
}

/** A slot's message in the target channel: `done` once it holds the finished digest (or canvas link). */
export interface SlotMessage {
  ts: string;
  done: boolean;
}

/** Marks a slot's message while it is still being written; the finished one carries none. */
const WRITING = 'writing';

/** The metadata of a slot's message: the bot's summary type (later digests leave it out), routine, slot. */
export function slotMetadata(
  eventType: string,
  routine: string,
  slot: number,
  extra: Record<string, string> = {},
) {
  return { event_type: eventType, event_payload: { routine, slot: String(slot), ...extra } };
}

/** The bot's message of this slot among the target channel's recent messages, if any. */
export async function findSlotMessage(
  deps: Pick<ProgressDeps, 'postClient' | 'digests'>,
  channel: string,
  routine: string,
  slot: number,
): Promise<SlotMessage | undefined> {
  const r = await deps.postClient.conversations.history({ channel, limit: 100, include_all_metadata: true });
  for (const m of r.messages ?? []) {
    const meta = m.metadata as { event_type?: string; event_payload?: Record<string, unknown> } | undefined;
    if (
      m.ts &&
      meta?.event_type === deps.digests.eventType &&
      meta.event_payload?.routine === routine &&
      meta.event_payload?.slot === String(slot)
    )
      return { ts: m.ts, done: meta.event_payload?.state !== WRITING };
  }
  return undefined;
}

/**
 * A run's progress in its target channel: one message per slot, posted once the window turns out
 * to have messages, showing the digest's plan (read, each part, writing; `as: canvas` adds the
 * canvas) as the summaries track it, edited in place at its milestones; the run then turns it into
 * its result. A run retried, or taken over from a replica that died, finds the slot's message by
 * its metadata (the record's writing marker says to look) and carries on in it, so a slot never
 * has two. Nothing here throws: without a message the run posts its result as before.
 */
export class RoutineProgress {
  private ts: string | undefined;
  private done = false;
  /** A post was sent (its answer may have been lost): the result looks for it before posting. */
  private posted = false;
  private started: Promise<void> | undefined;
  private edits: PlanMessage | undefined;
  private current: readonly PlanTask[] = [];

  constructor(
    private readonly run: RoutineRun,
    private readonly deps: ProgressDeps,
    private readonly place: RunPlace,
  ) {}

  /** The plan's tasks now (the canvas's last, while it is to be written). */
  get tasks(): readonly PlanTask[] {
    return this.current;
  }

  /** The summaries' plan changed: the first change posts (or finds) the message, milestones edit it. */
  change(c: { tasks: readonly PlanTask[]; milestone: boolean }): void {
    this.current = this.run.spec.as === 'canvas' ? [...c.tasks, canvasTask(false)] : c.tasks;
    const message = this.message();
    if (!this.started) {
      this.started = this.start(message);
      return;
    }
    if (c.milestone || c.tasks.some((t) => t.status === 'error'))
      void this.started.then(() => this.edits?.show(message));
  }

  /** Once the edits under way are over: the slot's message (undefined: none), and whether a post went out. */
  async settle(): Promise<{ message: SlotMessage | undefined; posted: boolean }> {
    await this.started;
    await this.edits?.close();
    return { message: this.ts ? { ts: this.ts, done: this.done } : undefined, posted: this.posted };
  }

  /**
   * The run failed: its message (if it has one, unfinished) stops showing an hourglass and says
   * whether the slot is tried again or given up; it stays marked as being written, so a retry
   * carries on in it. Never throws.
   */
  async failed(givenUp: boolean): Promise<void> {
    const { run, deps, place } = this;
    const shown = await this.settle();
    if (!shown.message || shown.message.done || run.halted()) return;
    const message = failedProgressMessage({
      routine: run.spec.name,
      source: place.sourceLabel,
      when: place.when,
      tasks: this.current,
      givenUp,
    });
    try {
      await deps.quota.update(deps.teamId(), true);
      if (run.halted()) return;
      await callOnce(() =>
        deps.postClient.chat.update({
          channel: place.target,
          ts: shown.message?.ts as string,
          ...message,
          metadata: slotMetadata(deps.digests.eventType, run.spec.name, run.slot, { state: WRITING }),
        }),
      );
    } catch (err) {
      deps.log.info({ err, routine: run.spec.name }, 'the routine’s failed run could not be shown');
    }
  }

  private message() {
    const { spec } = this.run;
    return progressMessage({
      routine: spec.name,
      source: this.place.sourceLabel,
      when: this.place.when,
      tasks: this.current,
    });
  }

  private async start(message: ReturnType<RoutineProgress['message']>): Promise<void> {
    const { run, deps, place } = this;
    const { spec, slot } = run;
    try {
      // A run of this slot began writing before (it failed, or its replica died): its message first.
      const found =
        run.record.writing === slot ? await findSlotMessage(deps, place.target, spec.name, slot) : undefined;
      if (found) {
        this.ts = found.ts;
        this.done = found.done;
      } else {
        await run.save({ ...run.record, writing: slot });
        if (run.halted()) return;
        this.posted = true;
        const r = await callOnce(() =>
          deps.postClient.chat.postMessage({
            channel: place.target,
            ...message,
            metadata: slotMetadata(deps.digests.eventType, spec.name, slot, { state: WRITING }),
            unfurl_links: false,
            unfurl_media: false,
          }),
        );
        this.ts = r.ts;
      }
      if (!this.ts || this.done) return;
      this.edits = new PlanMessage(
        deps.postClient,
        deps.quota,
        { channel: place.target, ts: this.ts, teamId: deps.teamId() },
        deps.log,
        () => !run.halted(),
      );
      if (found) this.edits.show(message);
    } catch (err) {
      deps.log.info({ err, routine: spec.name }, 'the routine’s progress could not be shown');
    }
  }
}
