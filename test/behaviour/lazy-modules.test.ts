/**
 * Heavy modules load when first needed, not at start: sharp with the first image, the YAML parser
 * and zod (the profiles file’s schema) with a profiles file, croner with its routines, node:sqlite
 * with STATE_DIR, the Anthropic SDK with the first question (the start-up model check is a plain
 * fetch). The modules a started bot has loaded are recorded by a loader hook
 * (test/support/record-loads.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startChild } from '../support/child.js';
import { botEnv, startFakes } from '../support/rig.js';

const HOOK = fileURLToPath(new URL('../support/record-loads.ts', import.meta.url));

/** Which of the heavy modules a bot started with `env` has loaded once it is ready. */
async function heavyLoadedAtStart(
  t: TestContext,
  env: Record<string, string> = {},
  /** Done once the bot is ready, before its loads are read. */
  then?: (fakes: Awaited<ReturnType<typeof startFakes>>, port: number) => Promise<void>,
) {
  const { sim, claude } = await startFakes(t);
  const dir = mkdtempSync(join(tmpdir(), 'loads-'));
  const file = join(dir, 'loaded.txt');
  const bot = startChild(
    t,
    'src/main.ts',
    { ...botEnv(sim, claude), RECORD_LOADS_FILE: file, ...env },
    undefined,
    ['--import', HOOK],
  );
  const port = await bot.ready;
  await then?.({ sim, claude }, port);
  const loaded = readFileSync(file, 'utf8');
  assert.match(loaded, /@slack\/bolt/, 'the hook recorded the start');
  return [
    ['sharp', /\/node_modules\/sharp\/|^require:sharp$/m],
    ['yaml', /\/node_modules\/yaml\/|^require:yaml$/m],
    ['zod', /\/node_modules\/zod\/|^require:zod$/m],
    ['croner', /\/node_modules\/croner\/|^require:croner$/m],
    ['node:sqlite', /^(require:)?node:sqlite$/m],
    ['@anthropic-ai/sdk', /\/node_modules\/@anthropic-ai\/sdk\/|^require:@anthropic-ai\/sdk/m],
    // prom-client requires it at load, and gets a stand-in (src/platform/metrics.ts); the SDK imports it.
    // (Under tsx a required file is seen by its request only: the API's own files are named so.)
    [
      '@opentelemetry/api',
      /\/node_modules\/@opentelemetry\/api\/|^require:\.\/(context|diag|trace)-api\.cjs$/m,
    ],
  ]
    .filter(([, re]) => (re as RegExp).test(loaded))
    .map(([name]) => name);
}

test('a bot started without profiles or STATE_DIR has loaded neither sharp, nor the YAML parser or zod, nor node:sqlite, nor the Anthropic SDK or the OpenTelemetry API', async (t) => {
  assert.deepEqual(await heavyLoadedAtStart(t), []);
});

test('the check sees them once they are needed: a profiles file loads the YAML parser and zod, its routines croner, STATE_DIR node:sqlite', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lazy-'));
  const profiles = join(dir, 'profiles.yaml');
  writeFileSync(
    profiles,
    'default:\n  max_tokens: 500\nroutines:\n  - { name: d, schedule: "0 9 * * *", summarize: "#general", post_to: "#general" }\n',
  );
  assert.deepEqual(
    await heavyLoadedAtStart(t, { CLAUDE_PROFILES_FILE: profiles, STATE_DIR: join(dir, 'state') }),
    ['yaml', 'zod', 'croner', 'node:sqlite'],
  );
});

test('the check sees the Anthropic SDK once a question is asked', async (t) => {
  const loaded = await heavyLoadedAtStart(t, {}, async ({ sim, claude }, port) => {
    sim.connectHttp({ eventsUrl: `http://127.0.0.1:${port}/slack/events` });
    await sim.post({ user: 'U0ALICE', channel: 'C0GENERAL', text: `<@${sim.botUserId}> hello?` });
    // The SDK loads first (under tsx, with the machine busy, that can take seconds).
    await claude.waitForRequests(1, 30_000);
  });
  assert.deepEqual(loaded, ['@anthropic-ai/sdk', '@opentelemetry/api']);
});
