import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { MIN_NODE } from '../../src/platform/node-check.js';
import { read, settingNames } from './repo.js';

test('every setting is documented in .env.example and in the settings table of docs/settings.md', () => {
  const names = settingNames();
  assert.ok(names.length > 30);
  const env = read('.env.example');
  const table = read('docs/settings.md');
  for (const name of names) {
    assert.match(env, new RegExp(`^#?\\s*${name}=`, 'm'), `${name} in .env.example`);
    assert.ok(table.includes(`| \`${name}\``), `${name} in the table of docs/settings.md`);
  }
});

test('.env.example parses: every line is a comment, blank, or NAME=value for a known setting', () => {
  const names = new Set(settingNames());
  for (const line of read('.env.example').split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const name = line.split('=')[0] as string;
    assert.ok(names.has(name), `${name} is a setting the bot reads`);
  }
});

test('the manifest subscribes to what the code listens to, and the shortcut and command exist', () => {
  const manifest = read('manifest.yml');
  for (const e of ['app_mention', 'app_home_opened', 'message.channels', 'message.groups', 'message.im']) {
    assert.match(manifest, new RegExp(`- ${e.replace('.', '\\.')}\\b`), e);
  }
  // conversations.info (linked threads, Slack Connect detection) needs the read scopes.
  for (const scope of ['channels:read', 'groups:read', 'chat:write', 'users:read', 'commands']) {
    assert.match(manifest, new RegExp(`- ${scope}\\b`), scope);
  }
  assert.match(manifest, /callback_id: summarize_thread/);
  assert.match(manifest, /command: \/summarize/);
  assert.match(read('src/features/summaries/listener.ts'), /summarize_thread/);
});

test('the Docker image starts the bot with the same node command as `npm start` (the bench measures that one)', () => {
  const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start;
  const cmd = /^CMD (\[.*\])$/m.exec(read('Dockerfile'))?.[1];
  assert.ok(cmd, 'the Dockerfile has an exec-form CMD');
  assert.deepEqual(JSON.parse(cmd), start.split(/\s+/));
  assert.match(start, /^node .*dist\/main\.js$/);
});

test("package.json's engines names the Node.js version the start-up check asks for", () => {
  const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
  assert.equal(engines, `>=${MIN_NODE.replace(/\.0$/, '')}`);
  assert.match(
    read('README.md'),
    new RegExp(`Node\\.js ${MIN_NODE.replace(/\.0$/, '').replace('.', '\\.')} or newer`),
  );
});

/** README.md and every page of docs/, as [path, text]. */
function pages(): Array<[string, string]> {
  const docs = readdirSync(new URL('../../docs/', import.meta.url)).filter((f) => f.endsWith('.md'));
  return [
    ['README.md', read('README.md')],
    ...docs.map((f): [string, string] => [`docs/${f}`, read(`docs/${f}`)]),
  ];
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

test('every relative link in README.md and docs/ leads to a file that exists, and to a heading in it', () => {
  for (const [page, text] of pages()) {
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1] as string;
      if (/^[a-z]+:/.test(target)) continue;
      const [file = '', hash] = target.split('#');
      const resolved = file ? new URL(file, new URL(`../../${page}`, import.meta.url)) : undefined;
      const path = resolved
        ? resolved.pathname.slice(new URL('../../', import.meta.url).pathname.length)
        : page;
      assert.ok(existsSync(new URL(`../../${path}`, import.meta.url)), `${page}: ${target} exists`);
      if (hash === undefined) continue;
      const headings = [...read(path).matchAll(/^#+ (.+)$/gm)].map((h) => anchor(h[1] as string));
      assert.ok(headings.includes(hash), `${page}: ${target} names a heading of ${path}`);
    }
  }
});

test('every page of docs/ is linked from the README', () => {
  const readme = read('README.md');
  for (const [page] of pages().slice(1)) assert.ok(readme.includes(`](${page})`), `README links ${page}`);
});

test('docs/slack-app.md explains each scope the manifest asks for, and no other', () => {
  const manifest = parse(read('manifest.yml')) as { oauth_config: { scopes: { bot: string[] } } };
  const table = read('docs/slack-app.md');
  const explained = new Set(
    [...table.matchAll(/^\| (.+?) \|/gm)].flatMap((m) =>
      [...(m[1] as string).matchAll(/`([a-z_.:]+)`/g)].map((s) => s[1]),
    ),
  );
  assert.deepEqual([...explained].sort(), [...manifest.oauth_config.scopes.bot].sort());
});
