import type { Block, WebClient } from '@slack/web-api';
import type { Logger } from '../../platform/logger.js';
import { MAX_PART_CHARS, MAX_STREAM_BYTES } from '../limits.js';
import { callOnce, slackErrorCode } from '../web.js';
import { feedbackBlock } from './feedback.js';
import { createStreamFormatter, escapeMrkdwn, notificationText } from './format.js';
import { ENGLISH_REPLY_TEXTS } from './notes.js';
import type { ReplySink, ReplyTarget, ReplyTexts } from './sink.js';
import { type PartRoom, prefixWithin, splitAtRoom } from './split.js';
import { FULL, NO_STREAMING, STREAM_ENDED } from './stream-errors.js';
import type { StreamPacer } from './stream-pacer.js';
import { ThreadStatus } from './thread-status.js';
import type { WriteQuota } from './write-quota.js';

export type { ReplySink, ReplyTarget } from './sink.js';

/** Slack renders chat.update of a markdown block; edits faster than this gain nothing. */
const FALLBACK_UPDATE_MS = 1000;

/**
 * A posted (not streamed) answer waits this long after its first text before its first post: a
 * short answer is then posted once, whole, with its buttons, instead of posted and edited.
 */
const FIRST_POST_DELAY_MS = 1000;

interface Part {
  ts?: string;
  text: string;
  streaming: boolean;
  /** The answer's final blocks (feedback buttons) are on it already. */
  final?: boolean;
}

/**
 * Writes one answer into a Slack thread as Claude produces it: chat streaming when available,
 * otherwise a message edited about once a second. Long answers continue in new messages; a
 * stream Slack ended early continues in a new message; no text is dropped.
 */
export class SlackReply implements ReplySink {
  /** The bot's own words (notes, labels): the asker's language once the feature says (speak). */
  private texts: ReplyTexts = ENGLISH_REPLY_TEXTS;
  /** Blocks under the end of the answer (feedback buttons), set by offerFeedback. */
  private finalBlocks: Block[] | undefined;
  /** Small print under the answer (footnote), before the feedback buttons. */
  private readonly footnotes: Block[] = [];
  /** People the answer may ping: those who wrote in the conversation (see allowMentions). */
  private readonly people = new Set<string>();
  private nameOf: ((userId: string) => string | undefined) | undefined;
  private formatter = createStreamFormatter({
    mentionable: (id) => this.people.has(id) || id === this.target.userId,
    nameOf: (id) => this.nameOf?.(id),
  });
  private pending = '';
  private part: Part | undefined;
  private shownChars = 0;
  private useStreaming = true;
  private readonly status: ThreadStatus;
  private pump: Promise<void> | undefined;
  /** Set by finish(): the writer stops pacing and leaves the rest to it. */
  private finishing = false;
  /** Ends the writer's pacing wait early. */
  private wake: (() => void) | undefined;
  private lastFlushAt = 0;
  /** When the first text arrived. */
  private firstTextAt = 0;
  /** A stream start was taken from the workspace's budget for the next part (see flush). */
  private startTaken = false;
  /** Set once text is written: only answers writing count against the shared append budget. */
  private closePacer: (() => void) | undefined;
  private writeError: unknown;
  /** A progress edit's budget was taken before the write that uses it (see flush). */
  private prepaidUpdate = false;

  constructor(
    private readonly client: WebClient,
    private readonly target: ReplyTarget,
    private readonly pacer: StreamPacer,
    private readonly log: Logger,
    /** Put on this reply's log lines (the event's reference). */
    private readonly ref: string,
    /** Told the ts of every message this reply creates (so another process can replace them). */
    private readonly onMessage?: (ts: string) => void,
  ) {
    this.status = new ThreadStatus({ client, where: target, log, ref, quota: pacer.quota }, (ts) =>
      this.created(ts),
    );
  }

  /** Text visible in Slack so far (for tests and logs). */
  get visibleChars(): number {
    return this.shownChars;
  }

  /** Shows a status in the thread (see ThreadStatus); nothing is written before it is done. */
  thinking(status?: string): Promise<void> {
    return this.part ? Promise.resolve() : this.status.show(status);
  }

  /** Titles the thread's agent session (a DM's question), once its status is set. */
  async title(text: string): Promise<void> {
    await this.status.settled();
    await this.status.session.rename(text);
  }

  /** The answer's last message gets Slack's feedback buttons. */
  speak(texts: ReplyTexts): void {
    this.texts = texts;
  }

  offerFeedback(profile?: string): void {
    this.finalBlocks = [...this.footnotes, feedbackBlock(this.ref, profile, this.texts)];
  }

  footnote(text: string): void {
    const block = { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(text) }] } as Block;
    this.footnotes.push(block);
    this.finalBlocks = [...this.footnotes, ...(this.finalBlocks ?? []).filter((b) => b.type !== 'context')];
  }

  /**
   * The answer may ping these people (those in the conversation) and whoever asked; any other user
   * mention becomes their name as text (`nameOf`), so the model cannot ping someone from outside.
   */
  allowMentions(userIds: Iterable<string>, nameOf?: (userId: string) => string | undefined): void {
    for (const id of userIds) this.people.add(id);
    this.nameOf = nameOf;
  }

  append(delta: string): void {
    this.firstTextAt ||= Date.now();
    this.closePacer ??= this.pacer.open(this.target.teamId);
    this.pending += this.formatter.push(delta);
    this.schedule();
  }

  /**
   * Ends the status and the pacing: the writer stops at its next turn (a write in progress
   * completes) and leaves what is held to the caller.
   */
  private async wrapUp(): Promise<void> {
    this.status.end();
    await this.status.settled();
    this.pending += this.formatter.end();
    this.finishing = true;
    this.wake?.();
    await this.drain(false);
  }

  async finish(): Promise<void> {
    // What is left goes with chat.stopStream when it fits the streaming message: one call instead
    // of an append and a stop, and no wait for the append pacing, which stopStream does not count.
    await this.wrapUp();
    if (this.part?.streaming && !this.writeError && this.fits(this.pending)) {
      const tail = this.pending;
      this.pending = '';
      await this.endPart(tail);
    }
    await this.drain(true);
    if (this.shownChars === 0 && !this.part) {
      await this.postWhole('_(Claude returned an empty answer.)_');
    }
    await this.endPart();
    this.closePacer?.();
    await this.status.session.done();
    if (this.writeError) throw this.writeError;
  }

  async stopped(): Promise<void> {
    await this.wrapUp().catch(() => {});
    // Slack already stopped the stream (the stop button): the mark goes in a message of its own.
    this.pending += this.shownChars > 0 ? `\n\n${this.texts.stopped}` : this.texts.stopped;
    await this.drain(true).catch(() => {});
    await this.endPart().catch(() => {});
    this.closePacer?.();
    await this.status.session.done();
  }

  async fail(text: string): Promise<void> {
    this.status.end();
    await this.status.settled();
    this.pending += this.formatter.end();
    await this.drain(true).catch(() => {});
    this.closePacer?.();
    if (this.part && this.shownChars > 0) {
      // Keep what was shown and say it is incomplete, then the reason.
      this.pending = `\n\n${this.texts.interrupted}`;
      await this.drain(true).catch(() => {});
      await this.endPart().catch(() => {});
      await this.postWhole(text);
      await this.status.session.done();
      return;
    }
    await this.endPart().catch(() => {});
    const placeholder = this.status.takePlaceholder();
    if (placeholder) {
      await this.takeUpdate();
      await callOnce(() =>
        this.client.chat.update({ channel: this.target.channel, ts: placeholder, text, blocks: [] }),
      );
      await this.status.session.done();
      return;
    }
    await this.postWhole(text);
    await this.status.session.done();
  }

  private schedule(): void {
    if (this.pump || !this.pending) return;
    this.pump = (async () => {
      while (this.pending && !this.finishing) {
        const wait = this.lastFlushAt + this.intervalMs() - Date.now();
        if (wait > 0 && (this.part || !this.useStreaming)) await this.pause(wait);
        if (this.finishing) break;
        await this.flush(true);
      }
    })()
      .catch((err) => {
        this.writeError = err;
        this.log.error(
          { ref: this.ref, err, code: slackErrorCode(err) },
          'could not write the answer to Slack',
        );
      })
      .finally(() => {
        this.pump = undefined;
      });
  }

  /** Waits `ms`, or less when finish() calls `wake`. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = undefined;
    });
  }

  private intervalMs(): number {
    return this.useStreaming ? this.pacer.intervalMs(this.target.teamId) : FALLBACK_UPDATE_MS;
  }

  /** Waits for the writer; with `force`, writes what is left without pacing. */
  private async drain(force: boolean): Promise<void> {
    while (this.pump) await this.pump;
    if (force && this.pending && !this.writeError) await this.flush();
  }

  /**
   * Sends `pending`, splitting at part boundaries. A `progress` flush of a posted message (post and
   * update) goes only when the workspace's edit budget has room; otherwise the text waits for the
   * next turn or the end of the answer.
   */
  private async flush(progress = false): Promise<void> {
    await this.status.settled();
    this.lastFlushAt = Date.now();
    // Stream or post: decided before the first write, so a posted answer can wait for more text.
    if (this.useStreaming && !this.part && !this.startTaken) {
      if (await this.quota.tryStart(this.target.teamId)) this.startTaken = true;
      else this.noStreamStart('no stream start left');
    }
    if (progress && !this.useStreaming && !this.part) {
      if (Date.now() - this.firstTextAt < FIRST_POST_DELAY_MS) return;
    } else if (progress && !this.useStreaming && this.part?.ts && !this.part.streaming) {
      if (!(await this.quota.update(this.target.teamId, false))) return;
      this.prepaidUpdate = true;
    }
    try {
      await this.flushAll();
    } finally {
      this.prepaidUpdate = false;
    }
  }

  private async flushAll(): Promise<void> {
    while (this.pending) {
      const room = this.room();
      if (this.fits(this.pending, room)) {
        const chunk = this.pending;
        this.pending = '';
        await this.write(chunk);
        return;
      }
      const { head, tail } = splitAtRoom(this.part?.text ?? '', this.pending, room);
      this.pending = tail;
      if (head) await this.write(head);
      await this.endPart();
    }
  }

  /** What the current message (or the next one) can still take. */
  private room(): PartRoom {
    const text = this.part?.text ?? '';
    // Slack caps a streamed message in bytes too; a posted one only in characters.
    const bytes = (this.part?.streaming ?? this.useStreaming) ? MAX_STREAM_BYTES : Number.POSITIVE_INFINITY;
    return { chars: MAX_PART_CHARS - text.length, bytes: bytes - Buffer.byteLength(text) };
  }

  private fits(text: string, room = this.room()): boolean {
    return prefixWithin(text, room) === text.length;
  }

  private async write(chunk: string): Promise<void> {
    if (this.useStreaming) {
      try {
        if (await this.writeStream(chunk)) return;
      } catch (err) {
        const code = slackErrorCode(err);
        if (code && (STREAM_ENDED.has(code) || code === FULL) && this.part?.ts) {
          this.log.info({ ref: this.ref, code }, 'stream ended or full; continuing in a new message');
          // A full message still streams: stop it.
          if (code === FULL) await this.endPart();
          this.part = undefined;
          if (await this.writeStream(chunk)) return;
          return this.writeUpdate(chunk);
        }
        if (!this.part && code && NO_STREAMING.has(code)) {
          this.log.info({ ref: this.ref, code }, 'chat streaming unavailable; using post and update');
          this.useStreaming = false;
        } else {
          throw err;
        }
      }
    }
    await this.writeUpdate(chunk);
  }

  private get quota(): WriteQuota {
    return this.pacer.quota;
  }

  /**
   * Streams `chunk`: appends to the current stream, or starts one. Returns false, having written
   * nothing, when the workspace has no stream start left this minute (or Slack says so): the answer
   * goes on as a posted message, so nobody waits out a Retry-After.
   */
  private async writeStream(chunk: string): Promise<boolean> {
    if (!this.part) {
      const team = this.target.teamId;
      if (!this.startTaken && !(await this.quota.tryStart(team)))
        return this.noStreamStart('no stream start left');
      this.startTaken = false;
      let r: Awaited<ReturnType<WebClient['chat']['startStream']>>;
      try {
        r = await this.client.chat.startStream({
          channel: this.target.channel,
          thread_ts: this.target.threadTs,
          recipient_team_id: team,
          recipient_user_id: this.target.userId,
          markdown_text: chunk,
        });
      } catch (err) {
        if (slackErrorCode(err) !== 'ratelimited') throw err;
        await this.quota.startsSpent(team, (err as { retryAfter?: number }).retryAfter);
        return this.noStreamStart('Slack refused a stream start (ratelimited)');
      }
      this.part = { ts: r.ts, text: chunk, streaming: true };
      this.created(r.ts);
      this.shownChars += chunk.length;
      await this.status.dropPlaceholder();
      return true;
    }
    const ts = this.part.ts as string;
    await callOnce(() =>
      this.client.chat.appendStream({ channel: this.target.channel, ts, markdown_text: chunk }),
    );
    this.part.text += chunk;
    this.shownChars += chunk.length;
    return true;
  }

  private noStreamStart(why: string): false {
    this.log.info({ ref: this.ref, team: this.target.teamId }, `${why} this minute; using post and update`);
    this.useStreaming = false;
    return false;
  }

  /** Takes an edit from the workspace's budget, unless flush took it already. */
  private async takeUpdate(): Promise<void> {
    if (this.prepaidUpdate) {
      this.prepaidUpdate = false;
      return;
    }
    await this.quota.update(this.target.teamId, true);
  }

  /** The final blocks when the text being written is the answer's last. */
  private lastBlocks(): Block[] | undefined {
    return this.finishing && !this.pending && !this.writeError ? this.finalBlocks : undefined;
  }

  private async writeUpdate(chunk: string): Promise<void> {
    const text = (this.part?.text ?? '') + chunk;
    // The answer's last text carries its final blocks: no second edit to add them.
    const last = this.lastBlocks();
    const body = {
      text: notificationText(text),
      blocks: [{ type: 'markdown', text }, ...(last ?? [])],
    };
    // The placeholder, if any, becomes the answer's first message.
    const placeholder = this.part ? undefined : this.status.takePlaceholder();
    if (this.part?.ts) {
      await this.takeUpdate();
      await callOnce(() =>
        this.client.chat.update({ channel: this.target.channel, ts: this.part?.ts as string, ...body }),
      );
    } else if (placeholder) {
      await this.takeUpdate();
      await callOnce(() =>
        this.client.chat.update({ channel: this.target.channel, ts: placeholder, ...body }),
      );
      this.part = { ts: placeholder, text: '', streaming: false };
    } else {
      await this.quota.post(this.target.teamId, this.target.channel);
      const r = await callOnce(() =>
        this.client.chat.postMessage({
          channel: this.target.channel,
          thread_ts: this.target.threadTs,
          ...body,
        }),
      );
      this.part = { ts: r.ts, text: '', streaming: false };
      this.created(r.ts);
    }
    (this.part as Part).text = text;
    if (last) (this.part as Part).final = true;
    this.shownChars += chunk.length;
  }

  /** Ends the current message; a streaming one can take a last piece of text (`tail`) with it. */
  private async endPart(tail = ''): Promise<void> {
    const part = this.part;
    this.part = undefined;
    // The answer's last message carries the final blocks (feedback buttons).
    const last = this.lastBlocks();
    if (part?.ts && !part.streaming && last && !part.final) {
      const blocks = [{ type: 'markdown', text: part.text }, ...last];
      await this.takeUpdate();
      await callOnce(() =>
        this.client.chat.update({
          channel: this.target.channel,
          ts: part.ts as string,
          text: notificationText(part.text),
          blocks,
        }),
      );
      return;
    }
    if (!part?.streaming || !part.ts) return;
    try {
      await this.quota.stop(this.target.teamId);
      await callOnce(() =>
        this.client.chat.stopStream({
          channel: this.target.channel,
          ts: part.ts as string,
          ...(tail ? { markdown_text: tail } : {}),
          ...(last ? { blocks: last } : {}),
        }),
      );
      this.status.session.streamStopped();
      part.text += tail;
      this.shownChars += tail.length;
    } catch (err) {
      const code = slackErrorCode(err) ?? '';
      // Full: stopped without the tail. Already stopped by Slack: the text it holds is final.
      // Either way the tail goes in a new message.
      if (code === FULL && tail) {
        this.part = part;
        await this.endPart();
      } else if (!STREAM_ENDED.has(code)) {
        throw err;
      }
      if (tail) {
        this.log.info({ ref: this.ref }, 'stream ended by Slack; continuing in a new message');
        this.pending = tail + this.pending;
        await this.flush();
        await this.endPart();
      }
    }
  }

  private async postWhole(text: string): Promise<void> {
    await this.quota.post(this.target.teamId, this.target.channel);
    const r = await callOnce(() =>
      this.client.chat.postMessage({
        channel: this.target.channel,
        thread_ts: this.target.threadTs,
        text: notificationText(text),
        blocks: [{ type: 'markdown', text }],
      }),
    );
    this.created(r.ts);
    await this.status.dropPlaceholder();
  }

  private created(ts: string | undefined): void {
    if (ts) this.onMessage?.(ts);
  }
}
