import { randomBytes } from 'node:crypto';
import { readBlocks, recordUnfurls, storeBotMessage } from './api-chat.js';
import type { ApiContext } from './shapes.js';

/** Where a response_url's answers go: the conversation, the user who acted, and the message acted on. */
export interface ResponseTarget {
  channel: string;
  user: string;
  messageTs?: string;
  threadTs?: string;
}

interface IssuedUrl extends ResponseTarget {
  uses: number;
  createdAt: number;
}

/** Slack allows five responses per response_url within 30 minutes. */
const MAX_USES = 5;
const LIFETIME_MS = 30 * 60 * 1000;

/** The response_url endpoint: what Bolt's respond() POSTs to. */
export class ResponseUrls {
  private readonly issued = new Map<string, IssuedUrl>();

  constructor(
    private readonly ctx: ApiContext,
    private readonly baseUrl: string,
  ) {}

  /** A new response_url for an interaction. */
  issue(target: ResponseTarget): string {
    const id = `${this.ctx.team.id}/${Date.now()}/${randomBytes(12).toString('hex')}`;
    this.issued.set(id, { ...target, uses: 0, createdAt: Date.now() });
    return `${this.baseUrl}/response/${id}`;
  }

  /** Handles one POST; answers with Slack's status codes (404 used_url / expired_url / no_service). */
  handle(id: string, rawBody: string): { status: number; body: Record<string, unknown> } {
    const target = this.issued.get(id);
    if (!target) return { status: 404, body: { ok: false, error: 'no_service' } };
    if (Date.now() - target.createdAt > LIFETIME_MS)
      return { status: 404, body: { ok: false, error: 'expired_url' } };
    if (target.uses >= MAX_USES) return { status: 404, body: { ok: false, error: 'used_url' } };
    let msg: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(rawBody);
      if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
      msg = parsed as Record<string, unknown>;
    } catch {
      return { status: 400, body: { ok: false, error: 'invalid_payload' } };
    }
    const { blocks, error } = readBlocks(msg);
    if (error) return { status: 400, body: error };
    target.uses += 1;
    const { state } = this.ctx;
    const text = typeof msg.text === 'string' ? msg.text : '';
    recordUnfurls(this.ctx, msg, `${text} ${JSON.stringify(blocks ?? [])}`);
    const original = target.messageTs ? state.find(target.channel, target.messageTs) : undefined;
    if (msg.delete_original === true || msg.delete_original === 'true') {
      if (original) state.remove(original);
      return { status: 200, body: { ok: true } };
    }
    if ((msg.replace_original === true || msg.replace_original === 'true') && original) {
      original.text = text;
      original.blocks = blocks;
      state.changed();
      return { status: 200, body: { ok: true } };
    }
    const threadTs = typeof msg.thread_ts === 'string' ? msg.thread_ts : target.threadTs;
    if (msg.response_type === 'in_channel') {
      storeBotMessage(this.ctx, {
        channel: target.channel,
        text,
        ...(blocks ? { blocks } : {}),
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
    } else {
      state.ephemerals.push({
        channel: target.channel,
        user: target.user,
        text,
        ts: state.nextTs(),
        via: 'response_url',
        ...(blocks ? { blocks } : {}),
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
      state.changed();
    }
    return { status: 200, body: { ok: true } };
  }
}
