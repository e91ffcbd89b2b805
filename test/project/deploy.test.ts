import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { knownNames, one, read } from './repo.js';

/**
 * The deployment files are read by people who copy them: every name in them must be one the bot
 * reads, and their numbers must agree with each other and with the bot's behaviour. Kubernetes:
 * kubernetes.test.ts.
 */

test('docker compose: settings the bot reads, secrets declared, grace period longer than the bot needs', () => {
  const compose = read('deploy/docker-compose.yml');
  const bot = compose.slice(compose.indexOf('  bot:'), compose.indexOf('  redis:'));
  const envBlock = bot.slice(bot.indexOf('environment:'), bot.indexOf('secrets:'));
  const env = new Map([...envBlock.matchAll(/^ {6}([A-Z0-9_]+): "?([^"\n]+)"?$/gm)].map((m) => [m[1], m[2]]));
  const known = knownNames();
  for (const name of env.keys()) assert.ok(known.has(name as string), `${name} is a setting`);

  const stopS = Number(one(bot, /stop_grace_period: (\d+)s/, 'stop_grace_period'));
  assert.ok(
    stopS * 1000 > Number(env.get('SHUTDOWN_GRACE_MS')),
    'compose waits longer than the bot lets answers finish',
  );

  // Socket Mode, the README's main path: no public port; /metrics only on OPS_PORT, never published.
  assert.ok(env.get('SLACK_APP_TOKEN_FILE'), 'Socket Mode');
  const ops = env.get('OPS_PORT');
  assert.ok(ops && ops !== env.get('PORT'), 'OPS_PORT set, apart from PORT');
  const published = [...bot.matchAll(/^ {6}- "(?:[\d.]+:)?(\d+):(\d+)"$/gm)].map((m) => m[2]);
  assert.ok(!published.includes(ops), 'OPS_PORT is not published');
  assert.doesNotMatch(bot, /^ {4}ports:/m, 'Socket Mode publishes no port');

  const serviceSecrets = new Set(
    [...bot.slice(bot.indexOf('secrets:')).matchAll(/^ {6}- ([a-z-]+)$/gm)].map((m) => m[1]),
  );
  const declared = compose.slice(compose.lastIndexOf('\nsecrets:'));
  for (const [name, path] of env) {
    if (!name?.endsWith('_FILE')) continue;
    const secret = path?.replace('/run/secrets/', '') ?? '';
    assert.ok(serviceSecrets.has(secret), `${name}: the bot service lists the secret ${secret}`);
    assert.match(
      declared,
      new RegExp(`^ {2}${secret}:\\n {4}file: `, 'm'),
      `${secret} is declared with a file`,
    );
  }
});

test("the Docker image's health check asks /healthz on OPS_PORT, else PORT", () => {
  assert.match(
    read('Dockerfile'),
    /^HEALTHCHECK [^\n]*\\\n[^\n]*process\.env\.OPS_PORT\|\|process\.env\.PORT[^\n]*\/healthz/m,
  );
});

test('docker compose: Redis asks for a password from a secret; the bot’s URL comes from a secret', () => {
  const compose = read('deploy/docker-compose.yml');
  const bot = compose.slice(compose.indexOf('  bot:'), compose.indexOf('  redis:'));
  const redis = compose.slice(compose.indexOf('  redis:'), compose.lastIndexOf('\nsecrets:'));
  assert.match(bot, /^ {6}REDIS_URL_FILE: \/run\/secrets\/redis-url$/m);
  assert.doesNotMatch(bot, /^ {6}REDIS_URL:/m, 'no URL without the password');
  assert.match(redis, /--requirepass \\"\$\$\(cat \/run\/secrets\/redis-password\)\\"/);
  assert.match(redis, /secrets:\n {6}- redis-password\n/);
  assert.match(
    redis,
    /REDISCLI_AUTH=\\"\$\$\(cat \/run\/secrets\/redis-password\)\\" redis-cli ping \| grep -q PONG/,
  );
  assert.match(compose.slice(compose.lastIndexOf('\nsecrets:')), /^ {2}redis-password:\n {4}file: /m);
});

test('docker compose: Redis keeps its data in a volume (the Home tab shows usage for 8 days); the secret files stay out of git', () => {
  const compose = read('deploy/docker-compose.yml');
  const redis = compose.slice(compose.indexOf('\n  redis:'), compose.lastIndexOf('\nvolumes:'));
  assert.match(redis, /--appendonly yes /);
  const volume = one(redis, /volumes:\n {6}- ([a-z-]+):\/data\n/, 'the Redis data volume');
  assert.match(compose.slice(compose.lastIndexOf('\nvolumes:')), new RegExp(`^ {2}${volume}:$`, 'm'));
  assert.match(read('.gitignore'), /^deploy\/secrets\/$/m);
});

/**
 * The paths `docker build .` sends to the builder, by .dockerignore's rules: each pattern (Go's
 * filepath.Match with `**`, relative to the root) excludes a path it matches or a folder above
 * it; a later `!pattern` lets it back in; the last matching rule decides.
 */
function inContext(path: string, rules: string[]): boolean {
  let included = true;
  for (const rule of rules) {
    const negate = rule.startsWith('!');
    const pattern = (negate ? rule.slice(1) : rule).replace(/^\/+|\/+$/g, '');
    const re = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, '§')
        .replace(/\*\*/g, '.*')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replace(/§/g, '(?:.*/)?')}(?:/.*)?$`,
    );
    if (re.test(path)) included = negate;
  }
  return included;
}

test('docker build sends only what the Dockerfile copies: no .env, node_modules, .git, dist or secrets', () => {
  const rules = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const tracked = execFileSync('git', ['ls-files'], {
    cwd: new URL('../../', import.meta.url),
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
  const local = [
    '.env',
    '.env.local',
    '.git/HEAD',
    'node_modules/@slack/bolt/package.json',
    'dist/main.js',
    'deploy/secrets/slack-bot-token',
    'test-artifacts/page.png',
    'bench/results/latest.json',
    'src/.env',
    'npm-debug.log',
  ];
  const sent = [...tracked, ...local].filter((p) => inContext(p, rules));
  for (const p of local) assert.ok(!sent.includes(p), `${p} stays out of the build context`);
  for (const p of sent) {
    assert.match(
      p,
      /^(package\.json|package-lock\.json|tsconfig\.json|tsconfig\.build\.json|src\/.+)$/,
      `${p} is sent`,
    );
  }
  // Whatever the Dockerfile copies from the context is in it.
  const copied = [...read('Dockerfile').matchAll(/^COPY (?!--from)((?:\S+ )+)\S+$/gm)].flatMap((m) =>
    (m[1] ?? '').trim().split(' '),
  );
  assert.ok(copied.length >= 4);
  for (const c of copied) {
    assert.ok(
      sent.some((p) => p === c || p.startsWith(`${c}/`)),
      `the Dockerfile's COPY ${c} is in the context`,
    );
  }
  assert.ok(sent.includes('src/main.ts'));
});

test('inside the image configuration errors hint at docker -e and secret files (the Dockerfile marks the image)', () => {
  assert.match(read('Dockerfile'), /^ENV [^\n]*\bSLACK_CLAUDE_BOT_IMAGE=1\b/m);
});

test("the README's docker run keeps /metrics off the published port", () => {
  const runs = [...read('README.md').matchAll(/`(docker run [^`]+)`/g)].map((m) => m[1] ?? '');
  assert.ok(runs.length >= 1);
  for (const run of runs) {
    const ops = one(run, /-e OPS_PORT=(\d+)/, 'OPS_PORT');
    assert.doesNotMatch(run, new RegExp(`-p (?:\\S+:)?${ops}\\b`));
  }
});
