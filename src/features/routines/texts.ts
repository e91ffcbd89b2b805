import type { Digest } from '../deps.js';

type Block = Record<string, unknown>;

/** Escapes mrkdwn (`&<>`), so names from the profiles file or Slack form no command. */
const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A digest posted in the target channel: what and when, the summary, what it covers. */
export function digestMessage(opts: { routine: string; source: string; when: string; digest: Digest }): {
  text: string;
  blocks: Block[];
} {
  const head = `:newspaper: *Digest of ${esc(opts.source)}* for ${esc(opts.when)} · routine \`${esc(opts.routine)}\``;
  return {
    text: `Digest of ${opts.source} for ${opts.when}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: head } },
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

/** A new routine canvas, said once in its channel. */
export function canvasCreatedText(routine: string, source: string, link: string): string {
  return `:page_facing_up: The routine \`${esc(routine)}\` keeps its digests of ${esc(source)} in a canvas in this channel’s tabs, newest first: ${link}`;
}

/** Said once in the target channel when a run fails; retried after. */
export function failedText(opts: { routine: string; source: string; when: string; why?: string }): string {
  const why = opts.why ? `\n${opts.why}` : '';
  return `:warning: The routine \`${esc(opts.routine)}\` could not write its digest of ${esc(opts.source)} for ${esc(opts.when)}. I’ll try again in a few minutes.${why}`;
}
