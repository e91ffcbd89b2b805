/**
 * `npm run bench`: the real bot against the simulated Slack and the fake Claude on 127.0.0.1,
 * each figure next to a baseline measured in the same run. Prints a markdown table.
 *
 * Settings (env): BENCH_SECONDS (steady ack load, default 30, after BENCH_ACK_WARMUP s, 5),
 * BENCH_RATE (mentions/s, 100),
 * BENCH_BURST (500), BENCH_SAMPLES (latency samples, 30), BENCH_CAPACITY_SECONDS (measured
 * window, 20), BENCH_CAPACITY_WARMUP (35), BENCH_BUILD (0: use dist/ as it is),
 * BENCH_RPM (600), BENCH_QUEUED (1000), BENCH_REDIS_URL (redis://127.0.0.1:6379),
 * BENCH_KILLS (replicas killed for the takeover row, 10), BENCH_LEASE_MS (their lease, 2000),
 * BENCH_STARTS (start-ups of the bot and of bare Bolt, taken in turn, medians kept, 3),
 * BENCH_SKIP (comma-separated: ack, overhead, files, cache, capacity, capacity2, process (idle and
 * queued memory, start-up), file-memory, format, takeover, prompt-cache, stream-quota,
 * workspace-quota), BENCH_ONLY (comma-separated, same names: run just those; or name them as arguments,
 * `npm run bench -- process`), BENCH_FORMAT_KB (answer sizes, 20,40),
 * BENCH_QUOTA_MENTIONS (mentions in one workspace for the stream-quota row, 40) over
 * BENCH_QUOTA_SECONDS (30); the workspace-quota row: BENCH_WQ_QUESTIONS (workspace B's questions in
 * each phase, 9: both phases and a first question within B's own 20 stream starts a minute), BENCH_WQ_BURST (workspace A's mentions, 40) within BENCH_WQ_SECONDS (15).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { measureAcks } from './ack.js';
import { measureCapacity } from './capacity.js';
import { measureFiles } from './files.js';
import { measureFormat } from './format.js';
import { measureCache, measureOverhead } from './latency.js';
import { measureFileMemory, measureProcesses } from './process.js';
import { measurePromptCache } from './prompt-cache.js';
import { mb, ms, pct, type Row, ratio, signed, table } from './stats.js';
import { measureStreamQuota } from './stream-quota.js';
import { measureTakeover } from './takeover.js';
import { measureWorkspaceQuota } from './workspace-quota.js';

function num(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const o = {
  seconds: num('BENCH_SECONDS', 30),
  warmupSeconds: num('BENCH_ACK_WARMUP', 5),
  rate: num('BENCH_RATE', 100),
  burst: num('BENCH_BURST', 500),
  samples: num('BENCH_SAMPLES', 30),
  capacitySeconds: num('BENCH_CAPACITY_SECONDS', 20),
  capacityWarmup: num('BENCH_CAPACITY_WARMUP', 35),
  rpm: num('BENCH_RPM', 600),
  queued: num('BENCH_QUEUED', 1000),
  starts: num('BENCH_STARTS', 3),
  quotaMentions: num('BENCH_QUOTA_MENTIONS', 40),
  quotaSeconds: num('BENCH_QUOTA_SECONDS', 30),
  wqQuestions: num('BENCH_WQ_QUESTIONS', 9),
  wqBurst: num('BENCH_WQ_BURST', 40),
  wqSeconds: num('BENCH_WQ_SECONDS', 15),
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  kills: num('BENCH_KILLS', 10),
  leaseMs: num('BENCH_LEASE_MS', 2000),
  skip: new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean)),
  // `npm run bench -- process` is BENCH_ONLY=process.
  only: new Set([...(process.env.BENCH_ONLY ?? '').split(','), ...process.argv.slice(2)].filter(Boolean)),
  formatKb: (process.env.BENCH_FORMAT_KB ?? '20,40')
    .split(',')
    .map(Number)
    .filter((n) => n > 0),
};

/** Whether a phase is left out: named in BENCH_SKIP, or BENCH_ONLY names others. */
const skipped = (phase: string) => o.skip.has(phase) || (o.only.size > 0 && !o.only.has(phase));

const rows: Row[] = [];
const began = Date.now();
const step = (name: string) =>
  process.stderr.write(`bench: ${name}… (${((Date.now() - began) / 1000).toFixed(0)} s)\n`);

/** Ack, capacity, memory and start-up run dist/main.js, as the Docker image does: build it when stale. */
function built(): boolean {
  const main = 'dist/main.js';
  const newest = (readdirSync('src', { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .reduce((t, f) => Math.max(t, statSync(`src/${f}`).mtimeMs), 0);
  if (existsSync(main) && statSync(main).mtimeMs >= newest) return true;
  if (process.env.BENCH_BUILD === '0') return existsSync(main);
  step('building dist/ (npm run build)');
  return spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' }).status === 0;
}

const hasDist = ['ack', 'capacity', 'capacity2', 'process', 'file-memory'].every((k) => skipped(k))
  ? false
  : built();
/** The goals for the built bot against bare Bolt, measured in the same run. */
const IDLE_RSS_OVER_BARE_MB = 20;
const START_RATIO_GOAL = 1.5;

if (!skipped('overhead')) {
  step('overhead, echo app');
  const echo = await measureOverhead('echo', o.samples);
  step('overhead, bot');
  const bot = await measureOverhead('bot', o.samples);
  rows.push({
    measure: '2a. app_mention event sent → Claude request received, p50 / p99',
    bot: `${ms(bot.toClaude.p50)} / ${ms(bot.toClaude.p99)}`,
    baseline: `echo app: ${ms(echo.toClaude.p50)} / ${ms(echo.toClaude.p99)}`,
    compared: `${signed(ms, bot.toClaude.p50 - echo.toClaude.p50)} p50`,
    goal: '< 15 ms p50',
  });
  rows.push({
    measure: '2b. Claude first token → first text sent to Slack, p50 / p99',
    bot: `${ms(bot.toSlack.p50)} / ${ms(bot.toSlack.p99)}`,
    baseline: `echo app: ${ms(echo.toSlack.p50)} / ${ms(echo.toSlack.p99)}`,
    compared: `${signed(ms, bot.toSlack.p50 - echo.toSlack.p50)} p50`,
    goal: '< 250 ms p50',
  });
}

if (!skipped('files')) {
  step('files: screenshot and PDF');
  const f = await measureFiles(Math.max(5, Math.round(o.samples / 3)));
  for (const [what, r] of [
    ['a 5 MB screenshot', f.screenshot],
    ['a 30-page PDF (1.5 MB)', f.pdf],
  ] as const) {
    rows.push({
      measure: `2c. app_mention event sent → Claude request received, with ${what}, p50 / p99`,
      bot: `${ms(r.p50)} / ${ms(r.p99)}`,
      baseline: `same question, no file: ${ms(f.none.p50)} / ${ms(f.none.p99)}`,
      compared: `${signed(ms, r.p50 - f.none.p50)} p50`,
      goal: '',
    });
  }
}

if (!skipped('capacity') && hasDist) {
  step(`capacity, one replica (${o.capacityWarmup} + ${o.capacitySeconds} s)`);
  const one = await measureCapacity({
    requestsPerMinute: o.rpm,
    seconds: o.capacitySeconds,
    warmupSeconds: o.capacityWarmup,
    replicas: 1,
    redisUrl: o.redisUrl,
  });
  rows.push({
    measure: `3. Claude requests/min achieved, ${one.offeredPerMinute}/min offered, one replica`,
    bot: `${one.achievedPerMinute.toFixed(0)}/min, ${one.limited} 429s`,
    baseline: `limit ${o.rpm}/min`,
    compared: pct(one.achievedPerMinute / o.rpm),
    goal: '≥ 95%, 0 429s',
  });
}
if (!skipped('capacity2') && hasDist) {
  step(`capacity, two replicas sharing Redis (${o.capacityWarmup} + ${o.capacitySeconds} s)`);
  const two = await measureCapacity({
    requestsPerMinute: o.rpm,
    seconds: o.capacitySeconds,
    warmupSeconds: o.capacityWarmup,
    replicas: 2,
    redisUrl: o.redisUrl,
  });
  rows.push({
    measure: `3. Claude requests/min achieved, ${two.offeredPerMinute}/min offered, two replicas (Redis)`,
    bot: `${two.achievedPerMinute.toFixed(0)}/min, ${two.limited} 429s`,
    baseline: `limit ${o.rpm}/min`,
    compared: pct(two.achievedPerMinute / o.rpm),
    goal: '≥ 95%, 0 429s',
  });
}

if (!skipped('cache')) {
  step('cache and single-flight');
  const c = await measureCache(o.samples, 20);
  rows.push({
    measure: '4. event → first text, cache hit vs miss, p50 / p99',
    bot: `hit ${ms(c.hit.p50)} / ${ms(c.hit.p99)}`,
    baseline: `miss ${ms(c.miss.p50)} / ${ms(c.miss.p99)}`,
    compared: ratio(c.hit.p50, c.miss.p50),
    goal: 'hit faster than miss',
  });
  rows.push({
    measure: `4. single-flight: ${c.identical} identical questions at once`,
    bot: `${c.claudeCalls} Claude call${c.claudeCalls === 1 ? '' : 's'}`,
    baseline: `${c.identical} calls without it`,
    compared: `${pct(1 - c.claudeCalls / c.identical)} joined`,
    goal: '1 call',
  });
}

if (!skipped('stream-quota')) {
  step(`stream quota: ${o.quotaMentions} mentions in one workspace over ${o.quotaSeconds} s`);
  const { burst, alone } = await measureStreamQuota(o.quotaMentions, o.quotaSeconds);
  rows.push({
    measure: `${o.quotaMentions} mentions in ${o.quotaSeconds} s, one workspace (chat.startStream Tier 2): last whole answer after the first mention; \`ratelimited\` from Slack; answers posted instead of streamed`,
    bot: `${ms(burst.lastAnswerMs)}; ${burst.ratelimited} ratelimited; ${burst.posted} posted`,
    baseline: `one question alone: ${ms(alone.lastAnswerMs)}`,
    compared: `last answer ${ms(burst.tailMs)} after the last mention (${ratio(burst.tailMs, alone.lastAnswerMs)})`,
    goal: '≤ 45 s; ≤ 1 ratelimited a minute; no error text',
  });
}

if (!skipped('workspace-quota')) {
  step(
    `workspace quota: workspace B's ${o.wqQuestions} questions alone, then beside ${o.wqBurst} mentions in workspace A within ${o.wqSeconds} s`,
  );
  const r = await measureWorkspaceQuota(o.wqQuestions, o.wqBurst, o.wqSeconds);
  rows.push({
    measure: `workspace B's answers (one a second) while workspace A is past Slack's tiers (${o.wqBurst} mentions in ${o.wqSeconds} s): mention → first words, p50 / p95; → whole answer, p50 / p95`,
    bot: `${ms(r.beside.firstP50)} / ${ms(r.beside.firstP95)}; ${ms(r.beside.p50)} / ${ms(r.beside.p95)}; ${r.postedB} of B's posted instead of streamed, ${r.ratelimitedB} ratelimited in B (A: ${r.ratelimitedA}; ${r.postedA} of A's answers posted, all whole after ${ms(r.lastAnswerA)})`,
    baseline: `B alone: ${ms(r.alone.firstP50)} / ${ms(r.alone.firstP95)}; ${ms(r.alone.p50)} / ${ms(r.alone.p95)}`,
    compared: `first words p95 ${ratio(r.beside.firstP95, r.alone.firstP95)}; whole p50 ${ratio(r.beside.p50, r.alone.p50)}, p95 ${ratio(r.beside.p95, r.alone.p95)}`,
    goal: 'B unchanged (≤ 1.2×), every answer of B streamed, 0 ratelimited in B',
  });
}

if (!skipped('format')) {
  const [small, large] = o.formatKb;
  step(`formatting hostile answers (${o.formatKb.join(', ')} KB)`);
  const results = [];
  for (const kb of o.formatKb) results.push(await measureFormat(kb));
  for (const r of results) {
    rows.push({
      measure: `7. formatting a streamed answer of ${r.kb} KB, one repeated character vs prose, per KB`,
      bot: `${ms(r.hostileMsPerKb)}/KB (worst: ${JSON.stringify(r.worstChar)}), longest event-loop stall ${ms(r.hostileStallMs)}`,
      baseline: `prose: ${ms(r.proseMsPerKb)}/KB, stall ${ms(r.proseStallMs)}`,
      compared: ratio(r.hostileMsPerKb, r.proseMsPerKb),
      goal: '≤ 3× prose',
    });
  }
  const [a, b] = [results[0], results[1]];
  if (a && b && small && large) {
    rows.push({
      measure: `7. formatting time of the worst hostile answer, ${large} KB vs ${small} KB`,
      bot: ms(b.hostileMsPerKb * large),
      baseline: `${small} KB: ${ms(a.hostileMsPerKb * small)}`,
      compared: ratio(b.hostileMsPerKb * large, a.hostileMsPerKb * small),
      goal: `≤ ${(large / small).toFixed(0)}× (linear)`,
    });
  }
}

if (!skipped('takeover')) {
  step(`durable questions: ${o.kills} replicas killed mid-answer (lease ${o.leaseMs} ms)`);
  const k = await measureTakeover({ kills: o.kills, leaseMs: o.leaseMs, questions: o.samples });
  rows.push({
    measure: `8. replica killed (SIGKILL) during a Claude call → answer by another replica, p50 / p99 / max, ${o.kills} kills`,
    bot: `${ms(k.takeover.p50)} / ${ms(k.takeover.p99)} / ${ms(k.takeover.max)}`,
    baseline: `lease ${ms(k.leaseMs)} (+ a sweep every third of it)`,
    compared: `p99 ${ratio(k.takeover.p99, k.leaseMs)} the lease`,
    goal: '≤ lease × 1.34 + answer',
  });
  rows.push({
    measure: '8. Redis commands per question (one replica, one at a time, beyond the idle heartbeat)',
    bot: `${k.perQuestion.toFixed(1)}, of which ${k.durablePerQuestion.toFixed(1)} for the durable job`,
    baseline: '',
    compared: '',
    goal: '',
  });
}

if (!skipped('process') && hasDist) {
  step(`memory and start-up (${o.starts} starts each, ${o.queued} queued)`);
  const p = await measureProcesses(o.queued, o.starts);
  const over = p.bot.idleRss - p.bare.idleRss;
  rows.push({
    measure: `5. RSS idle (median of ${p.starts} starts)`,
    bot: `${mb(p.bot.idleRss)} (main thread's V8 heap ${mb(p.bot.idleHeap)})`,
    baseline: `bare Bolt: ${mb(p.bare.idleRss)}`,
    compared: `bare ${signed(mb, over)} (${ratio(p.bot.idleRss, p.bare.idleRss)})`,
    goal: `≤ bare + ${IDLE_RSS_OVER_BARE_MB} MB: ${over <= IDLE_RSS_OVER_BARE_MB * 1024 * 1024 ? 'met' : 'not met'}`,
  });
  rows.push({
    measure: `5. RSS with ${p.bot.queued} requests queued`,
    bot: `${mb(p.bot.queuedRss)} (main thread's V8 heap ${mb(p.bot.queuedHeap)})`,
    baseline: `idle: ${mb(p.bot.idleRss)}`,
    compared: signed(mb, p.bot.queuedRss - p.bot.idleRss),
    goal: '+1,000 queued ≤ 50 MB',
  });
  const startRatio = p.bot.startMs / p.bare.startMs;
  rows.push({
    measure: `6. start-up: process spawned → ready (as the Docker image starts it), median of ${p.starts}`,
    bot: ms(p.bot.startMs),
    baseline: `bare Bolt: ${ms(p.bare.startMs)}`,
    compared: `${ratio(p.bot.startMs, p.bare.startMs)} (${signed(ms, p.bot.startMs - p.bare.startMs)})`,
    goal: `≤ ${START_RATIO_GOAL}×: ${startRatio <= START_RATIO_GOAL ? 'met' : 'not met'}`,
  });
}

if (!skipped('file-memory') && hasDist) {
  for (const concurrent of [5, 20]) {
    step(`memory with 20 file questions, ${concurrent} at a time`);
    const f = await measureFileMemory(20, concurrent);
    rows.push({
      measure: `5. RSS peak, 20 questions at once each with a ${mb(f.fileBytes)} screenshot (scaled to 1,568 px, sent base64), CLAUDE_MAX_CONCURRENT=${concurrent}${concurrent === 5 ? ' (the default)' : ''}, FILES_MEMORY_MAX_BYTES 50 MB`,
      bot: `${mb(f.peakRss)}, ${f.sent} sent to Claude in ${ms(f.allInMs)}, the rest waiting`,
      baseline: `idle: ${mb(f.idleRss)}`,
      compared: signed(mb, f.peakRss - f.idleRss),
      goal: '≤ 512 MiB (the Kubernetes limit)',
    });
  }
}

if (!skipped('prompt-cache')) {
  step('prompt cache, without and with channel profiles');
  const c = await measurePromptCache();
  const share = (r: typeof c.plain) =>
    `${pct(r.share)} of ${r.input.toLocaleString('en-US')} input tokens (${r.requests} requests)`;
  rows.push({
    measure:
      '9. input tokens read from the prompt cache, 3 channels × 4 threads × 4 questions, each channel its own profile (prompt, tools)',
    bot: share(c.profiled),
    baseline: `same questions, no profiles: ${share(c.plain)}`,
    compared: `${signed((n) => `${(n * 100).toFixed(1)} points`, c.profiled.share - c.plain.share)}`,
    goal: 'no lower than without profiles',
  });
}

// Last: it lowers this thread's priority while it runs, and threads started meanwhile (libuv's
// pool) would keep the lower priority for the phases after it. Its rows still come first.
if (!skipped('ack') && hasDist) {
  const ackRows: Row[] = [];
  step('ack latency, bare Bolt app');
  const bare = await measureAcks('bare', o);
  step('ack latency, bot');
  const bot = await measureAcks('bot', o);
  step("ack latency, bare Bolt app beside the bot's answers");
  const loaded = await measureAcks('bare-beside-bot', o);
  for (const phase of ['steady', 'burst'] as const) {
    const cpu = (r: { cpu: number }) => (phase === 'steady' ? `, CPU ${pct(r.cpu)} of a core` : '');
    const b = bot[phase];
    const f = bare[phase];
    const what = phase === 'steady' ? `${o.rate} mentions/s for ${o.seconds} s` : `burst of ${o.burst}`;
    ackRows.push({
      measure: `1. ack p50 / p99 / max, ${what} (Claude 2 s per answer)`,
      bot: `${ms(b.p50)} / ${ms(b.p99)} / ${ms(b.max)}${b.failed ? `, ${b.failed} of ${b.events} not acked` : ''}${cpu(bot)}`,
      baseline: `bare Bolt: ${ms(f.p50)} / ${ms(f.p99)} / ${ms(f.max)}${cpu(bare)}`,
      compared: `p99 ${ratio(b.p99, f.p99)}`,
      goal: 'p99 ≤ 1.2× bare and < 20 ms',
    });
  }
  // The same load with the answer work moved out of the way: what acks can be at best on these cores.
  for (const phase of ['steady', 'burst'] as const) {
    const b = bot[phase];
    const l = loaded[phase];
    const what = phase === 'steady' ? `${o.rate} mentions/s` : `burst of ${o.burst}`;
    ackRows.push({
      measure: `1. ack p50 / p99 / max, ${what}, against the floor under the same CPU load`,
      bot: `${ms(b.p50)} / ${ms(b.p99)} / ${ms(b.max)}`,
      baseline: `bare Bolt, with the bot answering beside it at the lowest CPU priority: ${ms(l.p50)} / ${ms(l.p99)} / ${ms(l.max)}${l.failed ? `, ${l.failed} of ${l.events} not acked` : ''}`,
      compared: `p99 ${ratio(b.p99, l.p99)}`,
      goal: '',
    });
  }
  if (bot.inside) {
    ackRows.push({
      measure:
        '1. ack inside the bot (request verified → acked, in the receiving thread), both phases, p50 / p99',
      bot: `≤ ${ms(bot.inside.p50)} / ≤ ${ms(bot.inside.p99)} (histogram buckets)`,
      baseline: '',
      compared: '',
      goal: '',
    });
  }
  rows.unshift(...ackRows);
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${mb(totalmem())} RAM, Node ${process.version}`;
process.stdout.write(
  `\nMachine: ${machine}. Total ${((Date.now() - began) / 1000).toFixed(0)} s.\n\n${table(rows)}\n`,
);
