import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../platform/logger.js';
import { callOnce } from '../../slack/web.js';
import { type CanvasWriter, canvasUrl } from '../../slack/write/canvas.js';
import type { Digest, Digests, RoutineSpec } from '../deps.js';
import { slotLabel } from './schedule.js';
import type { RoutineRun, RunResult } from './scheduler.js';
import { canvasCreatedText, canvasSection, canvasTitle, digestMessage } from './texts.js';

/** Dated sections a routine's canvas keeps; older ones are removed (a canvas holds 1 MiB). */
export const MAX_CANVAS_SECTIONS = 60;
/** The longest window a run reads (as /summarize's longest). */
const MAX_WINDOW_MS = 90 * 24 * 3600_000;

export interface RoutineRunDeps {
  digests: Digests;
  postClient: WebClient;
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
 * as a dated section of the routine's canvas. A marker is kept before anything is written; a
 * run that finds it (the replica before died) looks for that digest first and never writes it twice.
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
    ...((spec.batch ?? deps.batchAll) ? { batch: true } : {}),
    deliver: (digest) =>
      spec.as === 'canvas'
        ? toCanvas(run, deps, { target, sourceLabel, when, digest })
        : toMessage(run, deps, { target, sourceLabel, when, digest }),
  });
  if (out.ok) return { ok: true };
  const restarting = out.failure.kind === 'restarting';
  return { ok: false, reason: out.failure.kind, restarting, ...(out.text ? { text: out.text } : {}) };
}

interface Delivery {
  target: string;
  sourceLabel: string;
  when: string;
  digest: Digest;
}

/** Throws before a write once this replica is halted (a killed process writes nothing more). */
function alive(run: RoutineRun): void {
  if (run.halted()) throw new Error('halted');
}

async function toMessage(run: RoutineRun, deps: RoutineRunDeps, d: Delivery): Promise<void> {
  const { spec, slot } = run;
  if (
    run.record.writing === slot &&
    (await posted(deps, d.target, spec.name, slot, deps.digests.eventType))
  ) {
    deps.log.info({ routine: spec.name }, 'routine digest was posted before its replica died');
    return;
  }
  await run.save({ ...run.record, writing: slot });
  alive(run);
  await callOnce(() =>
    deps.postClient.chat.postMessage({
      channel: d.target,
      ...digestMessage({ routine: spec.name, source: d.sourceLabel, when: d.when, digest: d.digest }),
      metadata: {
        event_type: deps.digests.eventType,
        event_payload: { routine: spec.name, slot: String(slot) },
      },
      unfurl_links: false,
      unfurl_media: false,
    }),
  );
}

/** Whether the bot's digest of this slot is among the target channel's recent messages. */
async function posted(
  deps: RoutineRunDeps,
  channel: string,
  routine: string,
  slot: number,
  eventType: string,
) {
  const r = await deps.postClient.conversations.history({ channel, limit: 100, include_all_metadata: true });
  return (r.messages ?? []).some((m) => {
    const meta = m.metadata as { event_type?: string; event_payload?: Record<string, unknown> } | undefined;
    return (
      meta?.event_type === eventType &&
      meta.event_payload?.routine === routine &&
      meta.event_payload?.slot === String(slot)
    );
  });
}

async function toCanvas(run: RoutineRun, deps: RoutineRunDeps, d: Delivery): Promise<void> {
  const { spec, slot } = run;
  const title = canvasTitle(spec.name, d.sourceLabel);
  const section = canvasSection(d.when, d.digest);
  const canvas = run.record.canvas?.channel === d.target ? run.record.canvas : undefined;
  if (canvas) {
    if (run.record.writing === slot && (await deps.canvases.hasHeading(canvas.id, d.when))) return;
    await run.save({ ...run.record, writing: slot });
    alive(run);
    await deps.canvases.insertAfter(canvas.id, title, section);
    const sections = [...canvas.sections, d.when];
    while (sections.length > MAX_CANVAS_SECTIONS)
      await deps.canvases.deleteHeading(canvas.id, sections.shift() ?? '');
    // The marker stays until the scheduler records the run: a replica after this one still looks first.
    await run.save({ ...run.record, writing: slot, canvas: { ...canvas, sections } });
    return;
  }
  await run.save({ ...run.record, writing: slot });
  alive(run);
  const id = await deps.canvases.create({ title, markdown: `# ${title}\n\n${section}`, channelId: d.target });
  // Kept at once: the next runs add to this canvas.
  await run.save({ ...run.record, writing: slot, canvas: { id, channel: d.target, sections: [d.when] } });
  const link = `<${canvasUrl(await deps.digests.workspaceUrl(), deps.teamId(), id)}|${title}>`;
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
