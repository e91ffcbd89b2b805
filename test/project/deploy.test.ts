import assert from 'node:assert/strict';
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
  assert.match(bot, new RegExp(`"${env.get('PORT')}:${env.get('PORT')}"`));

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
