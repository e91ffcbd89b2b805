import { type Attachment, attachment, type FileContent, imageTokens } from './attachments.js';

/**
 * The files people shared in a conversation, read for Claude: which ones (newest first, within the
 * count, byte, token and memory limits), and what each becomes (attachments.ts). The download and
 * its checks are the file source's (slack/read/files.ts); nothing here knows Slack.
 */

/** What a shared file is, by its description (no download). */
export interface FileFacts {
  id: string;
  name: string;
  kind: FileContent['kind'];
  size: number | undefined;
  width?: number;
  height?: number;
}

/** A file its description rules out, and why, in words for the person who shared it. */
type Refused = Pick<FileFacts, 'id' | 'name'> & { why: string };

/** Where the files come from, and their checked bytes. `F` is the source's own description of a file. */
export interface FileSource<F> {
  describe(f: F): FileFacts | Refused;
  download(f: F, token: string): Promise<FileContent | { why: string }>;
}

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

/** The file memory of the process (limits/file-memory.ts): a question holds its files' bytes. */
export interface FileMemoryHold {
  hold(bytes: number, opts: FileWait): Promise<() => void>;
}

export interface FileWait {
  onWait?: () => void;
  signal?: AbortSignal;
}

export interface FileNote {
  name: string;
  why: string;
}

export interface SharedFilesRead {
  /** By file id. */
  read: Map<string, Attachment>;
  notes: FileNote[];
  /** Gives back the memory the files hold, once Claude is done with them. */
  release?: () => void;
}

export interface SharedFileReaderSettings<F> {
  source: FileSource<F>;
  limits: FileLimits;
  /** FILES_MEMORY_MAX_BYTES: held from before the download until Claude is done with the files. */
  memory?: FileMemoryHold;
}

const tokensText = (n: number) => n.toLocaleString('en-US');
const tooLong = (tokens: number, budget: number) =>
  `it is too long for me to read at once (about ${tokensText(tokens)} tokens; I can take about ${tokensText(budget)})`;

/** Reads shared files for Claude; one per process, shared by every question. */
export class SharedFileReader<F> {
  constructor(private readonly s: SharedFileReaderSettings<F>) {}

  /**
   * Reads `files` (newest first) with `token`, spending at most `tokenBudget` tokens. Older files
   * beyond the count, byte or token limits are left out and named in one note.
   */
  async read(
    files: readonly F[],
    token: string,
    tokenBudget: number,
    wait: FileWait = {},
  ): Promise<SharedFilesRead> {
    const described = files.map((f) => ({ f, facts: this.s.source.describe(f) }));
    const { bytes, ids } = this.toRead(described.map((d) => d.facts));
    const release = bytes > 0 ? await this.s.memory?.hold(bytes, wait) : undefined;
    try {
      return {
        ...(await this.readWithin(described, token, tokenBudget, ids)),
        ...(release ? { release } : {}),
      };
    } catch (err) {
      release?.();
      throw err;
    }
  }

  /**
   * The files that may be downloaded (no other one is) and what they weigh, as their descriptions
   * say, before any download: a file of unknown size counts as FILES_MAX_BYTES.
   */
  private toRead(all: readonly (FileFacts | Refused)[]): { bytes: number; ids: Set<string> } {
    const { limits } = this.s;
    const ids = new Set<string>();
    let bytes = 0;
    for (const f of all) {
      if ('why' in f || ids.has(f.id) || ids.size >= limits.maxFiles) continue;
      const size = f.size || limits.maxBytes;
      if (bytes + size > limits.maxTotalBytes) continue;
      ids.add(f.id);
      bytes += size;
    }
    return { bytes, ids };
  }

  private async readWithin(
    files: readonly { f: F; facts: FileFacts | Refused }[],
    token: string,
    tokenBudget: number,
    selected: ReadonlySet<string>,
  ): Promise<Omit<SharedFilesRead, 'release'>> {
    const { limits } = this.s;
    const read = new Map<string, Attachment>();
    const notes: FileNote[] = [];
    const leftOut: string[] = [];
    const seen = new Set<string>();
    let bytes = 0;
    let tokens = 0;
    for (const { f, facts } of files) {
      if (seen.has(facts.id)) continue;
      seen.add(facts.id);
      const { name } = facts;
      if ('why' in facts) {
        notes.push({ name, why: facts.why });
        continue;
      }
      const size = facts.size ?? 0;
      // What it will cost, as far as the description says (a PDF's pages are counted once fetched).
      const guess = { image: imageTokens(facts.width, facts.height), text: Math.ceil(size / 3), pdf: 0 }[
        facts.kind
      ];
      if (guess > tokenBudget) {
        notes.push({ name, why: tooLong(guess, tokenBudget) });
        continue;
      }
      // Only the files whose memory is held: one failing to download does not let another in.
      if (
        !selected.has(facts.id) ||
        read.size >= limits.maxFiles ||
        bytes + size > limits.maxTotalBytes ||
        tokens + guess > tokenBudget
      ) {
        leftOut.push(name);
        continue;
      }
      const got = await this.s.source.download(f, token);
      if ('why' in got) {
        notes.push({ name, why: got.why });
        continue;
      }
      const made = await attachment(facts, got, limits.maxPdfPages);
      if ('why' in made) {
        notes.push({ name, why: made.why });
        continue;
      }
      if (made.tokens > tokenBudget) {
        notes.push({ name, why: tooLong(made.tokens, tokenBudget) });
        continue;
      }
      if (tokens + made.tokens > tokenBudget || bytes + got.bytes.length > limits.maxTotalBytes) {
        leftOut.push(name);
        continue;
      }
      bytes += got.bytes.length;
      tokens += made.tokens;
      read.set(facts.id, made);
    }
    if (leftOut.length > 0) {
      notes.push({
        name: leftOut.join(', '),
        why: 'older files left out: more than I can read for one answer',
      });
    }
    return { read, notes };
  }
}
