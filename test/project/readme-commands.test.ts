/**
 * The commands README.md and docs/ tell people to type, checked where they can be without a
 * Slack workspace: the scripts exist, the files and folders they name exist, and the Socket Mode
 * steps name exactly the values `.env.example` leaves to fill in. The path itself, from a copy
 * of .env.example to an answer, runs in test/behaviour/first-hour.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { isPlaceholder } from '../../src/config/config.js';
import { MIN_NODE } from '../../src/platform/node-check.js';
import { read } from './repo.js';

const exists = (path: string) => existsSync(new URL(`../../${path}`, import.meta.url));
const readme = read('README.md');
const docs = readdirSync(new URL('../../docs/', import.meta.url))
  .filter((f) => f.endsWith('.md'))
  .map((f) => read(`docs/${f}`));
const texts = [readme, ...docs];

/** The lines of the README's first ```sh block under `heading`. */
function block(heading: string): string[] {
  const section = readme.split(`\n## ${heading}\n`)[1];
  assert.ok(section, `the README has a section "${heading}"`);
  const code = /```sh\n([\s\S]*?)```/.exec(section.split('\n## ')[0] ?? '')?.[1];
  assert.ok(code, `"${heading}" has a sh block`);
  return code.trim().split('\n');
}

test('the quick start is the two commands, each a script of package.json', () => {
  assert.deepEqual(block('Quick start'), ['npm ci && npm run sandbox', 'npm test']);
});

test('every `npm run X`, `npm start` and `npm test` in README.md and docs/ is a script of package.json', () => {
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  let named = 0;
  for (const text of texts) {
    for (const m of text.matchAll(/\bnpm (?:run ([a-z:-]+)|(start|test)\b)/g)) {
      named++;
      const script = (m[1] ?? m[2]) as string;
      assert.ok(scripts[script], `npm run ${script} is a script`);
    }
  }
  assert.ok(named >= 5);
});

test('the Socket Mode steps copy .env.example and fill in exactly the values it leaves as placeholders', () => {
  const steps = readme.split('\n## Create the Slack app (Socket Mode)\n')[1]?.split('\n## ')[0] ?? '';
  assert.match(
    steps,
    /^2\. `cp \.env\.example \.env`\. It is set up for Socket Mode: you fill in three values\.$/m,
  );
  assert.ok(exists('.env.example'));
  const placeholders = read('.env.example')
    .split('\n')
    .filter((line) => !line.startsWith('#') && isPlaceholder(line.split('=')[1]))
    .map((line) => line.split('=')[0]);
  assert.deepEqual(placeholders.sort(), ['ANTHROPIC_API_KEY', 'SLACK_APP_TOKEN', 'SLACK_BOT_TOKEN']);
  const named = [...steps.matchAll(/into `([A-Z_]+)`|in `([A-Z_]+)`/g)].map((m) => m[1] ?? m[2]);
  assert.deepEqual([...new Set(named)].sort(), placeholders, 'the steps name each value to fill in');
  assert.match(steps, /`npm start`/);
});

test('the manifest the README pastes is Socket Mode, as the steps say; HTTP mode names the setting to turn off', () => {
  const manifest = parse(read('manifest.yml')) as { settings: { socket_mode_enabled: boolean } };
  assert.equal(manifest.settings.socket_mode_enabled, true);
  assert.match(readme, /set `socket_mode_enabled: false` in the\s+manifest/);
});

test('the Node.js install: .nvmrc names a version the start-up check accepts', () => {
  assert.match(readme, /\[`\.nvmrc`\]\(\.nvmrc\)/);
  const nvmrc = Number(read('.nvmrc').trim());
  assert.ok(nvmrc >= Number(MIN_NODE.split('.')[0]), `.nvmrc ${nvmrc} ≥ ${MIN_NODE}`);
  assert.match(readme, /sudo apt-get install -y redis-server chromium/);
});

test('every path a deploy command names exists: compose file, kustomize overlays, the Dockerfile', () => {
  let named = 0;
  for (const text of texts) {
    for (const m of text.matchAll(/kubectl apply -k ([\w./-]+)/g)) {
      named++;
      assert.ok(exists(`${m[1]}/kustomization.yaml`), `${m[1]} is a kustomization`);
    }
    for (const m of text.matchAll(/docker compose -f ([\w./-]+)/g)) {
      named++;
      assert.ok(exists(m[1] as string), `${m[1]} exists`);
    }
    for (const m of text.matchAll(/^\s*cd (deploy\/\S+)/gm))
      assert.ok(exists(m[1] as string) || m[1] === 'deploy/secrets');
  }
  assert.ok(named >= 3);
  assert.ok(exists('Dockerfile'));
});
