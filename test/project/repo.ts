import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FILE_SETTINGS, SETTINGS } from '../../src/config/settings.js';

/** A file of the repository, by its path from the root. */
export const read = (f: string) => readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8');

/** Every setting the bot declares (src/config/settings.ts). */
export function settingNames(): string[] {
  return SETTINGS.map((s) => s.name);
}

/** Every name the bot reads from its environment: the settings, plus NAME_FILE for those that allow it. */
export function knownNames(): Set<string> {
  return new Set([...settingNames(), ...FILE_SETTINGS.map((n) => `${n}_FILE`)]);
}

/** The first group of `re` in `text`, which must be there. */
export function one(text: string, re: RegExp, what: string): string {
  const m = re.exec(text);
  assert.ok(m?.[1], `${what} is set`);
  return m[1];
}
