import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../platform/logger.js';
import { callOnce } from '../../slack/web.js';
import { type CanvasWriter, canvasUrl } from '../../slack/write/canvas.js';
import type { WriteQuota } from '../../slack/write/write-quota.js';
import type { Digest, Digests, RoutineSpec } from '../deps.js';
import {
  findSlotMessage,
  RoutineProgress,
  type RunPlace,
  type SlotMessage,
  slotMetadata,
} from './progress.js';
import { slotLabel } from './schedule.js';
import { MAX_ATTEMPTS, type RoutineRun, type RunResult } from './scheduler.js';
import {
  canvasCreatedText,
  canvasDoneMessage,
  canvasSection,
  canvasTask,
  canvasTitle,
  digestMessage,
} from './texts.js';

/** Dated sections a routine's canvas keeps; older ones are removed (a canvas holds 1 MiB). */
export const MAX_CANVAS_SECTIONS = 60;
/** The longest window a run reads (as /summarize's longest). */
const MAX_WINDOW_MS = 90 * 24 * 3600_000;

export interface RoutineRunDeps {
  digests: Digests;
  postClient: WebClient;
  /** The workspace's budget of Slack writes: the plan's edits go only while it has room. */
  quota: WriteQuota;
  canvases: CanvasWriter;
  channels: { idOf(ref: string): Promise<string>; labelOf(id: string): Promise<string> };
  teamId(): string;
  log: Logger;
  /** Whether every routine goes through the Message Batches API (ROUTINES_BATCH). */
  batchAll?: boolean;
}

/**
 * One run of a routine: the digest of its channel through the summaries' path (the source
 * channel's profile, the summary lane, a budget of the routine's own), delivered as a message or
 * as a dated section of the routine's canvas. While it is written its plan shows in the target
 * channel, in the message that ends with the digest (or the canvas's link); a batched run, which
 * may wait for hours, shows none. A marker is kept before anything is written; a run that finds it
 * (the one before failed, or its replica died) looks for that slot's message first and never
 * writes the digest twice.
 */
export async function runRoutine(run: RoutineRun, deps: RoutineRunDeps): Promise<RunResult> {
  const { spec, slot } = run;
  const source = await deps.channels.idOf(spec.summarize);
  const target = await deps.channels.idOf(spec.postTo);
  const sourceLabel = await deps.channels.labelOf(source);
  const when = slotLabel(slot, spec.timezone);
  const w = spec.window;
  // Since the last run by default; never more than /summarize's longest window.
  const from =
    w && 'seconds' in w ? slot - w.seconds * 1000 : Math.max(run.record.coveredTo, slot - MAX_WINDOW_MS);
  const window = w && 'count' in w ? { count: w.count } : { oldest: from / 1000, latest: slot / 1000 };
  const batch = spec.batch ?? deps.batchAll;
  const place = { target, sourceLabel, when };
  const progress = batch ? undefined : new RoutineProgress(run, deps, place);
  const out = await deps.digests.write({
    ref: `routine-${spec.name}-${new Date(slot).toISOString()}`,
    teamId: deps.teamId(),
    channelId: source,
    channelName: sourceLabel.replace(/^#/, ''),
    userId: `routine:${spec.name}`,
    window,
    label: w ? `the last ${w.text}` : `the time up to ${when}`,
    ...(spec.prompt ? { instructions: spec.prompt } : {}),
    signal: run.signal,
    ...(batch ? { batch: true } : {}),
    ...(progress ? { progress: (c) => progress.change(c) } : {}),
    deliver: (digest) =>
      spec.as === 'canvas'
        ? toCanvas(run, deps, { ...place, digest, progress })
        : toMessage(run, deps, { ...place, digest, progress }),
  });
  if (out.ok) return { ok: true };
  const restarting = out.failure.kind === 'restarting';
  if (!restarting) {
    // The scheduler gives the slot up after its last attempt: this run's, when it failed before.
    const before = run.record.failing?.slot === slot ? run.record.failing.attempts : 0;
    await progress?.failed(before + 1 >= MAX_ATTEMPTS);
  }
  return { ok: false, reason: out.failure.kind, restarting, ...(out.text ? { text: out.text } : {}) };
}

interface Delivery extends RunPlace {
  digest: Digest;
  progress: RoutineProgress | undefined;
}

/** Throws before a write once this replica is halted (a killed process writes nothing more). */
function alive(run: RoutineRun): void {
  if (run.halted()) throw new Error('halted');
}

/**
 * The slot's message, once the plan's edits are over: the run's own, or (a run before this one
 * began writing, or this one's post went unanswered) the one found in the channel.
 */
async function slotMessage(
  run: RoutineRun,
  deps: RoutineRunDeps,
  d: Delivery,
): Promise<SlotMessage | undefined> {
  const shown = await d.progress?.settle();
  if (shown?.message) return shown.message;
  if (run.record.writing !== run.slot && !shown?.posted) return undefined;
  return findSlotMessage(deps, d.target, run.spec.name, run.slot);
}

async function toMessage(run: RoutineRun, deps: RoutineRunDeps, d: Delivery): Promise<void> {
  const { spec, slot } = run;
  const found = await slotMessage(run, deps, d);
  if (found?.done) {
    deps.log.info({ routine: spec.name }, 'routine digest was posted before its replica died');
    return;
  }
  const message = {
    channel: d.target,
    ...digestMessage({
      routine: spec.name,
      source: d.sourceLabel,
      when: d.when,
      digest: d.digest,
      tasks: found ? d.progress?.tasks : undefined,
    }),
    metadata: slotMetadata(deps.digests.eventType, spec.name, slot),
  };
  if (found) {
    // The plan's message becomes the digest: one message per slot, however many runs it took.
    alive(run);
    await deps.quota.update(deps.teamId(), true);
    alive(run);
    await callOnce(() => deps.postClient.chat.update({ ...message, ts: found.ts }));
    return;
  }
  await run.save({ ...run.record, writing: slot });
  alive(run);
  await callOnce(() =>
    deps.postClient.chat.postMessage({ ...message, unfurl_links: false, unfurl_media: false }),
  );
}

async function toCanvas(run: RoutineRun, deps: RoutineRunDeps, d: Delivery): Promise<void> {
  const { spec, slot } = run;
  const found = await slotMessage(run, deps, d);
  // Added and said by a run before this one.
  if (found?.done) return;
  const title = canvasTitle(spec.name, d.sourceLabel);
  const section = canvasSection(d.when, d.digest);
  const canvas = run.record.canvas?.channel === d.target ? run.record.canvas : undefined;
  let id: string;
  if (canvas) {
    id = canvas.id;
    if (!(run.record.writing === slot && (await deps.canvases.hasHeading(canvas.id, d.when)))) {
      await run.save({ ...run.record, writing: slot });
      alive(run);
      await deps.canvases.insertAfter(canvas.id, title, section);
      const sections = [...canvas.sections, d.when];
      while (sections.length > MAX_CANVAS_SECTIONS)
        await deps.canvases.deleteHeading(canvas.id, sections.shift() ?? '');
      // The marker stays until the scheduler records the run: a replica after this one still looks first.
      await run.save({ ...run.record, writing: slot, canvas: { ...canvas, sections } });
    }
  } else {
    await run.save({ ...run.record, writing: slot });
    alive(run);
    id = await deps.canvases.create({ title, markdown: `# ${title}\n\n${section}`, channelId: d.target });
    // Kept at once: the next runs add to this canvas.
    await run.save({ ...run.record, writing: slot, canvas: { id, channel: d.target, sections: [d.when] } });
  }
  const link = `<${canvasUrl(await deps.digests.workspaceUrl(), deps.teamId(), id)}|${title}>`;
  const created = !canvas;
  if (found) {
    // The plan's message ends with the canvas's link. The section is in: a failed edit fails nothing.
    const tasks = [...(d.progress?.tasks ?? []).filter((t) => t.id !== 'canvas'), canvasTask(true)];
    alive(run);
    await deps.quota.update(deps.teamId(), true);
    alive(run);
    await callOnce(() =>
      deps.postClient.chat.update({
        channel: d.target,
        ts: found.ts,
        ...canvasDoneMessage({
          routine: spec.name,
          source: d.sourceLabel,
          when: d.when,
          tasks,
          link,
          created,
        }),
        metadata: slotMetadata(deps.digests.eventType, spec.name, slot, { canvas: id }),
      }),
    );
    // Not caught: a run whose message lacks the link fails and is retried; the retry finds the
    // section in the canvas, adds nothing, and ends the slot's message with the link.
    return;
  }
  if (!created) return;
  await callOnce(() =>
    deps.postClient.chat.postMessage({
      channel: d.target,
      text: canvasCreatedText(spec.name, d.sourceLabel, link),
      metadata: { event_type: deps.digests.eventType, event_payload: { routine: spec.name, canvas: id } },
    }),
  ).catch((err) => deps.log.warn({ err, routine: spec.name }, 'could not say where the routine canvas is'));
}

/** Tells the target channel a run failed (once per failing slot). */
export function failureNotice(
  spec: RoutineSpec,
  deps: Pick<RoutineRunDeps, 'postClient' | 'channels' | 'digests'>,
  text: string,
): Promise<unknown> {
  // Marked as the bot's own summary posts are: a later digest of that channel leaves it out.
  const metadata = { event_type: deps.digests.eventType, event_payload: { routine: spec.name } };
  return deps.channels
    .idOf(spec.postTo)
    .then((channel) => callOnce(() => deps.postClient.chat.postMessage({ channel, text, metadata })));
}
