import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Files shared in the simulated workspace, served the way Slack serves `url_private_download`:
 * the bytes only to a request carrying the bot token with the `files:read` scope; any other request
 * gets **200 with an HTML login page**, not an error; a deleted file is 404.
 * @see LIBRARY-FACTS.md "Slack in the field" (Files)
 * @see https://docs.slack.dev/messaging/working-with-files#authenticating
 */

/** The page Slack answers a file request without a valid token with (status 200). */
export const LOGIN_PAGE =
  '<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to Slack</body></html>';

/** A file as Slack describes it on a message (the fields the bot reads, and a few more). */
export interface SimFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  size: number;
  mode: string;
  url_private: string;
  url_private_download: string;
  permalink: string;
  original_w?: number;
  original_h?: number;
}

interface Stored {
  file: SimFile;
  bytes: Buffer;
  deleted: boolean;
}

/** Where file bytes are served: /files-pri/<team>-<file id>/download/<name>. */
const PREFIX = '/files-pri/';

export class SimFiles {
  private readonly files = new Map<string, Stored>();
  private next = 1;
  /** Download requests received, for tests (who asked, with which outcome). */
  readonly downloads: { id: string; served: 'bytes' | 'login' | 'missing' }[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly teamId: string,
  ) {}

  /**
   * Stores a file and returns its description. `size` may be given to describe a file larger than
   * its bytes (a file too large to fetch). `url` replaces the download URL (a hostile event).
   */
  add(f: {
    name: string;
    mimetype: string;
    bytes: Buffer;
    filetype?: string;
    size?: number;
    width?: number;
    height?: number;
    url?: string;
  }): SimFile {
    const id = `F0SIM${String(this.next++).padStart(4, '0')}`;
    const path = `${PREFIX}${this.teamId}-${id}/download/${encodeURIComponent(f.name)}`;
    const file: SimFile = {
      id,
      name: f.name,
      title: f.name,
      mimetype: f.mimetype,
      filetype: f.filetype ?? (/\.([a-z0-9]+)$/i.exec(f.name)?.[1] ?? 'binary').toLowerCase(),
      size: f.size ?? f.bytes.length,
      mode: 'hosted',
      url_private: `${this.baseUrl}${PREFIX}${this.teamId}-${id}/${encodeURIComponent(f.name)}`,
      url_private_download: f.url ?? `${this.baseUrl}${path}`,
      permalink: `${this.baseUrl}/files/${this.teamId}/${id}/${encodeURIComponent(f.name)}`,
      ...(f.width && f.height ? { original_w: f.width, original_h: f.height } : {}),
    };
    this.files.set(id, { file, bytes: f.bytes, deleted: false });
    return file;
  }

  /** Replaces a file's bytes (an edited snippet): same id, new content. */
  edit(id: string, bytes: Buffer): void {
    const s = this.files.get(id);
    if (!s) throw new Error(`no file ${id}`);
    s.bytes = bytes;
    s.file.size = bytes.length;
  }

  delete(id: string): void {
    const s = this.files.get(id);
    if (s) s.deleted = true;
  }

  /** Serves a download when `url` is a file path; false when it is not one. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, granted: (token: string) => boolean): boolean {
    if (!url.pathname.startsWith(PREFIX)) return false;
    const id = /^\/files-pri\/[A-Z0-9]+-([A-Z0-9]+)\//.exec(url.pathname)?.[1] ?? '';
    const stored = this.files.get(id);
    if (!stored || stored.deleted) {
      this.downloads.push({ id, served: 'missing' });
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('file_not_found');
      return true;
    }
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !granted(auth.slice(7))) {
      this.downloads.push({ id, served: 'login' });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(LOGIN_PAGE);
      return true;
    }
    this.downloads.push({ id, served: 'bytes' });
    res.writeHead(200, {
      'content-type': stored.file.mimetype,
      'content-length': stored.bytes.length,
    });
    res.end(stored.bytes);
    return true;
  }
}
