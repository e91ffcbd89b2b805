import { randomUUID } from 'node:crypto';
import type { BlockAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type Keyv from 'keyv';
import type { ClaimStore } from '../../limits/claims.js';
import type { Logger } from '../../platform/logger.js';
import type { UserDirectory } from '../../slack/read/directory.js';
import { callOnce, slackErrorCode } from '../../slack/web.js';
import { type CanvasWriter, canvasUrl } from '../../slack/write/canvas.js';
import { slackReadText } from '../failure-text.js';
import { type Language, languageWithin, TEXTS } from '../language.js';
import { SUMMARY_EVENT_TYPE } from './read-channel.js';
import { mrkdwnText, publicParent, publicReply } from './texts.js';

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
  /** The asker's language: the public post and the buttons' replies speak it (unset: English). */
  lang?: Language;
}

const TTL_MS = 24 * 60 * 60 * 1000;
/** Longest a share may take (two posts); a replica that dies meanwhile frees it after this. */
const SHARE_LEASE_MS = 60_000;
const key = (id: string) => `summary-share:${id}`;
const claimKey = (id: string) => `shared:${id}`;
const canvasKey = (id: string) => `summary-canvas:${id}`;
const canvasClaim = (id: string) => `canvas:${id}`;
/** The longest a button's reply waits for the presser's language when the summary is gone. */
const LOCALE_WAIT_MS = 1000;

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
        ...publicParent(s.title, requester, s.coverage, TEXTS[s.lang ?? 'en'].summaries),
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
    const { claims, log } = this.deps;
    const pressed = await this.pressed(body, id, respond, 'share');
    if (!pressed) return;
    const { saved, reply, texts } = pressed;
    const t = texts.summaries;
    // An atomic claim before posting: a double click, even on two replicas, posts once.
    if (!(await claims.claim(claimKey(id), SHARE_LEASE_MS).catch(() => false)))
      return void (await reply(t.alreadyShared));
    try {
      await this.post(saved);
    } catch (err) {
      const half = err instanceof HalfPosted;
      const code = slackErrorCode(half ? err.cause : err);
      log.warn({ err, code, half }, 'summary could not be shared');
      // Its title stayed in the channel: a second press must not post another one.
      if (half) await claims.complete(claimKey(id), TTL_MS).catch(() => {});
      else await claims.release(claimKey(id)).catch(() => {});
      const why = slackReadText(code, this.deps.botName()) ?? texts.errors.internal;
      return void (await reply(half ? t.halfShared(why) : why));
    }
    await claims.complete(claimKey(id), TTL_MS).catch(() => {});
    await respond({
      response_type: 'ephemeral',
      replace_original: true,
      text: `:white_check_mark: ${t.shared}`,
    }).catch((err) => log.warn({ err }, 'could not confirm the share'));
  }

  /**
   * The "Save as canvas" button: a standalone canvas tabbed in the summary's channel (only its
   * members can open it), made once whatever the presses and replicas; the person is told where it is.
   * Button presses are not trusted: the presser must be the person who asked for the summary.
   */
  async saveCanvas(body: BlockAction, id: string, respond: RespondFn): Promise<void> {
    const { store, claims, log, canvases } = this.deps;
    const pressed = await this.pressed(body, id, respond, 'canvas');
    if (!pressed) return;
    const { saved, reply, texts } = pressed;
    const t = texts.summaries;
    const link = async (canvasId: string) =>
      `<${canvasUrl(await this.deps.workspaceUrl(), saved.teamId, canvasId)}|${mrkdwnText(saved.title)}>`;
    const made = (await store.get(canvasKey(id)).catch(() => undefined)) as string | undefined;
    if (made) return void (await reply(`:page_facing_up: ${t.alreadyCanvas(await link(made))}`));
    // One canvas per summary, even for a double click handled by two replicas.
    if (!(await claims.claim(canvasClaim(id), SHARE_LEASE_MS).catch(() => false)))
      return void (await reply(t.canvasBusy));
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
      return void (await reply(slackReadText(code, this.deps.botName()) ?? texts.errors.internal));
    }
    await store.set(canvasKey(id), canvasId, TTL_MS).catch(() => {});
    await claims.complete(canvasClaim(id), TTL_MS).catch(() => {});
    log.info({ canvas: canvasId, channel: saved.channelId }, 'summary saved as a canvas');
    await reply(`:page_facing_up: ${t.savedCanvas(await link(canvasId))}`);
  }

  /**
   * The saved summary a button press names, a way to answer the presser and the words to answer
   * in, when the presser is the person who asked for it (button presses are not trusted); else
   * they are told why not, and undefined.
   */
  private async pressed(body: BlockAction, id: string, respond: RespondFn, button: 'share' | 'canvas') {
    const saved = (await this.deps.store.get(key(id)).catch(() => undefined)) as SavedSummary | undefined;
    const reply = (text: string) =>
      respond({ response_type: 'ephemeral', replace_original: false, text }).catch(() => {});
    const texts = await this.textsOf(saved, body);
    const t = texts.summaries;
    if (!saved) return void (await reply(button === 'share' ? t.shareExpired : t.canvasExpired));
    if (!owns(saved, body))
      return void (await reply(button === 'share' ? t.shareNotOwner : t.canvasNotOwner));
    return { saved, reply, texts };
  }

  /**
   * The words for a button's replies: the summary's own language when the presser asked for it,
   * else the presser's (a summary expired, or someone else's).
   */
  private async textsOf(saved: SavedSummary | undefined, body: BlockAction) {
    if (saved?.lang && owns(saved, body)) return TEXTS[saved.lang];
    return TEXTS[await languageWithin(this.deps.directory.locale(body.user.id), LOCALE_WAIT_MS)];
  }
}

/** The summary's title was posted, but neither its text under it nor its removal went through. */
class HalfPosted extends Error {
  constructor(cause: unknown) {
    super('the summary was posted without its text', { cause });
  }
}
