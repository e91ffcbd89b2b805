/**
 * Reading canvases: `canvases.getContent` over the workspace's canvases (canvases.ts), and the
 * canvases people share in conversations (a message's `files[]` entry describes one).
 * @see https://docs.slack.dev/reference/methods/canvases.getContent
 */
import { parseSections, type SimCanvas } from './canvases.js';
import { type ApiContext, fail, strArg } from './shapes.js';
import type { SimState } from './state.js';
import type { ApiResult } from './types.js';

/**
 * A person's canvas shared in `channel`, and the `files[]` entry of the message that shares it:
 * Slack describes a canvas as a file of type `quip`, mimetype `application/vnd.slack-docs`.
 */
export function shareCanvas(
  state: SimState,
  baseUrl: string,
  c: { title: string; markdown: string; channel: string },
): Record<string, unknown> {
  const id = `F0CANVAS${String(state.canvases.byId.size + 1).padStart(3, '0')}`;
  const now = Date.now();
  const canvas: SimCanvas = {
    id,
    title: c.title,
    channelId: c.channel,
    isChannelCanvas: false,
    sections: parseSections(c.markdown),
    created: now,
    updated: now,
    edits: 0,
    unrendered: [],
  };
  state.canvases.byId.set(id, canvas);
  state.changed();
  return {
    id,
    name: c.title,
    title: c.title,
    mimetype: 'application/vnd.slack-docs',
    filetype: 'quip',
    pretty_type: 'Canvas',
    size: Buffer.byteLength(c.markdown),
    mode: 'hosted',
    permalink: `${baseUrl}/docs/${state.id.teamId}/${id}`,
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>]/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * `canvases.getContent`: "the full content of a canvas that the calling user or bot can view", as
 * one `content` string "without pagination"; `content_type` markdown (default) or html; needs
 * canvases:read (scopes.ts); "If the canvas doesn't exist, or the calling user or bot can't view
 * it, the method returns a canvas_not_found error". The bot views the canvases it made and those
 * shared in a conversation it is in.
 */
export function getCanvasContent(ctx: ApiContext, args: Record<string, unknown>): ApiResult {
  const id = strArg(args, 'canvas_id');
  if (!id) return fail('invalid_arguments', { detail: 'canvas_id is required' });
  const type = strArg(args, 'content_type') ?? 'markdown';
  if (type !== 'markdown' && type !== 'html') return fail('invalid_arguments', { detail: 'content_type' });
  const canvas = ctx.state.canvases.byId.get(id);
  const conv = canvas?.channelId ? ctx.state.conversations.get(canvas.channelId) : undefined;
  const visible = canvas && (!canvas.channelId || (conv !== undefined && ctx.state.isBotMember(conv)));
  if (!canvas || !visible) return fail('canvas_not_found');
  const markdown = ctx.state.canvases.markdown(id);
  const content =
    type === 'markdown'
      ? markdown
      : `<h1>${escapeHtml(canvas.title)}</h1>${markdown
          .split('\n')
          .map((l) => `<p>${escapeHtml(l)}</p>`)
          .join('')}`;
  return { ok: true, content };
}
