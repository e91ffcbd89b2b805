import type { ApiHandler } from './api.js';
import {
  MAX_MARKDOWN_CHARS,
  readBlocks,
  recordUnfurls,
  storeBotMessage,
  TASK_STATUSES,
  threadParentTs,
  writableConversation,
} from './api-chat.js';
import { endStreamSession } from './sessions.js';
import {
  type ApiContext,
  apiMessage,
  fail,
  isError,
  jsonArg,
  resolveConversation,
  strArg,
} from './shapes.js';
import type { ApiResult, SimMessage } from './types.js';

/**
 * Total UTF-8 bytes of markdown a streamed message holds: past it, startStream / appendStream /
 * stopStream answer `msg_too_long`. Measured against the live API (LIBRARY-FACTS "Slack in the
 * field"): 10,571 bytes accepted, 10,821 rejected, consistent in bytes only, not in characters.
 */
export const MAX_STREAM_BYTES = 10_700;

/** Markdown text plus any other chunks (task_update, plan_update, blocks) of one stream request. */
interface StreamInput {
  markdown: string;
  others: unknown[];
  given: boolean;
  /** Both `markdown_text` and `chunks` were given. */
  both: boolean;
}

/** Reads `markdown_text` and `chunks`; Slack limits markdown per request, not per stream. */
function readStreamInput(args: Record<string, unknown>): StreamInput | ApiResult {
  let markdown = strArg(args, 'markdown_text') ?? '';
  if (markdown.length > MAX_MARKDOWN_CHARS) return fail('msg_too_long');
  const others: unknown[] = [];
  const chunks = jsonArg(args, 'chunks');
  if (chunks.invalid || (chunks.value !== undefined && !Array.isArray(chunks.value)))
    return fail('invalid_chunks');
  const list: unknown[] = Array.isArray(chunks.value) ? chunks.value : [];
  for (const c of list) {
    if (typeof c !== 'object' || c === null) return fail('invalid_chunks');
    const chunk = c as { type?: unknown; text?: unknown };
    if (chunk.type === 'markdown_text') {
      if (typeof chunk.text !== 'string') return fail('invalid_chunks');
      if (chunk.text.length > MAX_MARKDOWN_CHARS) return fail('msg_too_long');
      markdown += chunk.text;
    } else if (validChunk(c as Record<string, unknown>)) {
      others.push(c);
    } else {
      return fail('invalid_chunks');
    }
  }
  return {
    markdown,
    others,
    given: args.markdown_text !== undefined || list.length > 0,
    both: args.markdown_text !== undefined && chunks.value !== undefined,
  };
}

/** Characters of a task's `details` and `output`. */
export const MAX_TASK_TEXT = 256;
/** How tasks show: `timeline` (cards between the text, the default) or `plan` (one plan block). */
export const TASK_DISPLAY_MODES = new Set(['timeline', 'plan']);

const text = (v: unknown, max = Number.POSITIVE_INFINITY) =>
  typeof v === 'string' && v.trim() !== '' && v.length <= max;
const optionalText = (v: unknown) => v === undefined || (typeof v === 'string' && v.length <= MAX_TASK_TEXT);

/**
 * The chunk shapes Slack documents besides markdown_text: `task_update` {id, title, status:
 * pending|in_progress|complete|error, details?, output?, sources?: [{type:'url', url, text}]},
 * `plan_update` {title}, `blocks` {blocks: [...]}. Anything else is `invalid_chunks`.
 * @see https://docs.slack.dev/reference/methods/chat.appendStream#chunks
 * @see https://docs.slack.dev/tools/node-slack-sdk/reference/types/interfaces/TaskUpdateChunk
 * details and output are at most 256 characters each (the chunk reference of Microsoft's Agents
 * SDK for Slack, which mirrors Slack's); a source without text is refused.
 */
function validChunk(c: Record<string, unknown>): boolean {
  switch (c.type) {
    case 'task_update':
      return (
        text(c.id, 255) &&
        text(c.title, MAX_TASK_TEXT) &&
        TASK_STATUSES.has(c.status as string) &&
        optionalText(c.details) &&
        optionalText(c.output) &&
        (c.sources === undefined ||
          (Array.isArray(c.sources) &&
            c.sources.every(
              (s: unknown) =>
                typeof s === 'object' &&
                s !== null &&
                (s as { type?: unknown }).type === 'url' &&
                text((s as { url?: unknown }).url) &&
                text((s as { text?: unknown }).text),
            )))
      );
    case 'plan_update':
      return text(c.title, MAX_TASK_TEXT);
    case 'blocks':
      return Array.isArray(c.blocks);
    default:
      return false;
  }
}

/** Refuses markdown that would take the streamed message `m` (if any) past its byte cap. */
function overCap(input: StreamInput, m?: SimMessage): ApiResult | undefined {
  const held = m ? Buffer.byteLength(m.chunks_text ?? '') : 0;
  return held + Buffer.byteLength(input.markdown) > MAX_STREAM_BYTES ? fail('msg_too_long') : undefined;
}

function isInput(v: StreamInput | ApiResult): v is StreamInput {
  return !('ok' in v);
}

/** The bot's message named by channel+ts, still streaming; Slack ends streams after a fixed lifetime. */
function streamingMessage(ctx: ApiContext, args: Record<string, unknown>): SimMessage | ApiResult {
  const conv = resolveConversation(ctx, strArg(args, 'channel'), { needMember: true });
  if (isError(conv)) return conv;
  const m = ctx.state.find(conv.id, strArg(args, 'ts') ?? '');
  if (!m) return fail('message_not_found');
  if (m.user !== ctx.state.id.botUserId) return fail('cant_update_message');
  if (
    m.streaming &&
    m.stream_started_at !== undefined &&
    Date.now() - m.stream_started_at > ctx.streamLifetimeMs
  ) {
    m.streaming = false;
    ctx.state.changed();
  }
  if (!m.streaming) return fail('message_not_in_streaming_state');
  return m;
}

function appendTo(m: SimMessage, input: StreamInput): void {
  m.chunks_text = (m.chunks_text ?? '') + input.markdown;
  m.text = m.chunks_text;
  if (input.others.length > 0) m.chunks = [...(m.chunks ?? []), ...input.others];
}

/** chat.startStream / appendStream / stopStream. */
export const streamHandlers: Record<string, ApiHandler> = {
  'chat.startStream': (ctx, args) => {
    const conv = writableConversation(ctx, strArg(args, 'channel'));
    if (isError(conv)) return conv;
    const rawThreadTs = strArg(args, 'thread_ts');
    if (!rawThreadTs) {
      return fail('invalid_arguments', {
        response_metadata: { messages: ['[ERROR] missing required field: thread_ts'] },
      });
    }
    if (!conv.is_im) {
      if (!strArg(args, 'recipient_team_id')) return fail('missing_recipient_team_id');
      if (!strArg(args, 'recipient_user_id')) return fail('missing_recipient_user_id');
    }
    const recipient = strArg(args, 'recipient_user_id');
    if (recipient && !ctx.state.users.has(recipient)) return fail('user_not_found');
    const mode = strArg(args, 'task_display_mode');
    if (mode !== undefined && !TASK_DISPLAY_MODES.has(mode)) {
      return fail('invalid_arguments', {
        response_metadata: { messages: ['[ERROR] task_display_mode must be one of: timeline, plan'] },
      });
    }
    const input = readStreamInput(args);
    if (!isInput(input)) return input;
    const tooLong = overCap(input);
    if (tooLong) return tooLong;
    const threadTs = threadParentTs(ctx, conv.id, rawThreadTs);
    if (!threadTs) return fail('thread_not_found');
    const msg = storeBotMessage(ctx, {
      channel: conv.id,
      thread_ts: threadTs,
      text: input.markdown,
      chunks_text: input.markdown,
      streaming: true,
      stream_started_at: Date.now(),
      ...(input.others.length > 0 ? { chunks: input.others } : {}),
      ...(mode ? { task_display_mode: mode as 'timeline' | 'plan' } : {}),
    });
    recordUnfurls(ctx, args, input.markdown);
    return { ok: true, channel: conv.id, ts: msg.ts };
  },

  'chat.appendStream': (ctx, args) => {
    const m = streamingMessage(ctx, args);
    if (isError(m)) return m;
    const input = readStreamInput(args);
    if (!isInput(input)) return input;
    if (!input.given) {
      return fail('invalid_arguments', {
        response_metadata: { messages: ['[ERROR] either markdown_text or chunks is required'] },
      });
    }
    // Slack takes one or the other in an append, never both.
    if (input.both) {
      return fail('invalid_arguments', {
        response_metadata: { messages: ['[ERROR] markdown_text and chunks cannot both be given'] },
      });
    }
    const tooLong = overCap(input, m);
    if (tooLong) return tooLong;
    appendTo(m, input);
    recordUnfurls(ctx, args, input.markdown);
    ctx.state.changed();
    return { ok: true, channel: m.channel, ts: m.ts };
  },

  'chat.stopStream': (ctx, args) => {
    const m = streamingMessage(ctx, args);
    if (isError(m)) return m;
    const input = readStreamInput(args);
    if (!isInput(input)) return input;
    const { blocks, error } = readBlocks(args);
    if (error) return error;
    const metadata = jsonArg(args, 'metadata');
    if (metadata.invalid) return fail('invalid_metadata_format');
    const tooLong = overCap(input, m);
    if (tooLong) return tooLong;
    appendTo(m, input);
    recordUnfurls(ctx, args, `${input.markdown} ${JSON.stringify(blocks ?? [])}`);
    if (blocks) m.blocks = blocks;
    if (metadata.value !== undefined) m.metadata = metadata.value;
    m.streaming = false;
    endStreamSession(ctx.state, m.channel, m.thread_ts, strArg(args, 'session_status'));
    ctx.state.changed();
    return { ok: true, channel: m.channel, ts: m.ts, message: apiMessage(ctx, m) };
  },
};

/** A streamed message's plan as Slack shows it: the latest title and each task's latest state. */
export interface StreamPlan {
  mode: 'timeline' | 'plan';
  title?: string;
  tasks: Array<{ id: string; title: string; status: string; details?: string; output?: string }>;
}

/** Folds a message's task_update / plan_update chunks (a task is updated in place by its id). */
export function streamPlan(m: SimMessage): StreamPlan | undefined {
  const plan: StreamPlan = { mode: m.task_display_mode ?? 'timeline', tasks: [] };
  for (const c of (m.chunks ?? []) as Array<Record<string, unknown>>) {
    if (c.type === 'plan_update') plan.title = c.title as string;
    if (c.type !== 'task_update') continue;
    const task = {
      id: c.id as string,
      title: c.title as string,
      status: c.status as string,
      ...(typeof c.details === 'string' ? { details: c.details } : {}),
      ...(typeof c.output === 'string' ? { output: c.output } : {}),
    };
    const at = plan.tasks.findIndex((t) => t.id === task.id);
    if (at >= 0) plan.tasks[at] = task;
    else plan.tasks.push(task);
  }
  return plan.title || plan.tasks.length ? plan : undefined;
}
