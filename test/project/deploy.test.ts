import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SECRET_SETTINGS } from '../../src/config/config.js';

/**
 * The deployment files are read by people who copy them: every name in them must be one the bot
 * reads, and their numbers must agree with each other and with the bot's behaviour.
 */
const read = (f: string) => readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8');

/** Every setting the schema knows, from src/config/config.ts, plus NAME_FILE for each secret. */
function knownNames(): Set<string> {
  const schema = read('src/config/config.ts');
  const start = schema.indexOf('const schema = z.object({');
  const body = schema.slice(start, schema.indexOf('\n});\n', start));
  const names = [...body.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1] as string);
  return new Set([...names, ...[...SECRET_SETTINGS, 'SYSTEM_PROMPT'].map((n) => `${n}_FILE`)]);
}

const one = (text: string, re: RegExp, what: string): string => {
  const m = re.exec(text);
  assert.ok(m?.[1], `${what} is set`);
  return m[1];
};

test('Kubernetes: settings the bot reads, secrets from the mounted Secret, probes and grace period in step', () => {
  const deployment = read('deploy/kubernetes/deployment.yaml');
  const env = new Map(
    [...deployment.matchAll(/- \{ name: ([A-Z0-9_]+), value: "?([^"}]+?)"? \}/g)].map((m) => [m[1], m[2]]),
  );
  assert.ok(env.size >= 5);
  const known = knownNames();
  for (const name of env.keys()) assert.ok(known.has(name as string), `${name} is a setting`);

  const graceMs = Number(env.get('SHUTDOWN_GRACE_MS'));
  const terminationS = Number(
    one(deployment, /terminationGracePeriodSeconds: (\d+)/, 'terminationGracePeriodSeconds'),
  );
  assert.ok(terminationS * 1000 > graceMs, 'Kubernetes waits longer than the bot lets answers finish');

  // Slack's events on PORT (the Service); probes and scraping on OPS_PORT, which no Service exposes.
  const port = env.get('PORT');
  const opsPort = env.get('OPS_PORT');
  assert.ok(opsPort && opsPort !== port, 'OPS_PORT is set, apart from PORT');
  assert.equal(one(deployment, /\{ name: http, containerPort: (\d+) \}/, 'the http containerPort'), port);
  assert.equal(one(deployment, /\{ name: ops, containerPort: (\d+) \}/, 'the ops containerPort'), opsPort);
  assert.equal(one(deployment, /prometheus\.io\/port: "(\d+)"/, 'prometheus.io/port'), opsPort);
  assert.match(deployment, /readinessProbe:\s+httpGet: \{ path: \/readyz, port: ops \}/);
  assert.match(deployment, /livenessProbe:\s+httpGet: \{ path: \/healthz, port: ops \}/);
  const service = read('deploy/kubernetes/service.yaml');
  assert.deepEqual(
    [...service.matchAll(/targetPort: (\w+)/g)].map((m) => m[1]),
    ['http'],
    'the Service exposes the events port only',
  );

  const mount = one(deployment, /mountPath: (\S+),/, 'the Secret mountPath');
  const keys = new Set(
    [
      ...read('deploy/kubernetes/secret.yaml')
        .split('stringData:')[1]!
        .matchAll(/^ {2}([a-z-]+):/gm),
    ].map((m) => m[1]),
  );
  const files = [...env].filter(([name]) => name?.endsWith('_FILE'));
  assert.ok(files.length >= 3);
  for (const [name, path = ''] of files) {
    assert.ok(path.startsWith(`${mount}/`), `${name} is in the mounted Secret`);
    assert.ok(keys.has(path.slice(mount.length + 1)), `${name}'s file is a key of secret.yaml`);
  }
});

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

test('Kubernetes: Redis asks for the password in the Secret, the bot’s URL carries it, only the bot may connect', () => {
  const secret = read('deploy/kubernetes/secret.yaml');
  const password = one(secret, /^ {2}redis-password: (\S+)$/m, 'redis-password');
  const url = new URL(one(secret, /^ {2}redis-url: (\S+)$/m, 'redis-url'));
  assert.equal(decodeURIComponent(url.password), password, 'redis-url carries redis-password');
  assert.match(
    read('deploy/kubernetes/deployment.yaml'),
    /name: REDIS_URL_FILE, value: \/run\/secrets\/bot\/redis-url/,
  );
  assert.doesNotMatch(
    read('deploy/kubernetes/deployment.yaml'),
    /name: REDIS_URL,/,
    'no URL without the password',
  );

  const redis = read('deploy/kubernetes/redis.yaml');
  assert.match(redis, /"--requirepass", "\$\(REDIS_PASSWORD\)"/);
  assert.match(
    redis,
    /name: REDIS_PASSWORD\s+valueFrom: \{ secretKeyRef: \{ name: slack-claude-bot, key: redis-password \} \}/,
  );
  assert.match(
    redis,
    /name: REDISCLI_AUTH\s+valueFrom: \{ secretKeyRef: \{ name: slack-claude-bot, key: redis-password \} \}/,
  );
  const service = one(redis, /kind: Service\s+metadata:\s+name: (\S+)/, 'the Redis Service');
  assert.equal(url.hostname, service);
  const redisPort = one(redis, /containerPort: (\d+)/, 'the Redis port');
  assert.equal(url.port, redisPort);

  const policy = read('deploy/kubernetes/network-policy.yaml');
  const redisApp = one(redis, /labels: \{ app: (\S+) \}/, 'the Redis app label');
  const botApp = one(
    read('deploy/kubernetes/deployment.yaml'),
    /labels: \{ app: (\S+) \}/,
    'the bot app label',
  );
  assert.match(
    policy,
    new RegExp(`podSelector:\\s+matchLabels: \\{ app: ${redisApp} \\}\\s+policyTypes: \\[Ingress\\]`),
  );
  assert.match(
    policy,
    new RegExp(
      `- from:\\s+- podSelector:\\s+matchLabels: \\{ app: ${botApp} \\}\\s+ports:\\s+- \\{ protocol: TCP, port: ${redisPort} \\}`,
    ),
  );
  assert.equal((policy.match(/- from:|podSelector:/g) ?? []).length, 3, 'one rule, from the bot only');

  const listed = new Set(
    [...read('deploy/kubernetes/kustomization.yaml').matchAll(/^ {2}- (\S+\.yaml)$/gm)].map((m) => m[1]),
  );
  for (const f of readdirSync(new URL('../../deploy/kubernetes/', import.meta.url)))
    if (f.endsWith('.yaml') && f !== 'kustomization.yaml')
      assert.ok(listed.has(f), `kustomization applies ${f}`);
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
