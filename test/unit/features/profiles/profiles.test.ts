import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { serverTools } from '../../../../src/claude/profile.js';
import { matchProfile, resolveProfile } from '../../../../src/features/profiles/match.js';
import { loadProfiles, ProfileError } from '../../../../src/features/profiles/schema.js';

const ENV = {
  model: 'claude-env',
  maxTokens: 4096,
  contextTokens: 60_000,
  systemPrompt: undefined,
  cacheTtlSeconds: 3600,
  userTokensPerDay: 0,
};

function file(text: string, name = 'profiles.yml'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'profiles-'));
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

const YAML = `
default:
  model: claude-default
  max_tokens: 2000
profiles:
  - name: support
    channels: ['#support', '#support-*']
    model: claude-cheap
    system_prompt: You help customers.
  - name: engineering
    channels: [C0ENG, '#support-eng']
    model: claude-strong
    context_tokens: 100000
    web_search: { max_uses: 3, allowed_domains: [docs.example.com] }
  - name: private
    channels: [dm]
    web_search: true
`;

function pick(channelId: string, opts: { dm?: boolean; name?: string; external?: boolean } = {}) {
  const set = loadProfiles(file(YAML));
  const matched = matchProfile(set, { channelId, dm: !!opts.dm, name: opts.name });
  return resolveProfile(set, matched, ENV, !!opts.external);
}

test('a channel gets the first profile that names it by id, #name, #pattern-* or dm', () => {
  assert.equal(pick('C0ENG').name, 'engineering');
  assert.equal(pick('C1', { name: 'support' }).name, 'support');
  assert.equal(pick('C2', { name: 'support-emea' }).name, 'support');
  // #support-* (profile 1) comes before #support-eng (profile 2): the first match wins.
  assert.equal(pick('C3', { name: 'support-eng' }).name, 'support');
  assert.equal(pick('D0ALICE', { dm: true }).name, 'private');
  // A DM never matches a channel name, a channel never matches `dm`.
  assert.equal(pick('C4', { name: 'supporting' }).name, 'default');
  assert.equal(pick('C5', { name: 'general' }).name, 'default');
});

test('unset fields come from default:, then from the environment settings', () => {
  const support = pick('C1', { name: 'support' });
  assert.equal(support.model, 'claude-cheap');
  assert.equal(support.maxTokens, 2000, 'from default:');
  assert.equal(support.contextTokens, 60_000, 'from the environment');
  assert.equal(support.systemPrompt, 'You help customers.');
  assert.deepEqual(serverTools(support), [], 'no tools unless the profile turns them on');
  const other = pick('C5', { name: 'general' });
  assert.equal(other.model, 'claude-default');
  const eng = pick('C0ENG');
  assert.deepEqual(serverTools(eng), [
    { type: 'web_search_20250305', name: 'web_search', max_uses: 3, allowed_domains: ['docs.example.com'] },
  ]);
  assert.equal(
    resolveProfile(undefined, undefined, ENV, false).model,
    'claude-env',
    'no file: the environment',
  );
});

test('the cache lifetime and daily budget: a profile with its own budget counts apart', () => {
  const set = loadProfiles(
    file(`
default:
  user_tokens_per_day: 50000
profiles:
  - name: support
    channels: ['#support']
    cache_ttl_seconds: 0
    user_tokens_per_day: 2000
  - name: engineering
    channels: [C0ENG]
    cache_ttl_seconds: 60
`),
  );
  const at = (channelId: string, name?: string) =>
    resolveProfile(set, matchProfile(set, { channelId, dm: false, name }), ENV, false);
  const support = at('C1', 'support');
  assert.deepEqual(
    [support.cacheTtlSeconds, support.userTokensPerDay, support.budgetPool],
    [0, 2000, 'support'],
  );
  const eng = at('C0ENG');
  assert.deepEqual(
    [eng.cacheTtlSeconds, eng.userTokensPerDay, eng.budgetPool],
    [60, 50_000, ''],
    'from default:',
  );
  const other = at('C5', 'general');
  assert.deepEqual([other.cacheTtlSeconds, other.userTokensPerDay, other.budgetPool], [3600, 50_000, '']);
  const none = resolveProfile(undefined, undefined, ENV, false);
  assert.deepEqual([none.cacheTtlSeconds, none.userTokensPerDay], [3600, 0], 'no file: the environment');
});

test('tools are off in a shared channel unless the profile names that channel explicitly', () => {
  assert.ok(pick('C0ENG', { external: true }).webSearch, 'named by id: on');
  const set = loadProfiles(file('profiles:\n  - name: all\n    channels: ["#*"]\n    web_search: true\n'));
  const byPattern = matchProfile(set, { channelId: 'C9', dm: false, name: 'with-acme' });
  assert.equal(byPattern?.profile.name, 'all');
  assert.equal(resolveProfile(set, byPattern, ENV, true).webSearch, undefined, 'pattern + shared: off');
  assert.deepEqual(resolveProfile(set, byPattern, ENV, false).webSearch, {}, 'pattern, not shared: on');
});

test('a bad file is refused with one line naming the file, the profile and the field', () => {
  const cases: Array<[string, RegExp]> = [
    [
      'profiles:\n  - name: support\n    channels: [C0ONE]\n    max_tokens: lots\n',
      /profile "support": max_tokens: /,
    ],
    [
      'profiles:\n  - name: support\n    channels: [general]\n',
      /profile "support": channels\.0: expected a channel id/,
    ],
    ['profiles:\n  - name: a\n    channels: [C0ONE]\n    modle: x\n', /profile "a": unknown field modle/],
    ['default:\n  web_search: { max_uses: 0 }\n', /default: web_search\.max_uses: /],
    ['profiles:\n  - channels: [C0ONE]\n', /profile 1: name: /],
    ['profiles: [\n', /not valid YAML/],
    [
      'profiles:\n  - name: a\n    channels: [C0ONE]\n  - name: a\n    channels: [C0TWO]\n',
      /profile "a": name: used by an earlier/,
    ],
  ];
  for (const [text, expected] of cases) {
    const f = file(text);
    assert.throws(
      () => loadProfiles(f),
      (err: Error) => {
        assert.ok(err instanceof ProfileError);
        assert.ok(err.message.startsWith(`CLAUDE_PROFILES_FILE ${f}: `), err.message);
        assert.match(err.message, expected);
        assert.doesNotMatch(err.message, /\n/, 'one line');
        return true;
      },
    );
  }
  assert.throws(() => loadProfiles('/nonexistent/profiles.yml'), /cannot read the file \(ENOENT\)/);
});

test('JSON is read as YAML; system_prompt_file is read relative to the profiles file', () => {
  const f = file(
    JSON.stringify({ profiles: [{ name: 'hr', channels: ['#hr'], system_prompt_file: 'hr.txt' }] }),
  );
  writeFileSync(path.join(path.dirname(f), 'hr.txt'), 'You answer HR questions.\n');
  const set = loadProfiles(f);
  assert.equal(set.profiles[0]?.systemPrompt, 'You answer HR questions.');
});

test('workspace_search: true takes the default limits, an object its own, false turns a default off', () => {
  const set = loadProfiles(
    file(
      [
        'default:',
        '  workspace_search: true',
        'profiles:',
        '  - name: eng',
        '    channels: [C0ENG]',
        '    workspace_search: { max_searches: 2, max_results: 5 }',
        '  - name: hr',
        '    channels: ["#hr"]',
        '    workspace_search: false',
        '  - name: wide',
        '    channels: ["#*"]',
      ].join('\n'),
    ),
  );
  const at = (channelId: string, name?: string, external = false) =>
    resolveProfile(set, matchProfile(set, { channelId, dm: false, name }), ENV, external).workspaceSearch;
  assert.deepEqual(at('C0ENG'), { maxSearches: 2, maxResults: 5 });
  assert.deepEqual(at('C0HR', 'hr'), undefined);
  assert.deepEqual(at('C0X', 'random'), { maxSearches: 3, maxResults: 10 });
  assert.equal(at('C0X', 'with-acme', true), undefined, 'a shared channel matched by pattern: off');
  assert.throws(
    () => loadProfiles(file('default:\n  workspace_search: { max_results: 50 }\n')),
    /default: workspace_search\.max_results: /,
  );
});

test('memory, follow_threads and models: validated, inherited from default:, memory on and following off unless said', () => {
  const set = loadProfiles(
    file(
      'default:\n  follow_threads: true\nprofiles:\n  - name: a\n    channels: [C0ONE]\n    memory: false\n    models: [claude-opus-5-5, claude-haiku-5-5]\n  - name: b\n    channels: [C0TWO]\n    follow_threads: false\n',
    ),
  );
  const resolve = (channelId: string) =>
    resolveProfile(set, matchProfile(set, { channelId, dm: false }), ENV, false);
  assert.deepEqual(
    [resolve('C0ONE').memory, resolve('C0ONE').followThreads, resolve('C0ONE').models],
    [false, true, ['claude-opus-5-5', 'claude-haiku-5-5']],
  );
  assert.deepEqual(
    [resolve('C0TWO').memory, resolve('C0TWO').followThreads, resolve('C0TWO').models],
    [true, false, []],
  );
  const bare = resolveProfile(undefined, undefined, ENV, false);
  assert.deepEqual([bare.memory, bare.followThreads], [true, false]);
  for (const [text, expected] of [
    [
      'profiles:\n  - name: a\n    channels: [C0ONE]\n    models: ["bad id!"]\n',
      /profile "a": models\.0: expected a model id/,
    ],
    ['profiles:\n  - name: a\n    channels: [C0ONE]\n    models: []\n', /profile "a": models: /],
    ['default:\n  memory: sometimes\n', /default: memory: /],
  ] as const) {
    assert.throws(() => loadProfiles(file(text)), expected);
  }
});

test('a profile with team: applies only in that workspace; one without, in every workspace', () => {
  const set = loadProfiles(
    file(`
profiles:
  - name: acme
    team: T0ACME
    channels: [C0SHARED]
    model: claude-acme
  - name: everyone
    channels: [C0SHARED]
    model: claude-all
`),
  );
  assert.equal(
    matchProfile(set, { channelId: 'C0SHARED', dm: false, teamId: 'T0ACME' })?.profile.name,
    'acme',
  );
  assert.equal(
    matchProfile(set, { channelId: 'C0SHARED', dm: false, teamId: 'T0BETA' })?.profile.name,
    'everyone',
  );
  assert.equal(matchProfile(set, { channelId: 'C0SHARED', dm: false })?.profile.name, 'everyone');
  assert.throws(
    () => loadProfiles(file('profiles:\n  - name: x\n    team: acme\n    channels: [C0X]\n')),
    (err: Error) => err instanceof ProfileError && /team: expected a workspace id/.test(err.message),
  );
});
