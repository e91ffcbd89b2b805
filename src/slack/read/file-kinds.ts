/**
 * A file as Slack describes it on a message (`files[]` of events, conversations.replies/history).
 * Only the fields read here; all optional, as hostile or partial input may lack any of them.
 * @see https://docs.slack.dev/reference/objects/file-object
 */
export interface SlackFile {
  id: string;
  name?: string;
  mimetype?: string;
  filetype?: string;
  size?: number;
  /** `hosted` (uploaded), `snippet`, `external`, `tombstone` (deleted), `hidden_by_limit`… */
  mode?: string;
  url_private_download?: string;
  original_w?: number;
  original_h?: number;
}

/** Files kept per message: Slack attaches at most 10 to a message; more is not Slack's doing. */
export const MAX_FILES_PER_MESSAGE = 10;
/** Characters of a file name kept (the name is shown to Claude and in notes). */
const MAX_NAME_CHARS = 200;

const str = (v: unknown, max = 2048) => (typeof v === 'string' ? v.slice(0, max) : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The files of a message as plain data: only known fields, bounded in number and length. */
export function fileRefs(raw: unknown): SlackFile[] {
  if (!Array.isArray(raw)) return [];
  const out: SlackFile[] = [];
  for (const f of raw.slice(0, MAX_FILES_PER_MESSAGE)) {
    if (typeof f !== 'object' || f === null) continue;
    const r = f as Record<string, unknown>;
    const id = str(r.id, 64);
    if (!id) continue;
    out.push({
      id,
      name: str(r.name, MAX_NAME_CHARS) ?? str(r.title, MAX_NAME_CHARS),
      mimetype: str(r.mimetype, 128),
      filetype: str(r.filetype, 64),
      size: num(r.size),
      mode: str(r.mode, 32),
      url_private_download: str(r.url_private_download),
      original_w: num(r.original_w),
      original_h: num(r.original_h),
    });
  }
  return out;
}

export type FileKind =
  | { kind: 'image' }
  | { kind: 'pdf' }
  | { kind: 'text' }
  | { kind: 'other'; ext: string };

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp']);
const TEXT_MIME = new Set([
  'application/json',
  'application/x-ndjson',
  'application/xml',
  'application/yaml',
  'application/x-yaml',
  'application/javascript',
  'application/typescript',
  'application/x-sh',
  'application/sql',
]);
/** Slack's `filetype` of text-like files and snippets (source code, data, logs). */
const TEXT_FILETYPES = new Set(
  (
    'text markdown csv tsv json yaml log javascript typescript python shell go java c cpp csharp rust ' +
    'ruby php sql xml html css diff kotlin swift scala perl r dockerfile toml ini'
  )
    .split(' ')
    .filter(Boolean),
);

/** The extension people know a file by: from its name, else Slack's filetype. */
export function extensionOf(f: SlackFile): string {
  const m = /\.([A-Za-z0-9]{1,10})$/.exec(f.name ?? '');
  return (m?.[1] ?? f.filetype ?? 'unknown').toLowerCase();
}

/** What a file is, by what Slack says about it (the bytes are checked once fetched). */
export function kindOf(f: SlackFile): FileKind {
  const mime = (f.mimetype ?? '').toLowerCase();
  const ext = extensionOf(f);
  if (IMAGE_TYPES.has(mime) || (!mime && IMAGE_EXTENSIONS.has(ext))) return { kind: 'image' };
  if (mime === 'application/pdf' || f.filetype === 'pdf' || (!mime && ext === 'pdf')) return { kind: 'pdf' };
  if (mime.startsWith('text/') || TEXT_MIME.has(mime) || f.mode === 'snippet') return { kind: 'text' };
  if (TEXT_FILETYPES.has(f.filetype ?? '') || TEXT_FILETYPES.has(ext)) return { kind: 'text' };
  return { kind: 'other', ext };
}

/** The image formats read (the ones Claude takes). */
export type ImageMediaType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

/** The image type the bytes really are (magic numbers), whatever the file claims. */
export function sniffImage(b: Buffer): ImageMediaType | undefined {
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a)
    return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 6 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6))) return 'image/gif';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP')
    return 'image/webp';
  return undefined;
}

export const isPdf = (b: Buffer) => b.length >= 5 && b.toString('latin1', 0, 5) === '%PDF-';

/** An HTML page where a file was expected: what Slack serves for a file without a valid token. */
export function looksLikeHtml(b: Buffer): boolean {
  const head = b.toString('latin1', 0, 512).trimStart().slice(0, 15).toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
}

/** The bytes as UTF-8 text, or undefined when they are not text (NUL bytes, invalid UTF-8). */
export function asText(b: Buffer): string | undefined {
  if (b.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return undefined;
  }
}
