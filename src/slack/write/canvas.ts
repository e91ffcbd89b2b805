/**
 * Canvases the bot writes: standalone canvases tabbed in a channel (`canvases.create` with
 * `channel_id`), a section added after a heading (`canvases.sections.lookup`, then
 * `canvases.edit` insert_after), and the markdown canvases render. Transport only.
 * @see https://docs.slack.dev/reference/methods/canvases.create
 * @see https://docs.slack.dev/reference/methods/canvases.edit
 */
import type { WebClient } from '@slack/web-api';
import { MAX_CANVAS_CHARS } from '../limits.js';
import { callOnce } from '../web.js';

/**
 * Slack's message markdown made canvas markdown. Canvases render headings h1–h3 only (deeper ones
 * become bold lines), write mentions as `![](@U123)` / `![](#C123)`, and take no Slack mrkdwn
 * (`<url|label>` links, `<!date^…|fallback>` tokens), which would show literally.
 * @see https://docs.slack.dev/reference/methods/canvases.create ("formatting elements")
 */
export function canvasMarkdown(markdown: string): string {
  const out = markdown
    .replace(/^#{4,6}\s+(.+)$/gm, '**$1**')
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, '![](@$1)')
    .replace(/<#([CG][A-Z0-9]+)(?:\|[^>]*)?>/g, '![](#$1)')
    .replace(/<!date\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<(https?:\/\/[^|>\s]+)\|([^>]*)>/g, '[$2]($1)')
    .replace(/<(https?:\/\/[^|>\s]+)>/g, '$1');
  return out.length <= MAX_CANVAS_CHARS
    ? out
    : `${out.slice(0, MAX_CANVAS_CHARS)}\n\n_…cut: too long for a canvas._`;
}

/** The link Slack gives a canvas: https://<workspace>.slack.com/docs/<team id>/<canvas id>. */
export function canvasUrl(workspaceUrl: string, teamId: string, canvasId: string): string {
  const base = workspaceUrl.endsWith('/') ? workspaceUrl : `${workspaceUrl}/`;
  return `${base}docs/${teamId}/${canvasId}`;
}

const content = (markdown: string) => ({ type: 'markdown' as const, markdown: canvasMarkdown(markdown) });

/** Writes canvases with the bot token (canvases:write; canvases:read to look sections up). */
export class CanvasWriter {
  constructor(private readonly client: WebClient) {}

  /** A standalone canvas tabbed in `channelId` (its members can open it); resolves with its id. */
  async create(opts: { title: string; markdown: string; channelId: string }): Promise<string> {
    const r = await callOnce(() =>
      this.client.canvases.create({
        title: opts.title.slice(0, 255),
        channel_id: opts.channelId,
        document_content: content(opts.markdown),
      }),
    );
    return r.canvas_id as string;
  }

  /** Whether a heading of the canvas contains `text` (a section written before). */
  async hasHeading(canvasId: string, text: string): Promise<boolean> {
    return (await this.headings(canvasId, text)).length > 0;
  }

  /**
   * Adds `markdown` right after the first heading containing `after` (newest first under a title),
   * or at the end when there is none.
   */
  async insertAfter(canvasId: string, after: string, markdown: string): Promise<void> {
    const [anchor] = await this.headings(canvasId, after);
    const change = anchor
      ? { operation: 'insert_after' as const, section_id: anchor, document_content: content(markdown) }
      : { operation: 'insert_at_end' as const, document_content: content(markdown) };
    await callOnce(() => this.client.canvases.edit({ canvas_id: canvasId, changes: [change] }));
  }

  /** Removes the section of the first heading containing `text`, if any. */
  async deleteHeading(canvasId: string, text: string): Promise<void> {
    const [id] = await this.headings(canvasId, text);
    if (id)
      await callOnce(() =>
        this.client.canvases.edit({
          canvas_id: canvasId,
          changes: [{ operation: 'delete', section_id: id }],
        }),
      );
  }

  private async headings(canvasId: string, text: string): Promise<string[]> {
    const r = await callOnce(() =>
      this.client.canvases.sections.lookup({
        canvas_id: canvasId,
        criteria: { section_types: ['any_header'], contains_text: text },
      }),
    );
    return (r.sections ?? []).map((s) => s.id).filter((id): id is string => typeof id === 'string');
  }
}
