import type { ApiHandler } from './api.js';
import {
  type ApiContext,
  apiMessage,
  fail,
  isError,
  jsonArg,
  resolveConversation,
  strArg,
} from './shapes.js';
import type { ApiResult, SimConversation, SimMessage } from './types.js';

/** Slack truncates message text beyond this many characters instead of failing. */
export const MAX_TEXT_CHARS = 40_000;
/** Slack's limit for markdown text in one request (markdown blocks, stream chunks). */
export const MAX_MARKDOWN_CHARS = 12_000;
const MAX_BLOCKS = 50;

/** Parses and validates `blocks` like chat.postMessage does. */
export function readBlocks(args: Record<string, unknown>): { blocks?: unknown[]; error?: ApiResult } {
  const parsed = jsonArg(args, 'blocks');
  if (parsed.invalid) return { error: fail('invalid_blocks_format') };
  if (parsed.value === undefined) return {};
  if (!Array.isArray(parsed.value)) return { error: fail('invalid_blocks_format') };
  const blocks: unknown[] = parsed.value;
  if (blocks.length > MAX_BLOCKS) return { error: fail('invalid_blocks') };
  let markdownChars = 0;
  for (const b of blocks) {
    if (typeof b !== 'object' || b === null || typeof (b as { type?: unknown }).type !== 'string') {
      return {
        error: fail('invalid_blocks', {
          response_metadata: { messages: ['[ERROR] missing required field: type'] },
        }),
      };
    }
    const block = b as { type: string; text?: unknown };
    if (block.type === 'markdown' && typeof block.text === 'string') markdownChars += block.text.length;
    const planError = planBlockError(b as Record<string, unknown>);
    if (planError)
      return { error: fail('invalid_blocks', { response_metadata: { messages: [`[ERROR] ${planError}`] } }) };
  }
  if (markdownChars > MAX_MARKDOWN_CHARS) return { error: fail('msg_too_long') };
  return { blocks };
}

/** A task's status, in a stream's `task_update` chunk and a `task_card` block alike. */
export const TASK_STATUSES = new Set(['pending', 'in_progress', 'complete', 'error']);
const isText = (v: unknown) => typeof v === 'string' && v.trim() !== '';
const isRichText = (v: unknown) =>
  typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'rich_text';

/**
 * What is wrong with a `plan` block (a title, task cards) or a lone `task_card` block, if anything:
 * each task has a task_id, a title, an optional status of pending|in_progress|complete|error, and
 * details and output as one rich_text each.
 * @see https://docs.slack.dev/reference/block-kit/blocks/plan-block
 * @see https://docs.slack.dev/reference/block-kit/blocks/task-card-block
 */
function planBlockError(b: Record<string, unknown>): string | undefined {
  const taskError = (t: unknown): string | undefined => {
    if (typeof t !== 'object' || t === null) return 'a task must be an object';
    const task = t as Record<string, unknown>;
    if (task.type !== undefined && task.type !== 'task_card') return 'a task must be a task_card';
    if (!isText(task.task_id)) return 'missing required field: task_id';
    if (!isText(task.title)) return 'missing required field: title';
    if (task.status !== undefined && !TASK_STATUSES.has(task.status as string))
      return 'status must be one of: pending, in_progress, complete, error';
    if (task.details !== undefined && !isRichText(task.details)) return 'details must be a rich_text';
    if (task.output !== undefined && !isRichText(task.output)) return 'output must be a rich_text';
    return undefined;
  };
  if (b.type === 'task_card') return taskError(b);
  if (b.type !== 'plan') return undefined;
  if (!isText(b.title)) return 'missing required field: title';
  if (b.tasks === undefined) return undefined;
  if (!Array.isArray(b.tasks)) return 'tasks must be an array';
  for (const t of b.tasks) {
    const error = taskError(t);
    if (error) return error;
  }
  return undefined;
}

/** The thread a reply goes to: a reply's own thread when given a reply ts; undefined when unknown. */
export function threadParentTs(
  ctx: ApiContext,
  channel: string,
  threadTs: string | undefined,
): string | undefined {
  if (!threadTs) return undefined;
  const target = ctx.state.find(channel, threadTs);
  if (!target) return undefined;
  return target.thread_ts ?? target.ts;
}

/** Resolves a writable conversation (bot member, not archived). */
export function writableConversation(ctx: ApiContext, ref: string | undefined): SimConversation | ApiResult {
  const conv = resolveConversation(ctx, ref, { needMember: true, allowUserId: true });
  if (isError(conv)) return conv;
  if (conv.is_archived) return fail('is_archived');
  return conv;
}

/** Stores a new bot message and clears the thread's assistant status, which Slack does on reply. */
export function storeBotMessage(ctx: ApiContext, m: Omit<SimMessage, 'ts' | 'user' | 'bot_id'>): SimMessage {
  const { state } = ctx;
  const msg = state.insert({ ...m, ts: state.nextTs(), user: state.id.botUserId, bot_id: state.id.botId });
  if (msg.thread_ts && state.currentStatus(msg.channel, msg.thread_ts) !== '') {
    state.setStatus(msg.channel, msg.thread_ts, '');
  }
  return msg;
}

/** Finds a message the bot may modify (its own, in a conversation it can see). */
function ownMessage(
  ctx: ApiContext,
  args: Record<string, unknown>,
  denied: string,
  tsKey = 'ts',
): SimMessage | ApiResult {
  const conv = resolveConversation(ctx, strArg(args, 'channel'), { needMember: false });
  if (isError(conv)) return conv;
  const m = ctx.state.find(conv.id, strArg(args, tsKey) ?? '');
  if (!m || m.subtype === 'tombstone') return fail('message_not_found');
  if (m.user !== ctx.state.id.botUserId) return fail(denied);
  return m;
}

const threadKey = (channel: string, ts: string): string => `${channel}:${ts}`;

/** chat.* (except streaming), reactions.*, assistant.threads.* and views.publish. */
export const chatHandlers: Record<string, ApiHandler> = {
  'chat.postMessage': (ctx, args) => {
    const conv = writableConversation(ctx, strArg(args, 'channel'));
    if (isError(conv)) return conv;
    const { blocks, error } = readBlocks(args);
    if (error) return error;
    const text = strArg(args, 'text') ?? '';
    if (!text && !blocks?.length) return fail('no_text');
    const metadata = jsonArg(args, 'metadata');
    if (metadata.invalid) return fail('invalid_metadata_format');
    const msg = storeBotMessage(ctx, {
      channel: conv.id,
      text: text.slice(0, MAX_TEXT_CHARS),
      ...(blocks ? { blocks } : {}),
      ...(threadParentTs(ctx, conv.id, strArg(args, 'thread_ts'))
        ? { thread_ts: threadParentTs(ctx, conv.id, strArg(args, 'thread_ts')) }
        : {}),
      ...(metadata.value !== undefined ? { metadata: metadata.value } : {}),
    });
    recordUnfurls(ctx, args, `${text} ${JSON.stringify(blocks ?? [])}`);
    return { ok: true, channel: conv.id, ts: msg.ts, message: apiMessage(ctx, msg) };
  },

  'chat.update': (ctx, args) => {
    const m = ownMessage(ctx, args, 'cant_update_message');
    if (isError(m)) return m;
    const { blocks, error } = readBlocks(args);
    if (error) return error;
    const text = strArg(args, 'text');
    if (text === undefined && blocks === undefined) return fail('no_text');
    if (text !== undefined) m.text = text.slice(0, MAX_TEXT_CHARS);
    if (blocks !== undefined) m.blocks = blocks;
    const metadata = jsonArg(args, 'metadata');
    if (metadata.value !== undefined) m.metadata = metadata.value;
    m.edited = { user: ctx.state.id.botUserId, ts: ctx.state.nextTs() };
    recordUnfurls(ctx, args, `${text ?? ''} ${JSON.stringify(blocks ?? [])}`);
    ctx.state.changed();
    return { ok: true, channel: m.channel, ts: m.ts, text: m.text, message: apiMessage(ctx, m) };
  },

  'chat.delete': (ctx, args) => {
    const m = ownMessage(ctx, args, 'cant_delete_message');
    if (isError(m)) return m;
    ctx.state.remove(m);
    return { ok: true, channel: m.channel, ts: m.ts };
  },

  'chat.postEphemeral': (ctx, args) => {
    const conv = writableConversation(ctx, strArg(args, 'channel'));
    if (isError(conv)) return conv;
    const user = strArg(args, 'user') ?? '';
    if (!ctx.state.users.has(user)) return fail('user_not_found');
    if (!conv.members.includes(user)) return fail('user_not_in_channel');
    const { blocks, error } = readBlocks(args);
    if (error) return error;
    const text = strArg(args, 'text') ?? '';
    if (!text && !blocks?.length) return fail('no_text');
    const ts = ctx.state.nextTs();
    const threadTs = strArg(args, 'thread_ts');
    ctx.state.ephemerals.push({
      channel: conv.id,
      user,
      text,
      ts,
      via: 'postEphemeral',
      ...(blocks ? { blocks } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
    recordUnfurls(ctx, args, `${text} ${JSON.stringify(blocks ?? [])}`);
    ctx.state.changed();
    return { ok: true, message_ts: ts };
  },

  'chat.getPermalink': (ctx, args) => {
    const conv = resolveConversation(ctx, strArg(args, 'channel'), { needMember: false });
    if (isError(conv)) return conv;
    const m = ctx.state.find(conv.id, strArg(args, 'message_ts') ?? '');
    if (!m) return fail('message_not_found');
    let permalink = `${ctx.team.url}archives/${conv.id}/p${m.ts.replace('.', '')}`;
    if (m.thread_ts && m.thread_ts !== m.ts) permalink += `?thread_ts=${m.thread_ts}&cid=${conv.id}`;
    return { ok: true, channel: conv.id, permalink };
  },

  'reactions.add': (ctx, args) => {
    const conv = resolveConversation(ctx, strArg(args, 'channel'), { needMember: true });
    if (isError(conv)) return conv;
    const m = ctx.state.find(conv.id, strArg(args, 'timestamp') ?? '');
    if (!m) return fail('message_not_found');
    const name = (strArg(args, 'name') ?? '').replace(/^:|:$/g, '');
    if (!name) return fail('invalid_name');
    const me = ctx.state.id.botUserId;
    m.reactions ??= [];
    let r = m.reactions.find((x) => x.name === name);
    if (r?.users.includes(me)) return fail('already_reacted');
    if (!r) {
      r = { name, users: [], count: 0 };
      m.reactions.push(r);
    }
    r.users.push(me);
    r.count = r.users.length;
    ctx.state.changed();
    return { ok: true };
  },

  'reactions.remove': (ctx, args) => {
    const conv = resolveConversation(ctx, strArg(args, 'channel'), { needMember: true });
    if (isError(conv)) return conv;
    const m = ctx.state.find(conv.id, strArg(args, 'timestamp') ?? '');
    if (!m) return fail('message_not_found');
    const name = (strArg(args, 'name') ?? '').replace(/^:|:$/g, '');
    const me = ctx.state.id.botUserId;
    const r = m.reactions?.find((x) => x.name === name);
    if (!r?.users.includes(me)) return fail('no_reaction');
    r.users = r.users.filter((u) => u !== me);
    r.count = r.users.length;
    if (r.count === 0) m.reactions = m.reactions?.filter((x) => x !== r);
    ctx.state.changed();
    return { ok: true };
  },

  'assistant.threads.setStatus': (ctx, args) => {
    const conv = resolveConversation(ctx, strArg(args, 'channel_id'), { needMember: true });
    if (isError(conv)) return conv;
    const threadTs = strArg(args, 'thread_ts');
    const status = strArg(args, 'status');
    if (!threadTs || status === undefined) return fail('invalid_arguments');
    // "The list of messages to rotate through as a loading indicator. Maximum of 10 messages."
    const loading = jsonArg(args, 'loading_messages');
    if (
      loading.invalid ||
      (loading.value !== undefined && (!Array.isArray(loading.value) || loading.value.length > 10))
    )
      return fail('invalid_arguments');
    ctx.state.setStatus(conv.id, threadTs, status);
    return { ok: true };
  },

  'assistant.threads.setSuggestedPrompts': (ctx, args) => {
    const conv = resolveConversation(ctx, strArg(args, 'channel_id'), { needMember: true });
    if (isError(conv)) return conv;
    const prompts = jsonArg(args, 'prompts');
    if (!Array.isArray(prompts.value) || prompts.value.length > 4) return fail('invalid_arguments');
    // "The thread_ts parameter should only be used in the legacy assistant messaging experience.
    // Including it in a call for an agent app will cause the call to silently fail."
    // Without it, the prompts go on the latest message of the conversation.
    // @see https://docs.slack.dev/reference/methods/assistant.threads.setSuggestedPrompts
    const given = strArg(args, 'thread_ts');
    if (given && ctx.agentView) return { ok: true };
    const threadTs = given ?? ctx.state.all(conv.id).at(-1)?.ts;
    if (!threadTs) return fail('message_not_found');
    const title = strArg(args, 'title');
    ctx.state.suggestedPrompts.set(threadKey(conv.id, threadTs), {
      prompts: prompts.value,
      ...(title ? { title } : {}),
    });
    ctx.state.changed();
    return { ok: true };
  },

  'assistant.threads.setTitle': (ctx, args) => {
    const conv = resolveConversation(ctx, strArg(args, 'channel_id'), { needMember: true });
    if (isError(conv)) return conv;
    const threadTs = strArg(args, 'thread_ts');
    const title = strArg(args, 'title');
    if (!threadTs || title === undefined) return fail('invalid_arguments');
    ctx.state.titles.set(threadKey(conv.id, threadTs), title);
    ctx.state.changed();
    return { ok: true };
  },

  'views.publish': (ctx, args) => {
    const userId = strArg(args, 'user_id') ?? '';
    if (!ctx.state.users.has(userId)) return fail('user_not_found');
    const view = jsonArg(args, 'view');
    if (view.invalid || typeof view.value !== 'object' || view.value === null)
      return fail('invalid_arguments');
    const stored = { ...(view.value as Record<string, unknown>) };
    if (stored.type !== 'home') return fail('invalid_arguments');
    ctx.state.homeViews.set(userId, stored);
    ctx.state.changed();
    const id = `V${userId.slice(1)}`;
    return { ok: true, view: { id, team_id: ctx.team.id, ...stored, hash: `${Date.now()}.sim` } };
  },
};

const bool = (v: unknown) => v === true || v === 'true' || v === 1 || v === '1';

/**
 * The URLs Slack would fetch to unfurl a message the bot wrote (posted, edited, streamed, ephemeral
 * or through a response_url): text-based links with unfurl_links, and media unless unfurl_media is
 * false (its default is on). The sim cannot tell media from pages, so any link counts for either.
 * @see https://docs.slack.dev/reference/methods/chat.postMessage (unfurl_links, unfurl_media)
 */
export function recordUnfurls(ctx: ApiContext, args: Record<string, unknown>, content: string): void {
  const media = args.unfurl_media === undefined || bool(args.unfurl_media);
  if (!bool(args.unfurl_links) && !media) return;
  for (const m of content.matchAll(/https?:\/\/[^\s<>|"\\)\]]+/g)) ctx.state.unfurled.push(m[0]);
}
