import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../platform/logger.js';
import { slackErrorCode } from '../web.js';
import {
  asText,
  type ImageMediaType,
  isPdf,
  kindOf,
  looksLikeHtml,
  type SlackFile,
  sniffImage,
} from './file-kinds.js';

/**
 * Where a shared file is downloaded and checked. Slack's side only: which files may be fetched
 * (Slack's file hosts, a size limit), the download itself with the bot token, and whether the bytes
 * are what the file claims (not Slack's login page, the right magic bytes). What Claude makes of
 * the bytes is claude/shared-files.ts's business.
 * @see https://docs.slack.dev/messaging/working-with-files#authenticating
 */

export interface FileDownloadSettings {
  /** The egress fetch (proxy); undefined = the global one. */
  fetch: typeof fetch | undefined;
  /** SLACK_API_URL: its host serves files too (the simulated Slack). */
  apiUrl: string;
  /** FILES_MAX_BYTES: a larger file is named, never downloaded. */
  maxBytes: number;
  log: Logger;
  /** Reads canvases (canvases.getContent); without it a shared canvas is named, not read. */
  canvases?: Pick<WebClient, 'apiCall'>;
}

/**
 * A canvas, as Slack describes it on a message: a file of type `quip` (mimetype
 * `application/vnd.slack-docs`). Its content comes from canvases.getContent, not a download.
 */
export function isCanvas(f: SlackFile): boolean {
  return f.filetype === 'quip' || f.filetype === 'canvas' || f.mimetype === 'application/vnd.slack-docs';
}

/** Why a file was not read, in words for the person who shared it. */
export interface Refusal {
  why: string;
}

/** What a shared file is, as Slack describes it: known before any download. */
export interface FileFacts {
  id: string;
  /** The name people know it by (Slack's id when it has none). */
  name: string;
  kind: 'image' | 'pdf' | 'text';
  /** Bytes, as Slack says; undefined when it did not say. */
  size: number | undefined;
  /** Pixels, for an image whose size Slack knows. */
  width?: number;
  height?: number;
}

/** A downloaded file whose bytes are what it claims to be. */
export type FileBytes =
  | { kind: 'image'; mediaType: ImageMediaType; bytes: Buffer }
  | { kind: 'pdf'; mediaType: 'application/pdf'; bytes: Buffer }
  | { kind: 'text'; mediaType: 'text/plain'; bytes: Buffer; text: string };

/** How long one download may take. */
const FETCH_TIMEOUT_MS = 20_000;
/** Redirects followed (each to an allowed host only). */
const MAX_REDIRECTS = 2;

const mb = (n: number) => `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
const COULD_NOT_OPEN = 'I couldn’t open that file';
const GONE = 'it was deleted or is no longer available';

/**
 * Shared files as Slack serves them: fetched with the bot token from `url_private_download`, from
 * Slack's file hosts only (and SLACK_API_URL's host), checked by their bytes, never logged or kept.
 */
export class SlackFileDownloads {
  private readonly apiHost: string;

  constructor(private readonly s: FileDownloadSettings) {
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

  /** What a file is by Slack's description, or why it will not be downloaded; fetches nothing. */
  describe(f: SlackFile): FileFacts | (Refusal & Pick<FileFacts, 'id' | 'name'>) {
    const named = { id: f.id, name: f.name || f.id };
    if (f.mode === 'tombstone' || f.mode === 'hidden_by_limit') return { ...named, why: GONE };
    // A canvas is read as the markdown Slack gives for it, within the same limits as a text file.
    if (isCanvas(f)) {
      if (!this.s.canvases) return { ...named, why: 'I can’t read canvases here' };
      if (f.size !== undefined && f.size > this.s.maxBytes)
        return {
          ...named,
          why: `it is larger than ${mb(this.s.maxBytes)} (${mb(f.size)}), so I did not read it`,
        };
      return { ...named, kind: 'text', size: f.size };
    }
    const kind = kindOf(f);
    if (kind.kind === 'other') {
      return { ...named, why: `I can’t read .${kind.ext} files yet; export it as PDF or paste the text` };
    }
    const size = f.size;
    if (size !== undefined && size > this.s.maxBytes) {
      const why = `it is larger than ${mb(this.s.maxBytes)} (${mb(size)}), so I did not download it`;
      return { ...named, why };
    }
    if (!this.allowed(f.url_private_download)) {
      return { ...named, why: `${COULD_NOT_OPEN} (it is not stored in Slack)` };
    }
    return {
      ...named,
      kind: kind.kind,
      size,
      ...(f.original_w && f.original_h ? { width: f.original_w, height: f.original_h } : {}),
    };
  }

  /** Downloads a file with `token` and checks its bytes are what it claims; never throws. */
  async download(f: SlackFile, token: string): Promise<FileBytes | Refusal> {
    const facts = this.describe(f);
    if ('why' in facts) return { why: facts.why };
    if (isCanvas(f)) return this.canvas(f);
    const got = await this.fetch(f.url_private_download as string, token);
    if ('why' in got) return got;
    return checked(f, facts.kind, got.bytes, got.contentType);
  }

  /**
   * A canvas's whole content as markdown (canvases.getContent, the bot's own view of it: Slack
   * answers canvas_not_found for a canvas the bot cannot view), within FILES_MAX_BYTES; never throws.
   * @see https://docs.slack.dev/reference/methods/canvases.getContent
   */
  private async canvas(f: SlackFile): Promise<FileBytes | Refusal> {
    let content: unknown;
    try {
      const r = await this.s.canvases?.apiCall('canvases.getContent', {
        canvas_id: f.id,
        content_type: 'markdown',
      });
      content = (r as { content?: unknown } | undefined)?.content;
    } catch (err) {
      const code = slackErrorCode(err);
      if (code === 'canvas_not_found') return { why: 'I can’t see that canvas (it is not shared with me)' };
      if (code === 'missing_scope') return { why: 'reading canvases needs the canvases:read permission' };
      this.s.log.warn({ code }, 'could not read a shared canvas');
      return { why: COULD_NOT_OPEN };
    }
    if (typeof content !== 'string' || content.trim() === '') return { why: 'the canvas is empty' };
    const bytes = Buffer.from(content, 'utf8');
    if (bytes.length > this.s.maxBytes) return { why: `it is larger than ${mb(this.s.maxBytes)}` };
    return { kind: 'text', mediaType: 'text/plain', bytes, text: content };
  }

  /** Downloads at most FILES_MAX_BYTES from an allowed host, with the bot token; never throws. */
  private async fetch(url: string, token: string): Promise<{ bytes: Buffer; contentType: string } | Refusal> {
    const f = this.s.fetch ?? fetch;
    const maxBytes = this.s.maxBytes;
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
          return { why: GONE };
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

/** The bytes as the kind the file claims, or why they are not. */
function checked(f: SlackFile, kind: FileFacts['kind'], b: Buffer, contentType: string): FileBytes | Refusal {
  const declaredHtml = (f.mimetype ?? '').includes('html') || f.filetype === 'html';
  // Without a valid token or scope Slack answers 200 with its HTML login page (LIBRARY-FACTS).
  if ((contentType.includes('text/html') || looksLikeHtml(b)) && !declaredHtml)
    return { why: COULD_NOT_OPEN };
  if (b.length === 0) return { why: 'the file is empty' };
  if (kind === 'image') {
    const mediaType = sniffImage(b);
    if (!mediaType) return { why: `${COULD_NOT_OPEN}: it is not a PNG, JPEG, GIF or WebP image` };
    return { kind, mediaType, bytes: b };
  }
  if (kind === 'pdf') {
    if (!isPdf(b)) return { why: `${COULD_NOT_OPEN}: it is not a PDF` };
    return { kind, mediaType: 'application/pdf', bytes: b };
  }
  const text = asText(b);
  if (text === undefined) return { why: `${COULD_NOT_OPEN}: it is not text` };
  return { kind, mediaType: 'text/plain', bytes: b, text };
}
