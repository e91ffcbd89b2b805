/**
 * Imports point down: features → slack → limits → claude → platform → config. Nothing in src/
 * reaches outside it (the sandbox, tests), and one feature never imports another's files.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Lower layers first; a file may import its own layer or any below it. */
const LAYERS = ['config', 'platform', 'claude', 'limits', 'slack', 'features'] as const;
/** Files at the top of src/: the composition root and the entry point. */
const TOP = LAYERS.length;

function layerOf(file: string): number {
  const first = file.split('/')[0] ?? '';
  const i = (LAYERS as readonly string[]).indexOf(first);
  return i >= 0 ? i : TOP;
}

/** `features/answers/x.ts` → `answers`; undefined for files outside a feature's folder. */
function featureOf(file: string): string | undefined {
  const parts = file.split('/');
  return parts[0] === 'features' && parts.length > 2 ? parts[1] : undefined;
}

/** The relative specifiers of a module: static and dynamic imports and re-exports. */
export function specifiers(text: string): string[] {
  const found = text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g);
  return [...found].map((m) => m[2] as string);
}

/**
 * Every import of `files` (paths relative to src/, with their text) that breaks the direction.
 * Returns lines such as `platform/logger.ts → features/answers/runner.ts (upward)`.
 */
export function violations(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [file, text] of files) {
    for (const spec of specifiers(text)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      const line = `${file} → ${target}`;
      if (target.startsWith('../')) out.push(`${line} (outside src/)`);
      else if (layerOf(target) > layerOf(file)) out.push(`${line} (upward)`);
      else if (featureOf(target) && featureOf(file) && featureOf(target) !== featureOf(file))
        out.push(`${line} (another feature)`);
    }
  }
  return out;
}

function sources(): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(SRC, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(SRC, full).split(path.sep).join('/'), readFileSync(full, 'utf8'));
  }
  return files;
}

test('every import in src/ points down the layers, and none leaves src/', () => {
  const files = sources();
  assert.ok(files.size > 50, `read ${files.size} files`);
  assert.deepEqual(violations(files), []);
});

test('the check catches a planted wrong import of each kind', () => {
  const planted = new Map([
    ['platform/logger.ts', "import { x } from '../features/answers/runner.js';"],
    ['claude/client.ts', "import type { Y } from '../limits/queue.js';"],
    ['slack/write/reply.ts', "const m = await import('../../features/summaries/texts.js');"],
    ['features/answers/answer.ts', "import { z } from '../summaries/plan.js';"],
    ['bot.ts', "import { sim } from '../sandbox/slack/sim.js';"],
    ['config/config.ts', "export { p } from '../platform/logger.js';"],
  ]);
  assert.deepEqual(violations(planted), [
    'platform/logger.ts → features/answers/runner.js (upward)',
    'claude/client.ts → limits/queue.js (upward)',
    'slack/write/reply.ts → features/summaries/texts.js (upward)',
    'features/answers/answer.ts → features/summaries/plan.js (another feature)',
    'bot.ts → ../sandbox/slack/sim.js (outside src/)',
    'config/config.ts → platform/logger.js (upward)',
  ]);
  // Imports that follow the rule pass.
  const fine = new Map([
    ['features/answers/index.ts', "import { a } from '../deps.js';\nimport { b } from '../../slack/web.js';"],
    ['limits/traffic.ts', "import type { C } from '../claude/client.js';"],
  ]);
  assert.deepEqual(violations(fine), []);
});
