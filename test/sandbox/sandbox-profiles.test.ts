import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startSandbox } from '../../sandbox/sandbox.js';
import { visibleText, waitForReplies } from '../support/visible.js';

test('the offline model searches the web once where the channel’s profile allows it; the panel shows the tools', async (t) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sandbox-profiles-')), 'profiles.yml');
  writeFileSync(file, 'profiles:\n  - name: research\n    channels: ["#general"]\n    web_search: true\n');
  const sandbox = await startSandbox({ env: { LOG_LEVEL: 'silent', CLAUDE_PROFILES_FILE: file }, port: 0 });
  t.after(() => sandbox.close());
  const { sim } = sandbox;
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> what is new?`,
  });
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts, 1, 15_000);
  assert.match(
    visibleText(reply!),
    /\*\*Sources\*\*\n- \[A simulated search result\]\(https:\/\/example\.com\/simulated-result\)$/,
  );
  assert.deepEqual(sandbox.claude.recentRequests(1)[0]?.tools, ['web_search']);
});
