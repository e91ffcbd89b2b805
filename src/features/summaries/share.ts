import { randomUUID } from 'node:crypto';
import type { BlockAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type Keyv from 'keyv';
import type { ClaimStore } from '../../limits/claims.js';
import type { Logger } from '../../platform/logger.js';
import type { UserDirectory } from '../../slack/read/directory.js';
import { callOnce, slackErrorCode } from '../../slack/web.js';
import { type CanvasWriter, canvasUrl } from '../../slack/write/canvas.js';
import { ERROR_TEXT, slackReadText } from '../failure-text.js';
import { SUMMARY_EVENT_TYPE } from './read-channel.js';
import { halfSharedText, mrkdwnText, publicParent, publicReply } from './texts.js';

/** A private summary kept for its Share button. */
export interface SavedSummary {
  teamId: string;
  /** The conversation it was shown in, the only place it may be posted. */
  channelId: string;
  userId: string;
  title: string;
  /** Formatted for Slack already. */
  markdown: string;
  coverage: string;
  /** Coverage with UTC times (a canvas shows no Slack date tokens). */
  coveragePlain?: string;
}

const TTL_MS = 24 * 60 * 60 * 1000;
/** Longest a share may take (two posts); a replica that dies meanwhile frees it after this. */
const SHARE_LEASE_MS = 60_000;
const key = (id: string) => `summary-share:${id}`;
const claimKey = (id: string) => `shared:${id}`;
const canvasKey = (id: string) => `summary-canvas:${id}`;
const canvasClaim = (id: string) => `canvas:${id}`;

/** Who may press a summary's buttons: only the person who asked, in the conversation it was made for. */
function owns(saved: SavedSummary, body: BlockAction): boolean {
  return saved.channelId === body.channel?.id && saved.userId === body.user.id;
}

/** A saved summary as a canvas: its title, the summary (each point linked), then what it covers. */
export function summaryCanvas(s: SavedSummary): string {
  return [`# ${s.title}`, s.markdown, '---', `_${s.coveragePlain ?? ''}_`].join('\n\n');
}
/** Marks the bot's public summaries, so a later summary does not summarize them. */
const SUMMARY_METADATA = { event_type: SUMMARY_EVENT_TYPE, event_payload: {} };

/**
 * Public summaries: posted as a short message with the summary in its thread, either at once
 * (`public`) or later from the Share button of a private one. Saved summaries live in the shared
 * store, so any replica can handle the click.
 */
export class SummaryPublisher {
  constructor(
    private readonly deps: {
      postClient: WebClient;
      store: Keyv;
      /** One share per summary, across clicks and replicas. */
      claims: ClaimStore;
      directory: UserDirectory;
      log: Logger;
      botName: () => string;
      canvases: CanvasWriter;
      workspaceUrl(): Promise<string>;
    },
  ) {}

  /** Posts in `channel`: the parent (title, who asked, coverage), then the summary as its reply. */
  async post(s: Omit<SavedSummary, 'teamId'>): Promise<void> {
    const parent = await this.postParent(s);
    await this.postReply(s.channelId, parent, s.markdown);
  }

  /** The public parent: title, who asked, coverage; answers its ts. */
  async postParent(s: Omit<SavedSummary, 'teamId' | 'markdown'>): Promise<string> {
    const requester = await this.deps.directory.name(s.userId);
    const parent = await callOnce(() =>
      this.deps.postClient.chat.postMessage({
        channel: s.channelId,
        ...publicParent(s.title, requester, s.coverage),
        metadata: SUMMARY_METADATA,
      }),
    );
    return parent.ts as string;
  }

  /**
   * The summary under its parent. When it cannot be posted the parent is removed, so that trying
   * again posts one whole summary; if that fails too, HalfPosted is thrown.
   */
  async postReply(channel: string, parentTs: string, markdown: string): Promise<void> {
    try {
      await callOnce(() =>
        this.deps.postClient.chat.postMessage({
          channel,
          thread_ts: parentTs,
          ...publicReply(markdown),
          metadata: SUMMARY_METADATA,
          unfurl_links: false,
          unfurl_media: false,
        }),
      );
    } catch (err) {
      // A title without its summary: removed, so that trying again posts one whole summary.
      const removed = await this.remove(channel, [parentTs]);
      throw removed ? err : new HalfPosted(err);
    }
  }

  /** Deletes the bot's messages (replies first, then their parent); answers whether all went. */
  async remove(channel: string, tsList: ReadonlyArray<string | undefined>): Promise<boolean> {
    let all = true;
    for (const ts of tsList) {
      if (!ts) continue;
      const ok = await callOnce(() => this.deps.postClient.chat.delete({ channel, ts })).then(
        () => true,
        () => false,
      );
      all &&= ok;
    }
    return all;
  }

  /** Keeps a private summary for sharing; resolves with its id, or undefined if the store failed. */
  async save(s: SavedSummary): Promise<string | undefined> {
    const id = randomUUID();
    return this.deps.store.set(key(id), s, TTL_MS).then(
      () => id,
      () => undefined,
    );
  }

  /** The Share button: only the person who asked, only in the conversation it was made for. */
  async share(body: BlockAction, id: string, respond: RespondFn): Promise<void> {
    const { store, claims, log } = this.deps;
    const saved = (await store.get(key(id)).catch(() => undefined)) as SavedSummary | undefined;
    const reply = (text: string) =>
      respond({ response_type: 'ephemeral', replace_original: false, text }).catch(() => {});
    if (!saved)
      return void (await reply('This summary has expired. Run `/summarize` again to share a new one.'));
    if (!owns(saved, body))
      return void (await reply(
        'Only the person who asked for this summary can share it, in its own conversation.',
      ));
    // An atomic claim before posting: a double click, even on two replicas, posts once.
    if (!(await claims.claim(claimKey(id), SHARE_LEASE_MS).catch(() => false)))
      return void (await reply('This summary is already shared in the channel.'));
    try {
      await this.post(saved);
    } catch (err) {
      const half = err instanceof HalfPosted;
      const code = slackErrorCode(half ? err.cause : err);
      log.warn({ err, code, half }, 'summary could not be shared');
      // Its title stayed in the channel: a second press must not post another one.
      if (half) await claims.complete(claimKey(id), TTL_MS).catch(() => {});
      else await claims.release(claimKey(id)).catch(() => {});
      const why = slackReadText(code, this.deps.botName()) ?? ERROR_TEXT.internal;
      return void (await reply(half ? halfSharedText(why) : why));
    }
    await claims.complete(claimKey(id), TTL_MS).catch(() => {});
    await respond({
      response_type: 'ephemeral',
      replace_original: true,
      text: ':white_check_mark: Shared in the channel.',
    }).catch((err) => log.warn({ err }, 'could not confirm the share'));
  }

  /**
   * The "Save as canvas" button: a standalone canvas tabbed in the summary's channel (only its
   * members can open it), made once whatever the presses and replicas; the person is told where it is.
   * Button presses are not trusted: the presser must be the person who asked for the summary.
   */
  async saveCanvas(body: BlockAction, id: string, respond: RespondFn): Promise<void> {
    const { store, claims, log, canvases } = this.deps;
    const saved = (await store.get(key(id)).catch(() => undefined)) as SavedSummary | undefined;
    const reply = (text: string) =>
      respond({ response_type: 'ephemeral', replace_original: false, text }).catch(() => {});
    if (!saved)
      return void (await reply('This summary has expired. Run `/summarize` again to save a new one.'));
    if (!owns(saved, body))
      return void (await reply('Only the person who asked for this summary can save it as a canvas.'));
    const link = async (canvasId: string) =>
      `<${canvasUrl(await this.deps.workspaceUrl(), saved.teamId, canvasId)}|${mrkdwnText(saved.title)}>`;
    const made = (await store.get(canvasKey(id)).catch(() => undefined)) as string | undefined;
    if (made) return void (await reply(`:page_facing_up: Already saved as a canvas: ${await link(made)}`));
    // One canvas per summary, even for a double click handled by two replicas.
    if (!(await claims.claim(canvasClaim(id), SHARE_LEASE_MS).catch(() => false)))
      return void (await reply('This summary is being saved as a canvas already.'));
    let canvasId: string;
    try {
      canvasId = await canvases.create({
        title: saved.title,
        markdown: summaryCanvas(saved),
        channelId: saved.channelId,
      });
    } catch (err) {
      const code = slackErrorCode(err);
      log.warn({ err, code }, 'summary could not be saved as a canvas');
      await claims.release(canvasClaim(id)).catch(() => {});
      return void (await reply(slackReadText(code, this.deps.botName()) ?? ERROR_TEXT.internal));
    }
    await store.set(canvasKey(id), canvasId, TTL_MS).catch(() => {});
    await claims.complete(canvasClaim(id), TTL_MS).catch(() => {});
    log.info({ canvas: canvasId, channel: saved.channelId }, 'summary saved as a canvas');
    await reply(
      `:page_facing_up: Saved as a canvas in this channel’s tabs: ${await link(canvasId)}. Everyone in the channel can open it.`,
    );
  }
}

/** The summary's title was posted, but neither its text under it nor its removal went through. */
class HalfPosted extends Error {
  constructor(cause: unknown) {
    super('the summary was posted without its text', { cause });
  }
}
