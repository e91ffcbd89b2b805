import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { gatherOutput } from '../support/child.js';

/** `npm run bench` in a tiny configuration: every phase runs and the table comes out. */
test('the benchmark runs end to end and prints its table', { timeout: 240_000 }, async () => {
  // Ack, capacity, memory and start-up run dist/main.js (CI builds before testing); never build here, it is slow.
  const withDist = existsSync('dist/main.js');
  const env = {
    ...process.env,
    BENCH_SECONDS: '1',
    BENCH_RATE: '20',
    BENCH_BURST: '20',
    BENCH_SAMPLES: '3',
    BENCH_CAPACITY_SECONDS: '1',
    BENCH_CAPACITY_WARMUP: '1',
    BENCH_QUEUED: '20',
    BENCH_STARTS: '1',
    BENCH_KILLS: '2',
    BENCH_LEASE_MS: '1000',
    BENCH_BUILD: '0',
    BENCH_FORMAT_KB: '2,4',
    // workspace-quota has a fixed size (two workspaces, 18 questions a second apart, 40 mentions):
    // 40 s to two minutes, too long for the suite; `npm run bench -- workspace-quota` runs it.
    BENCH_SKIP: withDist ? 'workspace-quota' : 'workspace-quota,ack,capacity,capacity2,process,file-memory',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts'], { env });
  const output = gatherOutput(child);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const out = output.stdout();
  const err = output.stderr();
  assert.equal(code, 0, `bench failed:\n${err}`);
  assert.match(out, /^Machine: \d+ × .+, Node v\d+/m);
  assert.match(out, /\| measure \| bot \| baseline \| bot vs baseline \| goal \|/);
  const rows = out.split('\n').filter((l) => /^\| \d[a-z]?\. /.test(l));
  const expected = withDist ? 24 : 12;
  assert.equal(rows.length, expected, out);
  for (const row of rows) assert.doesNotMatch(row, /NaN|undefined/, row);
  assert.match(out, /single-flight: 20 identical questions at once \| 1 Claude call \|/);
  if (withDist) assert.match(out, /two replicas \(Redis\) \| \d+\/min, 0 429s/);
});
