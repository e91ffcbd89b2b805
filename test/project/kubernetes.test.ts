/**
 * deploy/kubernetes as `kubectl apply -k` would apply each overlay: the resources it lists (and
 * the bases they name), the JSON patches (`add` only) and the `images:` entries, rendered here
 * because the machine running the tests has no kubectl. Each overlay must start the bot in its
 * mode with names the bot reads, secrets from the Secret the docs tell people to create, and
 * numbers that agree with each other.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { knownNames, one, read } from './repo.js';

const ROOT = 'deploy/kubernetes';
const OVERLAYS = { 'socket-mode': 'SLACK_APP_TOKEN_FILE', http: 'SLACK_SIGNING_SECRET_FILE' } as const;

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects, read as plain YAML.
type Obj = any;
interface Kustomization {
  resources?: string[];
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
  patches?: Array<{ target: { kind: string; name: string }; patch: string }>;
  secretGenerator?: unknown;
}

/** Every kustomization.yaml under deploy/kubernetes, by folder. */
function kustomizations(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(new URL(`../../${dir}`, import.meta.url))) {
      const p = `${dir}/${f}`;
      if (statSync(new URL(`../../${p}`, import.meta.url)).isDirectory()) walk(p);
      else if (f === 'kustomization.yaml') found.push(dir);
    }
  };
  walk(ROOT);
  return found;
}

/** Every YAML file under deploy/kubernetes, by its path from there. */
const yamlFiles = () =>
  (readdirSync(new URL(`../../${ROOT}`, import.meta.url), { recursive: true }) as string[]).filter((f) =>
    f.endsWith('.yaml'),
  );

/** The objects `kubectl apply -k dir` applies. */
function render(dir: string): Obj[] {
  const k = parse(read(`${dir}/kustomization.yaml`)) as Kustomization;
  assert.equal(k.secretGenerator, undefined, `${dir}: no Secret generated from the repository`);
  const objects: Obj[] = [];
  for (const r of k.resources ?? []) {
    const path = posix.normalize(`${dir}/${r}`);
    if (existsSync(new URL(`../../${path}/kustomization.yaml`, import.meta.url)))
      objects.push(...render(path));
    else objects.push(...parseAllDocuments(read(path)).map((d) => d.toJS() as Obj));
  }
  for (const { target, patch } of k.patches ?? []) {
    const obj = objects.find((o) => o.kind === target.kind && o.metadata.name === target.name);
    assert.ok(obj, `${dir}: the patch's target ${target.kind}/${target.name} exists`);
    for (const op of parse(patch) as Array<{ op: string; path: string; value: unknown }>) {
      assert.equal(op.op, 'add', `${dir}: only "add" patches are rendered here`);
      const keys = op.path.split('/').slice(1);
      const last = keys.pop() as string;
      const parent = keys.reduce((o, key) => o[key], obj);
      assert.ok(parent, `${dir}: ${op.path} exists`);
      if (last === '-') parent.push(op.value);
      else parent[last] = op.value;
    }
  }
  for (const image of k.images ?? []) {
    for (const c of objects.flatMap((o) => o.spec?.template?.spec?.containers ?? [])) {
      if (c.image === image.name) c.image = `${image.newName ?? image.name}:${image.newTag ?? 'latest'}`;
    }
  }
  return objects;
}

const find = (objects: Obj[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

/** The files `kubectl create secret` in docs/operations.md puts in the Secret. */
function documentedSecretKeys(): Set<string> {
  const section = read('docs/operations.md').split('## Kubernetes')[1]?.split('\n## ')[0] ?? '';
  assert.match(section, /kubectl create secret generic slack-claude-bot/);
  return new Set([...section.matchAll(/--from-file=([a-z-]+)/g)].map((m) => m[1] as string));
}

test('no kustomization applies a Secret: it is created with kubectl create secret, so real values are never overwritten', () => {
  const dirs = kustomizations();
  assert.ok(dirs.length >= 3);
  for (const dir of dirs) {
    for (const o of render(dir)) assert.notEqual(o.kind, 'Secret', `${dir} applies no Secret`);
  }
  for (const f of yamlFiles()) {
    const kinds = parseAllDocuments(read(`${ROOT}/${f}`)).map((d) => (d.toJS() as Obj)?.kind);
    assert.ok(!kinds.includes('Secret'), `${f} holds no Secret, not even an example with placeholders`);
  }
});

for (const [overlay, modeSecret] of Object.entries(OVERLAYS)) {
  test(`Kubernetes ${overlay}: settings the bot reads, secrets the docs create, probes and grace period in step`, () => {
    const objects = render(`${ROOT}/overlays/${overlay}`);
    const bot = find(objects, 'Deployment', 'slack-claude-bot');
    const pod = bot.spec.template.spec;
    const [container] = pod.containers;
    const env = new Map<string, string>(container.env.map((e: Obj) => [e.name, e.value]));
    const known = knownNames();
    for (const name of env.keys()) assert.ok(known.has(name), `${name} is a setting`);

    assert.ok(env.has(modeSecret), `${overlay} sets ${modeSecret}`);
    const other = Object.values(OVERLAYS).find((s) => s !== modeSecret) as string;
    assert.ok(!env.has(other), `${overlay} does not set ${other}`);
    assert.match(container.image, /^REGISTRY\/slack-claude-bot:TAG$/, 'the image comes from the overlay');

    assert.ok(pod.terminationGracePeriodSeconds * 1000 > Number(env.get('SHUTDOWN_GRACE_MS')));
    const port = env.get('PORT');
    const opsPort = env.get('OPS_PORT');
    assert.ok(opsPort && opsPort !== port, 'OPS_PORT is set, apart from PORT');
    const ports = new Map(container.ports.map((p: Obj) => [p.name, String(p.containerPort)]));
    assert.equal(ports.get('http'), port);
    assert.equal(ports.get('ops'), opsPort);
    assert.equal(bot.spec.template.metadata.annotations['prometheus.io/port'], opsPort);
    assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'ops' });
    assert.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'ops' });

    const services = objects.filter((o) => o.kind === 'Service' && o.metadata.name === 'slack-claude-bot');
    if (overlay === 'http') {
      assert.deepEqual(
        services[0].spec.ports.map((p: Obj) => p.targetPort),
        ['http'],
        'the Service exposes the events port only',
      );
    } else assert.equal(services.length, 0, 'Socket Mode needs no Service');

    const mount = container.volumeMounts.find((m: Obj) => m.name === 'secrets').mountPath;
    const volume = pod.volumes.find((v: Obj) => v.name === 'secrets');
    assert.equal(volume.secret.secretName, 'slack-claude-bot');
    const keys = documentedSecretKeys();
    const files = [...env].filter(([name]) => name.endsWith('_FILE'));
    assert.ok(files.length >= 4);
    for (const [name, path] of files) {
      assert.ok(path.startsWith(`${mount}/`), `${name} is in the mounted Secret`);
      assert.ok(
        keys.has(path.slice(mount.length + 1)),
        `${name}'s file is created by the documented command`,
      );
    }
    assert.ok(!env.has('REDIS_URL'), 'no URL without the password');
    assert.equal(env.get('REDIS_URL_FILE'), `${mount}/redis-url`);
  });
}

test('Kubernetes: Redis asks for the password in the Secret, keeps its data on a volume, only the bot may connect', () => {
  const objects = render(`${ROOT}/overlays/socket-mode`);
  const redis = find(objects, 'Deployment', 'slack-claude-bot-redis');
  const [container] = redis.spec.template.spec.containers;
  const args: string[] = container.args;
  assert.equal(args[args.indexOf('--requirepass') + 1], '$(REDIS_PASSWORD)');
  for (const name of ['REDIS_PASSWORD', 'REDISCLI_AUTH']) {
    const ref = container.env.find((e: Obj) => e.name === name).valueFrom.secretKeyRef;
    assert.deepEqual(ref, { name: 'slack-claude-bot', key: 'redis-password' }, name);
  }
  assert.ok(documentedSecretKeys().has('redis-password'));

  // The usage the Home tab shows is kept 8 days (docs/operations.md): it survives a restart.
  assert.equal(args[args.indexOf('--appendonly') + 1], 'yes');
  const data = container.volumeMounts.find((m: Obj) => m.mountPath === '/data');
  const volume = redis.spec.template.spec.volumes.find((v: Obj) => v.name === data?.name);
  assert.ok(
    find(objects, 'PersistentVolumeClaim', volume?.persistentVolumeClaim?.claimName),
    'a claimed volume',
  );
  assert.equal(redis.spec.strategy.type, 'Recreate', 'one pod at a time on a ReadWriteOnce volume');

  // The URL the docs write into redis-url names the Redis Service and port.
  const url = new URL(
    one(read('docs/operations.md'), /printf %s "(redis:\/\/[^"]+)" > redis-url/, 'the documented redis-url'),
  );
  const service = find(objects, 'Service', url.hostname);
  assert.ok(service, `${url.hostname} is the Redis Service`);
  assert.equal(url.port, String(container.ports[0].containerPort));
  assert.equal(url.password, '$P');
  assert.match(read('docs/operations.md'), /P=\$\(openssl rand -hex 24\); printf %s "\$P" > redis-password/);

  const policy = find(objects, 'NetworkPolicy', 'slack-claude-bot-redis');
  assert.deepEqual(policy.spec.podSelector.matchLabels, redis.spec.template.metadata.labels);
  assert.deepEqual(policy.spec.policyTypes, ['Ingress']);
  assert.equal(policy.spec.ingress.length, 1, 'one rule');
  const [rule] = policy.spec.ingress;
  const bot = find(objects, 'Deployment', 'slack-claude-bot');
  assert.deepEqual(
    rule.from,
    [{ podSelector: { matchLabels: bot.spec.template.metadata.labels } }],
    'from the bot only',
  );
  assert.deepEqual(rule.ports, [{ protocol: 'TCP', port: container.ports[0].containerPort }]);
});

test('every YAML file under deploy/kubernetes is applied by an overlay', () => {
  const applied = new Set<string>();
  const collect = (dir: string) => {
    applied.add(`${dir}/kustomization.yaml`);
    for (const r of (parse(read(`${dir}/kustomization.yaml`)) as Kustomization).resources ?? []) {
      const path = posix.normalize(`${dir}/${r}`);
      if (existsSync(new URL(`../../${path}/kustomization.yaml`, import.meta.url))) collect(path);
      else applied.add(path);
    }
  };
  for (const overlay of Object.keys(OVERLAYS)) collect(`${ROOT}/overlays/${overlay}`);
  for (const f of yamlFiles()) assert.ok(applied.has(`${ROOT}/${f}`), `${f} is applied`);
});
