import { createHash } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import {
  type Attachment,
  fitImage,
  imageBlock,
  imageTokens,
  MAX_PDF_PAGES,
  PDF_TOKENS_PER_PAGE,
  pdfBlock,
  textBlock,
} from '../../claude/attachments.js';
import type { FileMemory } from '../../limits/file-memory.js';
import type { Logger } from '../../platform/logger.js';
import { asText, isPdf, kindOf, looksLikeHtml, pdfPages, type SlackFile, sniffImage } from './file-kinds.js';

/** The FILES_* settings. */
export interface FileLimits {
  /** Bytes of one file; a larger one is named, never downloaded. */
  maxBytes: number;
  /** Files read for one question (the newest). */
  maxFiles: number;
  /** Bytes of all files read for one question. */
  maxTotalBytes: number;
  /** Pages of one PDF. */
  maxPdfPages: number;
}

export interface FileReaderSettings {
  /** The egress fetch (proxy); undefined = the global one. */
  fetch: typeof fetch | undefined;
  /** SLACK_API_URL: its host serves files too (the simulated Slack). */
  apiUrl: string;
  limits: FileLimits;
  log: Logger;
  /** FILES_MEMORY_MAX_BYTES: file bytes the questions of this process hold at once. */
  memory?: FileMemory;
}

/** A file that was not read, and why, in words for the person who shared it. */
export interface FileNote {
  name: string;
  why: string;
}

export interface FilesRead {
  /** By Slack file id. */
  read: Map<string, Attachment>;
  notes: FileNote[];
  /** Gives back the memory the files hold (FILES_MEMORY_MAX_BYTES), once Claude is done with them. */
  release?: () => void;
}

/** While a question waits for file memory, and what ends the wait. */
export interface FileWait {
  onWait?: () => void;
  signal?: AbortSignal;
}

/** How long one download may take. */
const FETCH_TIMEOUT_MS = 20_000;
/** Redirects followed (each to an allowed host only). */
const MAX_REDIRECTS = 2;

const mb = (n: number) => `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
const COULD_NOT_OPEN = 'I couldn’t open that file';
const tokensText = (n: number) => n.toLocaleString('en-US');
const tooLong = (tokens: number, budget: number) =>
  `it is too long for me to read at once (about ${tokensText(tokens)} tokens; I can take about ${tokensText(budget)})`;

type Fetched = { bytes: Buffer; contentType: string } | { why: string };

/**
 * Reads the files people shared in a conversation for Claude, newest first within the limits:
 * fetched with the bot token from `url_private_download`, from Slack's file hosts only (and
 * SLACK_API_URL's host), checked by their bytes, never logged or kept.
 */
export class FileReader {
  private readonly apiHost: string;

  constructor(private readonly s: FileReaderSettings) {
    this.apiHost = new URL(s.apiUrl).host;
  }

  /** Whether a file URL is Slack's: https files.slack.com (or a subdomain), or SLACK_API_URL's host. */
  allowed(url: string | undefined): boolean {
    let u: URL;
    try {
      u = new URL(url ?? '');
    } catch {
      return false;
    }
    if (u.username || u.password) return false;
    if (u.host === this.apiHost && /^https?:$/.test(u.protocol)) return true;
    return (
      u.protocol === 'https:' && (u.hostname === 'files.slack.com' || u.hostname.endsWith('.files.slack.com'))
    );
  }

  /**
   * Reads `files` (newest first) with `token`, spending at most `tokenBudget` tokens. Older files
   * beyond the count, byte or token limits are left out and named in one note.
   */
  async read(
    files: readonly SlackFile[],
    token: string,
    tokenBudget: number,
    wait: FileWait = {},
  ): Promise<FilesRead> {
    const { bytes, ids } = this.toRead(files);
    const release = bytes > 0 ? await this.s.memory?.hold(bytes, wait) : undefined;
    try {
      return { ...(await this.readWithin(files, token, tokenBudget, ids)), ...(release ? { release } : {}) };
    } catch (err) {
      release?.();
      throw err;
    }
  }

  /**
   * The files that may be downloaded (no other one is) and what they weigh, as Slack tells their
   * sizes, before any download: a file of unknown size counts as FILES_MAX_BYTES.
   */
  private toRead(files: readonly SlackFile[]): { bytes: number; ids: Set<string> } {
    const { limits } = this.s;
    const ids = new Set<string>();
    let bytes = 0;
    for (const f of files) {
      if (ids.has(f.id) || ids.size >= limits.maxFiles) continue;
      const size = f.size || limits.maxBytes;
      if (f.mode === 'tombstone' || f.mode === 'hidden_by_limit' || kindOf(f).kind === 'other') continue;
      if (size > limits.maxBytes || bytes + size > limits.maxTotalBytes) continue;
      if (!this.allowed(f.url_private_download)) continue;
      ids.add(f.id);
      bytes += size;
    }
    return { bytes, ids };
  }

  private async readWithin(
    files: readonly SlackFile[],
    token: string,
    tokenBudget: number,
    selected: ReadonlySet<string>,
  ): Promise<FilesRead> {
    const { limits } = this.s;
    const read = new Map<string, Attachment>();
    const notes: FileNote[] = [];
    const leftOut: string[] = [];
    let bytes = 0;
    let tokens = 0;
    const seen = new Set<string>();
    for (const f of files) {
      if (seen.has(f.id)) continue;
      seen.add(f.id);
      const name = f.name || f.id;
      const note = (why: string) => notes.push({ name, why });
      if (f.mode === 'tombstone' || f.mode === 'hidden_by_limit') {
        note('it was deleted or is no longer available');
        continue;
      }
      const kind = kindOf(f);
      if (kind.kind === 'other') {
        note(`I can’t read .${kind.ext} files yet; export it as PDF or paste the text`);
        continue;
      }
      const size = f.size ?? 0;
      if (size > limits.maxBytes) {
        note(`it is larger than ${mb(limits.maxBytes)} (${mb(size)}), so I did not download it`);
        continue;
      }
      // What it will cost, as far as Slack's description says (a PDF's pages are counted once fetched).
      const guess = { image: imageTokens(f.original_w, f.original_h), text: Math.ceil(size / 3), pdf: 0 }[
        kind.kind
      ];
      if (guess > tokenBudget) {
        note(tooLong(guess, tokenBudget));
        continue;
      }
      if (
        read.size >= limits.maxFiles ||
        bytes + size > limits.maxTotalBytes ||
        tokens + guess > tokenBudget
      ) {
        leftOut.push(name);
        continue;
      }
      if (!this.allowed(f.url_private_download)) {
        note(`${COULD_NOT_OPEN} (it is not stored in Slack)`);
        continue;
      }
      // Only the files whose memory is held: one failing to download does not let another in.
      if (!selected.has(f.id)) {
        leftOut.push(name);
        continue;
      }
      const got = await this.fetch(f.url_private_download as string, token, limits.maxBytes);
      if ('why' in got) {
        note(got.why);
        continue;
      }
      const made = await this.attachment(f, name, got.bytes, got.contentType);
      if ('why' in made) {
        note(made.why);
        continue;
      }
      if (made.tokens > tokenBudget) {
        note(tooLong(made.tokens, tokenBudget));
        continue;
      }
      if (tokens + made.tokens > tokenBudget || bytes + got.bytes.length > limits.maxTotalBytes) {
        leftOut.push(name);
        continue;
      }
      bytes += got.bytes.length;
      tokens += made.tokens;
      read.set(f.id, made);
    }
    if (leftOut.length > 0) {
      notes.push({
        name: leftOut.join(', '),
        why: 'older files left out: more than I can read for one answer',
      });
    }
    return { read, notes };
  }

  /** The content block for fetched bytes, or why they cannot be one. */
  private async attachment(
    f: SlackFile,
    name: string,
    b: Buffer,
    contentType: string,
  ): Promise<Attachment | { why: string }> {
    const kind = kindOf(f).kind;
    const declaredHtml = (f.mimetype ?? '').includes('html') || f.filetype === 'html';
    // Without a valid token or scope Slack answers 200 with its HTML login page (LIBRARY-FACTS).
    if ((contentType.includes('text/html') && !declaredHtml) || (looksLikeHtml(b) && !declaredHtml)) {
      return { why: COULD_NOT_OPEN };
    }
    if (b.length === 0) return { why: 'the file is empty' };
    const base = { id: f.id, sha256: createHash('sha256').update(b).digest('hex'), name };
    if (kind === 'image') {
      const type = sniffImage(b);
      if (!type) return { why: `${COULD_NOT_OPEN}: it is not a PNG, JPEG, GIF or WebP image` };
      // Scaled down to what Claude uses (long edge 1,568 px, within 5 MB).
      const fit = await fitImage(type, b);
      if (!fit) return { why: `${COULD_NOT_OPEN}: the image could not be decoded` };
      return {
        ...base,
        block: imageBlock(fit.type, fit.bytes, base.sha256),
        tokens: imageTokens(fit.width, fit.height),
      };
    }
    if (kind === 'pdf') {
      if (!isPdf(b)) return { why: `${COULD_NOT_OPEN}: it is not a PDF` };
      const pages = pdfPages(b);
      const max = Math.min(this.s.limits.maxPdfPages, MAX_PDF_PAGES);
      if (pages > max) return { why: `it has ${pages} pages; I can read PDFs of up to ${max}` };
      return { ...base, block: pdfBlock(name, b, base.sha256), tokens: pages * PDF_TOKENS_PER_PAGE };
    }
    const text = asText(b);
    if (text === undefined) return { why: `${COULD_NOT_OPEN}: it is not text` };
    const t = textBlock(name, text);
    return { ...base, block: t.block, tokens: t.tokens };
  }

  /** Downloads at most `maxBytes` from an allowed host, with the bot token; never throws. */
  private async fetch(url: string, token: string, maxBytes: number): Promise<Fetched> {
    const f = this.s.fetch ?? fetch;
    let at = url;
    try {
      for (let hop = 0; ; hop++) {
        const res = await f(at, {
          headers: { authorization: `Bearer ${token}` },
          redirect: 'manual',
          signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
        });
        if (res.status >= 300 && res.status < 400) {
          await res.body?.cancel();
          const next = new URL(res.headers.get('location') ?? '', at).href;
          if (hop >= MAX_REDIRECTS || !this.allowed(next)) return { why: COULD_NOT_OPEN };
          at = next;
          continue;
        }
        if (res.status === 404 || res.status === 410) {
          await res.body?.cancel();
          return { why: 'it was deleted or is no longer available' };
        }
        if (!res.ok || !res.body) {
          await res.body?.cancel();
          return { why: COULD_NOT_OPEN };
        }
        const tooLarge = { why: `it is larger than ${mb(maxBytes)}` };
        if (Number(res.headers.get('content-length') ?? 0) > maxBytes) {
          await res.body.cancel();
          return tooLarge;
        }
        // Read to the limit, whatever the file claimed to weigh.
        const parts: Uint8Array[] = [];
        let size = 0;
        for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
          size += chunk.byteLength;
          // Leaving the loop cancels the stream: the rest is never downloaded.
          if (size > maxBytes) return tooLarge;
          parts.push(chunk);
        }
        return { bytes: Buffer.concat(parts), contentType: res.headers.get('content-type') ?? '' };
      }
    } catch (err) {
      this.s.log.warn({ err: (err as Error).name }, 'could not download a shared file');
      return { why: COULD_NOT_OPEN };
    }
  }
}

/** The file reader of each Web API client (its token is the one files are fetched with). */
const readers = new WeakMap<WebClient, FileReader>();

/** Lets conversations read with `client` include the files shared in them. */
export function attachFileReader(client: WebClient, reader: FileReader): void {
  readers.set(client, reader);
}

export function fileReaderOf(client: WebClient): FileReader | undefined {
  return readers.get(client);
}
