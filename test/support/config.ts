import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../src/config/config.js';

/** The smallest valid environment. */
export const baseEnv = {
  SLACK_BOT_TOKEN: 'xoxb-1-abc',
  SLACK_SIGNING_SECRET: 'secret-for-tests',
  ANTHROPIC_API_KEY: 'sk-ant-test',
};

/** The one-line start-up error for `env` (fails the test if there is none, or it is not one line). */
export function configErrorOf(env: Record<string, string | undefined>): string {
  try {
    parseConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
    assert.ok(!err.message.includes('\n'), 'the error is one line');
    return err.message;
  }
  assert.fail('expected a configuration error');
}
