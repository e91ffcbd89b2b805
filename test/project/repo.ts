import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SECRET_SETTINGS } from '../../src/config/config.js';

/** A file of the repository, by its path from the root. */
export const read = (f: string) => readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8');

/** Every setting the schema knows, from src/config/config.ts. */
export function settingNames(): string[] {
  const schema = read('src/config/config.ts');
  const start = schema.indexOf('const schema = z.object({');
  const body = schema.slice(start, schema.indexOf('\n});\n', start));
  return [...body.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1] as string);
}

/** Every name the bot reads from its environment: the settings, plus NAME_FILE for each secret. */
export function knownNames(): Set<string> {
  return new Set([...settingNames(), ...[...SECRET_SETTINGS, 'SYSTEM_PROMPT'].map((n) => `${n}_FILE`)]);
}

/** The first group of `re` in `text`, which must be there. */
export function one(text: string, re: RegExp, what: string): string {
  const m = re.exec(text);
  assert.ok(m?.[1], `${what} is set`);
  return m[1];
}
