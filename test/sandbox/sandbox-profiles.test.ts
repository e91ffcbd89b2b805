import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { PanelView } from '../../sandbox/page/view.js';
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
  // The operator's own file: the panel shows it, switching is refused with what to do instead.
  const { panel } = (await (await fetch(new URL('/api/state', sandbox.url))).json()) as { panel: PanelView };
  assert.equal(panel.profiles.editable, false);
  assert.equal(panel.profiles.places.find((p) => p.place === 'C0GENERAL')?.profile, 'research');
  const refused = await fetch(new URL('/api/profile', sandbox.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ place: 'C0GENERAL', profile: 'default' }),
  });
  assert.equal(refused.status, 400);
  assert.match(((await refused.json()) as { error: string }).error, /edit that file/);
});

test('the panel switches a channel’s profile: the next answer there is asked with it and says so', async (t) => {
  const sandbox = await startSandbox({ env: { LOG_LEVEL: 'silent' }, port: 0 });
  t.after(() => sandbox.close());
  const { sim } = sandbox;
  const state = async () => {
    const res = await fetch(new URL('/api/state', sandbox.url));
    return (await res.json()) as { panel: PanelView };
  };
  const profileOf = async (place: string) =>
    (await state()).panel.profiles.places.find((p) => p.place === place)?.profile;
  const switchTo = (place: string, profile: string) =>
    fetch(new URL('/api/profile', sandbox.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ place, profile }),
    });
  const ask = async (channel: string, text: string) => {
    const { message } = await sim.post({ user: 'U0ALICE', channel, text: `<@${sim.botUserId}> ${text}` });
    const [reply] = await waitForReplies(sim, channel, message.ts, 1, 15_000);
    return visibleText(reply!);
  };

  assert.equal(await profileOf('C0GENERAL'), 'default');
  assert.equal(await profileOf('G0PRIVATE'), 'research', '#project-x searches the web from the start');
  assert.match(await ask('C0GENERAL', 'who runs QA?'), /Answered with the \*\*default\*\* profile/);

  assert.equal((await switchTo('C0GENERAL', 'support')).status, 200);
  assert.equal(await profileOf('C0GENERAL'), 'support', 'the bot itself says #general gets support now');
  const support = await ask('C0GENERAL', 'who runs QA now?');
  assert.match(support, /Answered with the \*\*support\*\* profile/);
  const [request] = sandbox.claude.recentRequests(1);
  assert.match(request!.system, /help desk of Acme/);
  assert.equal(request!.maxTokens, 1000);

  const research = await ask('G0PRIVATE', 'what is new in Node?');
  assert.match(research, /Answered with the \*\*research\*\* profile/);
  assert.match(research, /\[A simulated search result\]\(https:\/\/example\.com\/simulated-result\)$/);

  const bad = await switchTo('C0GENERAL', 'nonsense');
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /unknown profile "nonsense"/);
  assert.equal(await profileOf('C0GENERAL'), 'support', 'a bad switch changes nothing');
});
