import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadProfiles } from '../../../../src/features/profiles/schema.js';

function load(routines: unknown): ReturnType<typeof loadProfiles> | string {
  const dir = mkdtempSync(path.join(tmpdir(), 'routines-schema-'));
  const file = path.join(dir, 'p.json');
  writeFileSync(file, JSON.stringify({ routines }));
  try {
    return loadProfiles(file);
  } catch (err) {
    return (err as Error).message.replace(`${file}: `, '');
  }
}

const OK = { name: 'morning', schedule: '0 9 * * 1-5', summarize: '#incidents', post_to: 'C0LEADS' };

test('routines in the profiles file: defaults, and one-line errors naming the routine and the field', () => {
  const set = load([
    { ...OK, timezone: 'Europe/Paris', window: '24h', as: 'canvas', prompt: 'Decisions first.' },
  ]);
  assert.ok(typeof set !== 'string', String(set));
  assert.deepEqual(set.routines[0], {
    name: 'morning',
    schedule: '0 9 * * 1-5',
    timezone: 'Europe/Paris',
    summarize: '#incidents',
    window: { seconds: 86_400, text: '24h' },
    postTo: 'C0LEADS',
    as: 'canvas',
    prompt: 'Decisions first.',
  });
  const plain = load([OK]);
  assert.ok(typeof plain !== 'string');
  assert.equal(plain.routines[0]?.timezone, 'UTC');
  assert.equal(plain.routines[0]?.as, 'message');
  assert.equal(plain.routines[0]?.window, undefined, 'since the last run');

  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ schedule: '0 9 * *' }, /^CLAUDE_PROFILES_FILE routine "morning": schedule: expected 5 cron fields/],
    [{ schedule: '0 25 * * *' }, /routine "morning": schedule: .*hour/i],
    [{ schedule: '0 0 9 * * *' }, /routine "morning": schedule: expected 5 cron fields/],
    [{ timezone: 'Mars/Olympus' }, /routine "morning": timezone: expected an IANA time zone/],
    [{ summarize: 'general' }, /routine "morning": summarize: expected a channel id/],
    [{ post_to: '#leads-*' }, /routine "morning": post_to: expected a channel id/],
    [{ window: '3y' }, /routine "morning": window: expected a count/],
    [{ window: 5000 }, /routine "morning": window: expected a count/],
    [{ as: 'email' }, /routine "morning": as: /],
    [{ retries: 3 }, /routine "morning": unknown field retries/],
  ];
  for (const [change, expected] of cases) {
    const message = load([{ ...OK, ...change }]);
    assert.equal(typeof message, 'string', JSON.stringify(change));
    assert.match(message as string, expected);
    assert.ok(!(message as string).includes('\n'), 'one line');
  }
  assert.match(String(load([OK, OK])), /routine "morning": name: used by an earlier routine/);
});
