import { readFileSync } from 'node:fs';

/** A state file that is there but cannot be read as JSON: left as it is, never written over. */
export class UnreadableFile extends Error {
  override name = 'UnreadableFile';
  constructor(
    readonly file: string,
    readonly why: string,
  ) {
    super(`${file} cannot be read (${why}); it is left as it is`);
  }
}

/**
 * A JSON state file (STATE_DIR) as its value; undefined when there is none. Throws UnreadableFile
 * when it is there but cannot be read or parsed, so a caller never takes a damaged file for an
 * empty one and writes over what it held.
 */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new UnreadableFile(file, code ?? 'unreadable');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UnreadableFile(file, 'not JSON');
  }
}
