/**
 * Imports point down: features → ask → limits → claude → platform → config, and features → slack →
 * platform. slack/ is transport only (it imports nothing of Claude, the limits, the pipeline or the
 * features), platform/ imports nothing of Slack's SDKs, one feature never imports another's files,
 * nothing in src/ reaches outside it (the sandbox, tests), and no module imports itself through
 * others (type-only imports included).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** What each folder of src/ may import besides itself; files at the top (bot.ts, main.ts) may import any. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  config: [],
  platform: ['config'],
  claude: ['platform', 'config'],
  limits: ['claude', 'platform', 'config'],
  ask: ['limits', 'claude', 'platform', 'config'],
  slack: ['platform', 'config'],
  features: ['ask', 'limits', 'claude', 'slack', 'platform', 'config'],
};

/** Packages a folder may not import (by name prefix). */
const FORBIDDEN_PACKAGES: Record<string, readonly string[]> = {
  platform: ['@slack/'],
  claude: ['@slack/'],
  limits: ['@slack/'],
  ask: ['@slack/'],
  slack: ['@anthropic-ai/'],
};

const folderOf = (file: string): string | undefined => {
  const first = file.split('/')[0] ?? '';
  return first in MAY_IMPORT ? first : undefined;
};

/** `features/answers/x.ts` → `answers`; undefined for files outside a feature's folder. */
function featureOf(file: string): string | undefined {
  const parts = file.split('/');
  return parts[0] === 'features' && parts.length > 2 ? parts[1] : undefined;
}

/** Every specifier a module imports: static and dynamic imports, re-exports, type-only ones too. */
export function specifiers(text: string): string[] {
  const found = text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"]+)\1/g);
  return [...found].map((m) => m[2] as string);
}

/** The src/ path a relative specifier of `file` names (`.js` as written in ESM → `.ts`). */
function resolve(file: string, spec: string): string {
  return path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts');
}

/**
 * Every import of `files` (paths relative to src/, with their text) that breaks the rules, as
 * lines such as `slack/write/reply.ts → claude/client.ts (slack may not import claude)`.
 */
export function violations(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [file, text] of files) {
    const from = folderOf(file);
    for (const spec of specifiers(text)) {
      if (!spec.startsWith('.')) {
        const banned = from ? FORBIDDEN_PACKAGES[from]?.find((p) => spec.startsWith(p)) : undefined;
        if (banned) out.push(`${file} → ${spec} (${from} may not import ${banned}*)`);
        continue;
      }
      const target = resolve(file, spec);
      const to = folderOf(target);
      const line = `${file} → ${target}`;
      if (target.startsWith('../')) out.push(`${line} (outside src/)`);
      else if (from && from !== to && !(to && MAY_IMPORT[from]?.includes(to)))
        out.push(`${line} (${from} may not import ${to ?? 'the top of src/'})`);
      else if (featureOf(target) && featureOf(file) && featureOf(target) !== featureOf(file))
        out.push(`${line} (another feature)`);
    }
  }
  return out;
}

/** Import cycles among `files` (type-only imports count), each as `a.ts → b.ts → a.ts`. */
export function cycles(files: ReadonlyMap<string, string>): string[] {
  const edges = new Map<string, string[]>();
  for (const [file, text] of files) {
    const targets = specifiers(text)
      .filter((s) => s.startsWith('.'))
      .map((s) => resolve(file, s))
      .filter((t) => files.has(t));
    edges.set(file, [...new Set(targets)]);
  }
  const found = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') {
        const loop = stack.slice(stack.indexOf(next));
        // One name per cycle, whichever file it was entered by.
        const start = loop.indexOf([...loop].sort()[0] as string);
        const turned = [...loop.slice(start), ...loop.slice(0, start)];
        found.add([...turned, turned[0]].join(' → '));
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...files.keys()].sort()) if (!state.has(file)) visit(file);
  return [...found];
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

test('every import in src/ follows the layers, and none leaves src/', () => {
  const files = sources();
  assert.ok(files.size > 50, `read ${files.size} files`);
  assert.deepEqual(violations(files), []);
});

test('no module of src/ imports itself through others, type-only imports included', () => {
  assert.deepEqual(cycles(sources()), []);
});

test('the check catches a planted wrong import of each kind', () => {
  const planted = new Map([
    ['platform/logger.ts', "import { x } from '../features/answers/runner.js';"],
    ['claude/client.ts', "import type { Y } from '../limits/queue.js';"],
    ['slack/write/reply.ts', "import type { ClaudeRequest } from '../../claude/client.js';"],
    ['slack/read/thread.ts', "import { estimateTokens } from '../../claude/tokens.js';"],
    ['slack/access.ts', "import type { ClaimStore } from '../limits/claims.js';"],
    ['slack/index.ts', "const m = await import('../ask/pipeline.js');"],
    ['ask/pipeline.ts', "import type { SlackReply } from '../slack/write/reply.js';"],
    ['features/answers/answer.ts', "import { z } from '../summaries/plan.js';"],
    ['bot.ts', "import { sim } from '../sandbox/slack/sim.js';"],
    ['config/config.ts', "export { p } from '../platform/logger.js';"],
    ['platform/metrics.ts', "import type { Logger } from '@slack/bolt';"],
    ['slack/web.ts', "import Anthropic from '@anthropic-ai/sdk';"],
  ]);
  assert.deepEqual(violations(planted), [
    'platform/logger.ts → features/answers/runner.ts (platform may not import features)',
    'claude/client.ts → limits/queue.ts (claude may not import limits)',
    'slack/write/reply.ts → claude/client.ts (slack may not import claude)',
    'slack/read/thread.ts → claude/tokens.ts (slack may not import claude)',
    'slack/access.ts → limits/claims.ts (slack may not import limits)',
    'slack/index.ts → ask/pipeline.ts (slack may not import ask)',
    'ask/pipeline.ts → slack/write/reply.ts (ask may not import slack)',
    'features/answers/answer.ts → features/summaries/plan.ts (another feature)',
    'bot.ts → ../sandbox/slack/sim.ts (outside src/)',
    'config/config.ts → platform/logger.ts (config may not import platform)',
    'platform/metrics.ts → @slack/bolt (platform may not import @slack/*)',
    'slack/web.ts → @anthropic-ai/sdk (slack may not import @anthropic-ai/*)',
  ]);
  // Imports that follow the rules pass.
  const fine = new Map([
    ['features/answers/index.ts', "import { a } from '../deps.js';\nimport { b } from '../../slack/web.js';"],
    ['limits/traffic.ts', "import type { C } from '../claude/client.js';"],
    ['slack/write/reply.ts', "import { MAX_PART_CHARS } from '../limits.js';"],
    ['ask/pipeline.ts', "import type { Traffic } from '../limits/traffic.js';"],
  ]);
  assert.deepEqual(violations(fine), []);
});

test('the cycle check catches a planted cycle, type-only imports included', () => {
  const planted = new Map([
    ['slack/read/history.ts', "import { readThreadEnd } from './thread.js';"],
    ['slack/read/thread.ts', "import type { SlackMessage } from './history.js';"],
    ['claude/a.ts', "import { b } from './b.js';"],
    ['claude/b.ts', "export { c } from './c.js';"],
    ['claude/c.ts', "import type { A } from './a.js';"],
    ['claude/d.ts', "import { b } from './b.js';"],
  ]);
  assert.deepEqual(cycles(planted).sort(), [
    'claude/a.ts → claude/b.ts → claude/c.ts → claude/a.ts',
    'slack/read/history.ts → slack/read/thread.ts → slack/read/history.ts',
  ]);
});
