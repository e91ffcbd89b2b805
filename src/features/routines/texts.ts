import { planBlock } from '../../slack/write/plan-message.js';
import type { PlanTask } from '../../slack/write/plan-stream.js';
import type { Digest } from '../deps.js';

type Block = Record<string, unknown>;

/** Escapes mrkdwn (`&<>`), so names from the profiles file or Slack form no command. */
const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface RunLabel {
  routine: string;
  source: string;
  when: string;
}

const head = (o: RunLabel) =>
  `*Digest of ${esc(o.source)}* for ${esc(o.when)} · routine \`${esc(o.routine)}\``;

/** The plan's title in a routine's message. */
const planTitle = (o: RunLabel) => `Digest of ${o.source}`;

/** A run's message while it is written: what and when, and the plan as it advances. */
export function progressMessage(o: RunLabel & { tasks: readonly PlanTask[] }): {
  text: string;
  blocks: Block[];
} {
  return {
    text: `Writing the digest of ${o.source} for ${o.when}…`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:hourglass_flowing_sand: ${head(o)}` } },
      planBlock(planTitle(o), o.tasks),
    ],
  };
}

/**
 * A run's message after the run failed: no hourglass, the plan where it stopped, and whether the
 * slot is tried again (its next run carries on in this message) or was given up.
 */
export function failedProgressMessage(o: RunLabel & { tasks: readonly PlanTask[]; givenUp: boolean }): {
  text: string;
  blocks: Block[];
} {
  const status = o.givenUp
    ? 'Not written: the routine gave this digest up after several attempts.'
    : 'Not written yet: I’ll try again in a few minutes.';
  return {
    text: `The digest of ${o.source} for ${o.when}: ${status}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:warning: ${head(o)}\n${status}` } },
      ...(o.tasks.length ? [planBlock(planTitle(o), o.tasks)] : []),
    ],
  };
}

/**
 * A digest posted in the target channel: what and when, the plan it went through (when the run's
 * message showed one), the summary, what it covers.
 */
export function digestMessage(opts: RunLabel & { digest: Digest; tasks?: readonly PlanTask[] | undefined }): {
  text: string;
  blocks: Block[];
} {
  return {
    text: `Digest of ${opts.source} for ${opts.when}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:newspaper: ${head(opts)}` } },
      ...(opts.tasks?.length ? [planBlock(planTitle(opts), opts.tasks)] : []),
      { type: 'markdown', text: opts.digest.markdown },
      { type: 'context', elements: [{ type: 'mrkdwn', text: opts.digest.coverage }] },
    ],
  };
}

/** The h1 of a routine's canvas; each run's section goes right after it (newest first). */
export const canvasTitle = (routine: string, source: string) => `${routine}: digest of ${source}`;

/** One run's section of a routine's canvas, under a heading naming its slot. */
export function canvasSection(heading: string, digest: Digest): string {
  return [`## ${heading}`, digest.markdown, `_${digest.coveragePlain}_`].join('\n\n');
}

/** The task a canvas routine's plan ends with. */
export const canvasTask = (done: boolean): PlanTask =>
  done
    ? { id: 'canvas', title: 'Added it to the canvas', status: 'complete' }
    : { id: 'canvas', title: 'Adding it to the canvas', status: 'pending' };

/** A canvas routine's message once its section is in the canvas: the plan, and the canvas's link. */
export function canvasDoneMessage(
  o: RunLabel & { tasks: readonly PlanTask[]; link: string; created: boolean },
): { text: string; blocks: Block[] } {
  const where = o.created
    ? `Started a canvas in this channel’s tabs for the routine’s digests, newest first: ${o.link}`
    : `Added to the routine’s canvas, newest first: ${o.link}`;
  return {
    // The fallback (notifications, screen readers) carries the link too.
    text: `Added the digest of ${o.source} for ${o.when} to the routine’s canvas: ${o.link}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:page_facing_up: ${head(o)}` } },
      planBlock(planTitle(o), o.tasks),
      { type: 'section', text: { type: 'mrkdwn', text: where } },
    ],
  };
}

/** A new routine canvas, said once in its channel. */
export function canvasCreatedText(routine: string, source: string, link: string): string {
  return `:page_facing_up: The routine \`${esc(routine)}\` keeps its digests of ${esc(source)} in a canvas in this channel’s tabs, newest first: ${link}`;
}

/** Said once in the target channel when a run fails; retried after. */
export function failedText(opts: { routine: string; source: string; when: string; why?: string }): string {
  const why = opts.why ? `\n${opts.why}` : '';
  return `:warning: The routine \`${esc(opts.routine)}\` could not write its digest of ${esc(opts.source)} for ${esc(opts.when)}. I’ll try again in a few minutes.${why}`;
}
