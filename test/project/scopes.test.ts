/**
 * manifest.yml is the one list of scopes: every Web API method the bot calls is covered by a scope
 * it requests, and the bot's own list (src/slack/scopes.ts) is the same set.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { manifestScopes, scopesFor } from '../../sandbox/slack/scopes.js';
import type { SimConversation } from '../../sandbox/slack/types.js';
import { BOT_SCOPES } from '../../src/slack/scopes.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const NAMESPACES =
  'agents|api|apps|assistant|auth|bots|canvases|chat|conversations|files|reactions|team|users|views';

/** Every Web API method named in src/: `client.chat.postMessage(`, `apiCall('x.y', …)`. */
function methodsCalled(): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(SRC, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const text = readFileSync(path.join(entry.parentPath, entry.name), 'utf8').replace(/\s+/g, '');
    const calls = new RegExp(`[cC]lient\\)?\\.(${NAMESPACES})\\.([a-zA-Z]+)(?:\\.([a-zA-Z]+))?\\(`, 'g');
    for (const m of text.matchAll(calls)) found.add([m[1], m[2], m[3]].filter(Boolean).join('.'));
    for (const m of text.matchAll(/apiCall\(['"]([a-z]+\.[a-zA-Z.]+)['"]/g)) found.add(m[1] as string);
  }
  return found;
}

const KINDS: Array<[string, Partial<SimConversation>]> = [
  ['a public channel', { is_private: false }],
  ['a private channel', { is_private: true }],
  ['a DM', { is_im: true }],
];

/** Kinds of conversation a method is called on, where not all: the bot reads no DM's info. */
const CALLED_ON: Record<string, string[]> = {
  'conversations.info': ['a public channel', 'a private channel'],
};

/** Methods (and conversation kinds) that `granted` does not cover. */
function uncovered(methods: Iterable<string>, granted: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const method of methods) {
    for (const [kind, conv] of KINDS) {
      if (CALLED_ON[method] && !CALLED_ON[method].includes(kind)) continue;
      const needed = scopesFor(method, conv as SimConversation);
      const perKind = needed !== scopesFor(method, undefined);
      if (needed === undefined) out.add(`${method}: not in sandbox/slack/scopes.ts`);
      else if (needed.length && !needed.some((s) => granted.has(s)))
        out.add(`${method}${perKind ? ` in ${kind}` : ''}: needs ${needed.join(' or ')}`);
    }
  }
  return [...out];
}

test('every Web API method the bot calls is covered by a scope manifest.yml requests', () => {
  const methods = methodsCalled();
  for (const m of [
    'chat.postMessage',
    'chat.startStream',
    'conversations.replies',
    'users.info',
    'auth.test',
  ])
    assert.ok(methods.has(m), `the scan finds ${m}`);
  assert.deepEqual(uncovered(methods, new Set(manifestScopes())), []);
});

test('the check fails when manifest.yml loses a scope the bot needs', () => {
  const granted = new Set(manifestScopes());
  granted.delete('users:read');
  granted.delete('groups:history');
  assert.deepEqual(uncovered(['users.info', 'conversations.replies'], granted), [
    'users.info: needs users:read',
    'conversations.replies in a private channel: needs groups:history',
  ]);
});

test('the scopes the bot checks at start are exactly those manifest.yml requests', () => {
  const own = [...Object.keys(BOT_SCOPES.required), ...Object.keys(BOT_SCOPES.optional)].sort();
  assert.deepEqual(own, [...manifestScopes()].sort());
});
