/**
 * No test asserts a wall-clock duration: on a busy machine "< 8000 ms" is noise, and what a test
 * should prove is an order of events, a count or what was received. Timings belong in bench/.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const TEST_DIR = new URL('../', import.meta.url);
const THIS_FILE = 'project/no-timed-tests.test.ts';

/** A clock read: whatever is computed from it in a test is a time. */
const CLOCK = /Date\.now\(\)|performance\.now\(\)|process\.hrtime/;
/** Fields that carry a measured duration (the simulated Slack's ack time, a process's start-up). */
const DURATION_FIELDS = /\.(ackMs|readyMs|urlMs|allInMs|startMs)\b/;

/** The text of each `assert…(…)` call, from its name to its closing parenthesis. */
function assertions(source: string): { line: number; text: string }[] {
  const found = [];
  for (const m of source.matchAll(/\bassert(?:\.\w+)?\(/g)) {
    let depth = 0;
    let end = m.index;
    for (; end < source.length; end++) {
      const c = source[end];
      // An escaped parenthesis is part of a regular expression or a string, not the call.
      if (source[end - 1] === '\\') continue;
      if (c === '(') depth++;
      if (c === ')' && --depth === 0) break;
    }
    found.push({ line: source.slice(0, m.index).split('\n').length, text: source.slice(m.index, end + 1) });
  }
  return found;
}

/**
 * The assertions in `source` that compare a time: a clock read, a name assigned from one, or a
 * duration field, on either side of `<`, `>`, `<=` or `>=`.
 */
function timedAssertions(source: string): { line: number; text: string }[] {
  const timed = new Set<string>();
  for (const m of source.matchAll(/(?:const|let|var)\s+(\w+)\s*=\s*([^;]*)/g)) {
    if (CLOCK.test(m[2] ?? '')) timed.add(m[1] as string);
  }
  const names = timed.size ? new RegExp(`\\b(${[...timed].join('|')})\\b`) : undefined;
  const isTime = (operand: string) =>
    CLOCK.test(operand) || DURATION_FIELDS.test(operand) || (names?.test(operand) ?? false);
  // A comparison operator with space around it (not `<` inside a string or a regular expression),
  // and its operands up to the nearest comma.
  return assertions(source).filter(({ text }) =>
    [...text.matchAll(/\s[<>]=?\s/g)].some((op) => {
      const left = text.slice(0, op.index).split(',').pop() ?? '';
      const right = text.slice(op.index + op[0].length).split(',')[0] ?? '';
      return isTime(left) || isTime(right);
    }),
  );
}

function testFiles(dir: URL, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return testFiles(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`);
    return e.name.endsWith('.ts') ? [`${prefix}${e.name}`] : [];
  });
}

test('no test file asserts a wall-clock duration', () => {
  const found = testFiles(TEST_DIR)
    .filter((f) => f !== THIS_FILE)
    .flatMap((f) =>
      timedAssertions(readFileSync(new URL(f, TEST_DIR), 'utf8')).map(
        (a) => `test/${f}:${a.line}: ${a.text}`,
      ),
    );
  assert.deepEqual(found, [], 'assert an order, a count or what was received; time it in bench/');
});

test('the scan catches planted duration assertions and lets values under test be', () => {
  const planted = [
    'const signalled = Date.now();\nkill();\nconst ms = Date.now() - signalled;\nassert.ok(ms < 8000, "exited too late");',
    'const started = Date.now();\nawait run();\nconst seconds = (Date.now() - started) / 1000;\nassert.ok(seconds >= 11);',
    'const t0 = performance.now();\nawait go();\nassert.ok(\n  performance.now() - t0 <= 150,\n  "too slow",\n);',
    'const ack = await sim.slashCommand(cmd);\nassert.ok(ack.ackMs < 1000, "slow ack");',
  ];
  for (const source of planted) assert.equal(timedAssertions(source).length, 1, source);
  const fine = [
    // A parsed window is a value under test, not a time measured.
    'for (const w of windows) assert.ok(w.seconds >= 60 && w.seconds <= MAX_DURATION_SECONDS);',
    // A timestamp used to build input, then an order asserted.
    'const ts = Math.floor(Date.now() / 1000);\nassert.equal(res.status, 200);',
    "assert.ok(replies.every((m) => m.streaming), 'still streaming');",
  ];
  for (const source of fine) assert.deepEqual(timedAssertions(source), [], source);
});
