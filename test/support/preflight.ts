/**
 * What the suite needs, checked once before any test runs (`npm test` runs this first): a Redis
 * that answers (REDIS_URL, else 127.0.0.1:6379) and Chromium for the sandbox page's tests. A missing
 * one stops the run within seconds with one line naming it and the fix, instead of tests timing out
 * on it one by one.
 */
import { existsSync } from 'node:fs';
import { CHROMIUM } from '../sandbox/browser.js';
import { redisProblem } from './redis-check.js';

const problems = [
  await redisProblem(),
  existsSync(CHROMIUM)
    ? undefined
    : `Tests need Chromium at ${CHROMIUM} (the sandbox page's browser tests): sudo apt-get install -y chromium`,
].filter((p): p is string => p !== undefined);
if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n`);
  process.exit(1);
}
