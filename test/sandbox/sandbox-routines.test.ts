import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { WorkspaceView } from '../../sandbox/page/view.js';
import { startSandbox } from '../../sandbox/sandbox.js';
import { testClock } from '../support/routines.js';
import { launchBrowser, openPage, screenshot } from './browser.js';

/** The sandbox (closed after the test) with its routines on a clock the test moves. */
async function routineSandbox(t: TestContext) {
  const clock = testClock();
  const sandbox = await startSandbox({
    env: { LOG_LEVEL: 'silent' },
    port: 0,
    routines: { now: clock.now, tickMs: 10 },
  });
  t.after(() => sandbox.close());
  return { sandbox, sim: sandbox.sim, clock };
}

test('the sandbox shows routines: every minute a digest of #general in #digests, and the canvas it updates, on the page', async (t) => {
  const { sandbox, sim, clock } = await routineSandbox(t);
  const start = clock.minute();
  // Something new in #general during the minute.
  await sim.post({ user: 'U0ALICE', channel: 'C0GENERAL', text: 'We decided to demo routines on Friday.' });
  const state = async () =>
    ((await (await fetch(new URL('/api/state', sandbox.url))).json()) as { workspace: WorkspaceView })
      .workspace;
  // The routines see their first slot from the start, and run at the next one.
  await sandbox.bot.routines.tick();
  clock.set(Math.max(start + 60_000, Date.now() + 1000));
  const digest = await sim.waitFor(
    () => sim.messages('C0DIGESTS').find((m) => /Digest of #general/.test(m.text)),
    { timeoutMs: 15_000, what: 'the digest in #digests' },
  );
  assert.match(JSON.stringify(digest.blocks), /Friday/);
  // The message that showed the plan while it was written keeps it, complete, above the digest.
  const plan = (digest.blocks as Array<{ type: string; tasks?: Array<{ status: string }> }>).find(
    (b) => b.type === 'plan',
  );
  assert.ok(plan?.tasks?.length && plan.tasks.every((x) => x.status === 'complete'));
  const canvas = await sim.waitFor(() => sim.canvases()[0], { timeoutMs: 15_000, what: 'the canvas' });
  clock.set(clock.now() + 60_000);
  await sim.waitFor(() => canvas.edits >= 1, { timeoutMs: 15_000, what: 'the next minute’s section' });
  const page = await state();
  const shown = page.canvases.find((c) => c.id === canvas.id);
  assert.equal(shown?.channel, 'C0DIGESTS', 'tabbed in #digests');
  assert.equal(shown?.markdown.match(/^## /gm)?.length, 2, 'one dated section a minute');
  assert.ok(page.conversations.some((c) => c.id === 'C0DIGESTS'));
});

test('the page shows a routine’s plan in #digests while its digest is written', async (t) => {
  const { sandbox, sim, clock } = await routineSandbox(t);
  await sim.post({ user: 'U0ALICE', channel: 'C0GENERAL', text: 'We decided to demo routines on Friday.' });
  await sandbox.bot.routines.tick();
  // Claude takes its time: the plan stays under way.
  sandbox.claude.setFault('timeout');
  clock.set(Math.max(clock.minute() + 60_000, Date.now() + 1000));
  await sim.waitFor(
    () => sim.messages('C0DIGESTS').find((m) => /Writing the digest of #general/.test(m.text)),
    {
      timeoutMs: 15_000,
      what: 'the routine’s plan in #digests',
    },
  );
  const browser = await launchBrowser(t);
  const { page, errors } = await openPage(browser, sandbox.url);
  await page.locator('[data-channel="C0DIGESTS"]').click();
  const plan = page.locator('#messages .message .plan', { hasText: 'Digest of #general' }).first();
  await plan.waitFor({ timeout: 15_000 });
  assert.match(String(await plan.textContent()), /Read 1 message/);
  await plan.locator('.task.in_progress', { hasText: 'Writing the summary' }).waitFor({ timeout: 15_000 });
  t.diagnostic(`screenshot: ${await screenshot(page, 'routine-plan.png')}`);
  assert.deepEqual(errors, []);
});
