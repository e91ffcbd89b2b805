/**
 * Canvases as Slack's Web API serves them to a bot: standalone canvases (`canvases.create`, tabbed
 * in a channel with `channel_id`), one channel canvas per channel (`conversations.canvases.create`),
 * edits by section (`canvases.edit`) and section lookup (`canvases.sections.lookup`).
 *
 * What is enforced, from Slack's method pages:
 * - `document_content` is `{type: 'markdown', markdown}`; markdown is the only type, and Block Kit
 *   is not supported in canvases (https://docs.slack.dev/surfaces/canvases).
 * - The markdown of a canvas is limited to 1 MiB (1,048,576 characters)
 *   (https://docs.slack.dev/reference/methods/conversations.canvases.create, document_content);
 *   Slack names no error for it: the sim answers canvas_creation_failed / canvas_editing_failed.
 * - `canvases.edit` takes one change per call ("Only one operation per API call is currently
 *   supported"); insert_after, insert_before and delete need a `section_id`; replace without one
 *   replaces the whole canvas (https://docs.slack.dev/reference/methods/canvases.edit).
 * - `canvases.sections.lookup` criteria: `section_types` (1 to 3 of h1, h2, h3, any_header) and/or
 *   `contains_text` (https://docs.slack.dev/reference/methods/canvases.sections.lookup).
 * - A channel has at most one channel canvas: channel_canvas_already_exists
 *   (https://docs.slack.dev/reference/methods/conversations.canvases.create).
 * What renders (https://docs.slack.dev/reference/methods/canvases.create, "formatting elements"):
 * bold, italic, strikethrough, lists, checklists, code, dividers, emoji, headings h1–h3, inline links,
 * quotes, tables, unfurls and `@` mentions. Anything else (#### headings, raw HTML, Slack mrkdwn
 * links `<url|label>`, images) is shown as plain text: it is kept in `unrendered` so tests and the
 * page can see it.
 */
import { randomBytes } from 'node:crypto';
import { type ApiContext, fail, isError, jsonArg, resolveConversation, strArg } from './shapes.js';
import type { ApiResult } from './types.js';

/** https://docs.slack.dev/reference/methods/conversations.canvases.create: "limited to 1 MiB (1,048,576 characters)". */
export const MAX_CANVAS_MARKDOWN_CHARS = 1_048_576;

export type SectionType = 'h1' | 'h2' | 'h3' | 'paragraph';

export interface SimCanvasSection {
  id: string;
  type: SectionType;
  markdown: string;
}

export interface SimCanvas {
  id: string;
  title: string;
  /** The channel it is tabbed in (channel_id), or whose channel canvas it is. */
  channelId?: string;
  isChannelCanvas: boolean;
  sections: SimCanvasSection[];
  created: number;
  updated: number;
  edits: number;
  /** Markdown Slack would not render as such (shown as plain text). */
  unrendered: string[];
}

/** Every canvas in the workspace, by id. */
export class SimCanvases {
  readonly byId = new Map<string, SimCanvas>();

  /** The canvas's whole markdown, sections in order. */
  markdown(id: string): string {
    return (this.byId.get(id)?.sections ?? []).map((s) => s.markdown).join('\n');
  }

  channelCanvas(channelId: string): SimCanvas | undefined {
    return [...this.byId.values()].find((c) => c.isChannelCanvas && c.channelId === channelId);
  }
}

const SECTION_TYPES = new Set(['h1', 'h2', 'h3', 'any_header']);
const OPERATIONS = new Set([
  'insert_after',
  'insert_before',
  'insert_at_start',
  'insert_at_end',
  'replace',
  'delete',
]);
const NEEDS_SECTION = new Set(['insert_after', 'insert_before', 'delete']);

const sectionId = () => `temp:C:${randomBytes(21).toString('base64url').toUpperCase().slice(0, 28)}`;
const canvasId = () => `F${randomBytes(6).toString('hex').toUpperCase().slice(0, 10)}`;

/** Splits markdown into sections: each h1–h3 heading starts one; text before the first is a paragraph. */
export function parseSections(markdown: string): SimCanvasSection[] {
  const out: SimCanvasSection[] = [];
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    const heading = fence ? undefined : /^(#{1,3})\s+\S/.exec(line);
    const last = out.at(-1);
    if (heading || !last) {
      const type = heading ? (`h${heading[1]?.length}` as SectionType) : 'paragraph';
      out.push({ id: sectionId(), type, markdown: line });
    } else last.markdown += `\n${line}`;
  }
  return out;
}

/** Markdown a canvas shows as plain text (not in Slack's list of supported elements). */
function unrenderedIn(markdown: string): string[] {
  const found: string[] = [];
  for (const m of markdown.matchAll(/^#{4,6}\s.*$/gm)) found.push(`heading beyond h3: ${m[0]}`);
  for (const m of markdown.matchAll(/<https?:\/\/[^>|\s]+\|[^>]*>/g)) found.push(`mrkdwn link: ${m[0]}`);
  for (const m of markdown.matchAll(/<(\/?[a-z][a-z0-9]*)(\s[^>]*)?>/gi)) found.push(`html: ${m[0]}`);
  // Images are not listed; `![](@U123)` / `![](#C123)` are how mentions are written.
  for (const m of markdown.matchAll(/!\[[^\]]*\]\((?![@#])[^)]*\)/g)) found.push(`image: ${m[0]}`);
  return found;
}

/** `document_content` as Slack takes it, or an error answer. */
function contentOf(args: Record<string, unknown>, required: boolean): string | undefined | ApiResult {
  const parsed = jsonArg(args, 'document_content');
  if (parsed.invalid) return fail('invalid_arguments', { detail: 'document_content is not JSON' });
  if (parsed.value === undefined) return required ? fail('invalid_arguments') : undefined;
  const c = parsed.value as { type?: unknown; markdown?: unknown };
  if (typeof c !== 'object' || c === null || c.type !== 'markdown' || typeof c.markdown !== 'string')
    return fail('invalid_arguments', { detail: 'document_content must be {type: "markdown", markdown}' });
  return c.markdown;
}

function newCanvas(
  ctx: ApiContext,
  opts: { title: string; channelId?: string; channelCanvas: boolean; markdown?: string },
): ApiResult {
  const markdown = opts.markdown ?? '';
  if (markdown.length > MAX_CANVAS_MARKDOWN_CHARS)
    return fail('canvas_creation_failed', { detail: 'markdown over 1,048,576 characters' });
  const now = Date.now();
  const canvas: SimCanvas = {
    id: canvasId(),
    title: opts.title,
    ...(opts.channelId ? { channelId: opts.channelId } : {}),
    isChannelCanvas: opts.channelCanvas,
    sections: markdown ? parseSections(markdown) : [],
    created: now,
    updated: now,
    edits: 0,
    unrendered: unrenderedIn(markdown),
  };
  ctx.state.canvases.byId.set(canvas.id, canvas);
  ctx.state.changed();
  return { ok: true, canvas_id: canvas.id };
}

/** The channel a canvas is tabbed in: one the bot is in (it needs write access to add a tab). */
function tabChannel(ctx: ApiContext, ref: string | undefined): string | ApiResult {
  const conv = resolveConversation(ctx, ref, { needMember: true });
  if (isError(conv)) return conv;
  if (conv.is_im || conv.is_mpim) return fail('invalid_channel_type');
  if (conv.is_archived) return fail('is_archived');
  return conv.id;
}

/** canvases.* and conversations.canvases.create, over the workspace's canvases (SimState.canvases). */
export const canvasHandlers = {
  /** https://docs.slack.dev/reference/methods/canvases.create (Tier 2, canvases:write). */
  'canvases.create': (ctx: ApiContext, args: Record<string, unknown>): ApiResult => {
    const markdown = contentOf(args, false);
    if (typeof markdown === 'object') return markdown;
    const ref = strArg(args, 'channel_id');
    const channelId = ref ? tabChannel(ctx, ref) : undefined;
    if (typeof channelId === 'object') return channelId;
    return newCanvas(ctx, {
      title: strArg(args, 'title') ?? '',
      ...(channelId ? { channelId } : {}),
      channelCanvas: false,
      ...(markdown !== undefined ? { markdown } : {}),
    });
  },

  /** https://docs.slack.dev/reference/methods/conversations.canvases.create (Tier 2, canvases:write). */
  'conversations.canvases.create': (ctx: ApiContext, args: Record<string, unknown>): ApiResult => {
    const ref = strArg(args, 'channel_id');
    if (!ref) return fail('invalid_arguments', { detail: 'channel_id is required' });
    const channelId = tabChannel(ctx, ref);
    if (typeof channelId === 'object') return channelId;
    if (ctx.state.canvases.channelCanvas(channelId)) return fail('channel_canvas_already_exists');
    const markdown = contentOf(args, false);
    if (typeof markdown === 'object') return markdown;
    return newCanvas(ctx, {
      title: strArg(args, 'title') ?? '',
      channelId,
      channelCanvas: true,
      ...(markdown !== undefined ? { markdown } : {}),
    });
  },

  /** https://docs.slack.dev/reference/methods/canvases.edit (Tier 3, canvases:write). */
  'canvases.edit': (ctx: ApiContext, args: Record<string, unknown>): ApiResult => {
    const canvas = ctx.state.canvases.byId.get(strArg(args, 'canvas_id') ?? '');
    if (!canvas) return fail('canvas_not_found');
    const parsed = jsonArg(args, 'changes');
    if (parsed.invalid || !Array.isArray(parsed.value) || parsed.value.length === 0)
      return fail('invalid_arguments', { detail: 'changes must be a non-empty array' });
    // "Only one operation per API call is currently supported."
    if (parsed.value.length > 1) return fail('invalid_arguments', { detail: 'one change per call' });
    const change = parsed.value[0] as {
      operation?: unknown;
      section_id?: unknown;
      document_content?: unknown;
    };
    const op = typeof change.operation === 'string' ? change.operation : '';
    if (!OPERATIONS.has(op)) return fail('invalid_arguments', { detail: `unknown operation ${op}` });
    const sid = typeof change.section_id === 'string' ? change.section_id : undefined;
    if (NEEDS_SECTION.has(op) && !sid) return fail('invalid_arguments', { detail: `${op} needs section_id` });
    const at = sid ? canvas.sections.findIndex((s) => s.id === sid) : -1;
    if (sid && at === -1) return fail('canvas_editing_failed', { detail: 'no such section' });
    let markdown = '';
    if (op !== 'delete') {
      const content = contentOf({ document_content: change.document_content }, true);
      if (typeof content === 'object') return content;
      markdown = content ?? '';
    }
    const added = markdown ? parseSections(markdown) : [];
    const next = [...canvas.sections];
    if (op === 'insert_at_start') next.unshift(...added);
    else if (op === 'insert_at_end') next.push(...added);
    else if (op === 'insert_before') next.splice(at, 0, ...added);
    else if (op === 'insert_after') next.splice(at + 1, 0, ...added);
    else if (op === 'delete') next.splice(at, 1);
    else if (op === 'replace' && sid) next.splice(at, 1, ...added);
    else next.splice(0, next.length, ...added);
    const size = next.reduce((n, s) => n + s.markdown.length + 1, 0);
    if (size > MAX_CANVAS_MARKDOWN_CHARS)
      return fail('canvas_editing_failed', { detail: 'markdown over 1,048,576 characters' });
    canvas.sections = next;
    canvas.unrendered.push(...unrenderedIn(markdown));
    canvas.updated = Date.now();
    canvas.edits++;
    ctx.state.changed();
    return { ok: true };
  },

  /** https://docs.slack.dev/reference/methods/canvases.sections.lookup (Tier 3, canvases:read). */
  'canvases.sections.lookup': (ctx: ApiContext, args: Record<string, unknown>): ApiResult => {
    const canvas = ctx.state.canvases.byId.get(strArg(args, 'canvas_id') ?? '');
    if (!canvas) return fail('canvas_not_found');
    const parsed = jsonArg(args, 'criteria');
    const criteria = (parsed.value ?? {}) as { section_types?: unknown; contains_text?: unknown };
    if (parsed.invalid || typeof criteria !== 'object')
      return fail('invalid_arguments', { detail: 'criteria is required' });
    const types = criteria.section_types;
    const text = criteria.contains_text;
    if (types === undefined && text === undefined)
      return fail('invalid_arguments', { detail: 'criteria needs section_types or contains_text' });
    if (
      types !== undefined &&
      (!Array.isArray(types) ||
        types.length < 1 ||
        types.length > 3 ||
        !types.every((t) => SECTION_TYPES.has(String(t))))
    )
      return fail('invalid_arguments', { detail: 'section_types: 1 to 3 of h1, h2, h3, any_header' });
    if (text !== undefined && typeof text !== 'string') return fail('invalid_arguments');
    const wanted = new Set((types as string[] | undefined) ?? []);
    const sections = canvas.sections.filter((s) => {
      const typed =
        wanted.size === 0 || wanted.has(s.type) || (wanted.has('any_header') && s.type !== 'paragraph');
      return typed && (text === undefined || s.markdown.includes(text));
    });
    return { ok: true, sections: sections.map((s) => ({ id: s.id })) };
  },
};
