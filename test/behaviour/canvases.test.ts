import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { SlackSim } from '../../sandbox/slack/sim.js';
import { buttonValue, markdownOf } from '../support/blocks.js';
import { startRig } from '../support/rig.js';
import { addLeads, routinesFile, testClock, tsIn } from '../support/routines.js';
import { seedThread } from '../support/seed.js';
import { until } from '../support/until.js';

/** Alice's private summary of #general: its markdown and the value of its Save as canvas button. */
async function aliceSummary(sim: SlackSim) {
  seedThread(
    sim,
    'C0GENERAL',
    { user: 'U0ALICE', text: 'Shall we ship v2 on Friday?' },
    { user: 'U0BOB', text: 'Agreed, we decided to ship Friday.' },
  );
  sim.seedMessage({ channel: 'C0GENERAL', user: 'U0CARLA', text: 'Carla will write the release notes.' });
  await sim.slashCommand({ user: 'U0ALICE', channel: 'C0GENERAL', command: '/summarize', text: '' });
  const summary = await sim.waitFor(() =>
    sim.ephemerals({ user: 'U0ALICE' }).find((e) => e.via === 'response_url' && markdownOf(e)),
  );
  const value = buttonValue(summary, 'summary_canvas');
  assert.ok(value, 'a Save as canvas button under the summary');
  return { markdown: markdownOf(summary), value };
}

test('"Save as canvas": a canvas in the channel with the summary’s points and their permalinks; the person gets its link; once', async (t) => {
  const { sim } = await startRig(t);
  const { markdown, value } = await aliceSummary(sim);
  const press = (user: string, channel = 'C0GENERAL') =>
    sim.blockAction({ user, channel, actionId: 'summary_canvas', value });

  // Someone else's press, or Alice's from another conversation, makes nothing.
  await press('U0BOB');
  await sim.waitFor(() =>
    sim.ephemerals({ user: 'U0BOB' }).find((e) => /Only the person who asked/.test(e.text)),
  );
  await press('U0ALICE', 'G0PRIVATE');
  await sim.waitFor(() =>
    sim.ephemerals({ user: 'U0ALICE' }).find((e) => /Only the person who asked/.test(e.text)),
  );
  assert.equal(sim.canvases().length, 0);

  await press('U0ALICE');
  const told = await sim.waitFor(() =>
    sim.ephemerals({ user: 'U0ALICE' }).find((e) => /Saved as a canvas/.test(e.text)),
  );
  const [canvas] = sim.canvases();
  assert.ok(canvas);
  assert.ok(told.text.includes(sim.canvasUrl(canvas.id)), told.text);
  assert.equal(canvas.channelId, 'C0GENERAL', 'tabbed in the channel the summary is of');
  assert.equal(canvas.isChannelCanvas, false, 'a canvas of its own, not the channel canvas');
  const content = sim.canvasMarkdown(canvas.id);
  assert.match(content, /^# Summary of the last 24 hours in #general/);
  // Every point with its source link, as in the summary.
  const links = [...markdown.matchAll(/\]\((http[^)]+\/archives\/C0GENERAL\/p\d{16}[^)]*)\)/g)].map(
    (m) => m[1],
  );
  assert.ok(links.length >= 2, markdown);
  for (const link of links) assert.ok(content.includes(`](${link})`), `${link} in the canvas`);
  assert.match(content, /3 messages from 3 people/);
  assert.deepEqual(canvas.unrendered, [], 'nothing a canvas would show literally');

  // A second press points to the same canvas.
  await press('U0ALICE');
  await sim.waitFor(() => sim.ephemerals({ user: 'U0ALICE' }).find((e) => /Already saved/.test(e.text)));
  assert.equal(sim.canvases().length, 1);
  assert.equal(sim.callsTo('canvases.create').length, 1);
});

/** The bot with one routine summarizing #general into a canvas in #leads, on a test clock. */
async function canvasRoutine(t: TestContext, schedule: string) {
  const clock = testClock();
  const file = routinesFile(t, [
    {
      name: 'leads-canvas',
      schedule,
      timezone: 'UTC',
      summarize: '#general',
      post_to: 'C0LEADS',
      as: 'canvas',
    },
  ]);
  const { sim, logs } = await startRig(t, {
    env: { CLAUDE_PROFILES_FILE: file },
    routines: { now: clock.now, tickMs: 10 },
  });
  return { clock, sim, logs, leads: addLeads(sim) };
}

test('a routine with as: canvas makes its canvas on the first run and adds a dated section to the same canvas on the next', async (t) => {
  const { clock, sim, logs, leads } = await canvasRoutine(t, '* * * * *');
  const start = clock.minute();
  await until('the routine is scheduled', () => logs.some((l) => l.includes('routine scheduled')));
  const first = sim.seedMessage({
    channel: 'C0GENERAL',
    user: 'U0BOB',
    text: 'We decided to ship on Friday.',
    ts: tsIn(start, 10),
  });
  sim.seedMessage({
    channel: 'C0GENERAL',
    user: 'U0ALICE',
    text: 'Alice will review the release.',
    ts: tsIn(start, 20),
  });
  clock.set(start + 60_000);
  const canvas = await sim.waitFor(() => sim.canvases()[0], { what: 'the routine canvas' });
  assert.equal(canvas.channelId, leads);
  await sim.waitFor(() => sim.messages(leads).find((m) => m.text.includes(sim.canvasUrl(canvas.id))), {
    what: 'the channel told where the canvas is',
  });
  assert.ok(
    sim.canvasMarkdown(canvas.id).includes(`p${first.ts.replace('.', '')}`),
    sim.canvasMarkdown(canvas.id),
  );

  const second = sim.seedMessage({
    channel: 'C0GENERAL',
    user: 'U0CARLA',
    text: 'We decided the notes are ready.',
    ts: tsIn(start + 60_000, 10),
  });
  sim.seedMessage({
    channel: 'C0GENERAL',
    user: 'U0BOB',
    text: 'Bob will publish them.',
    ts: tsIn(start + 60_000, 20),
  });
  clock.set(start + 120_000);
  await sim.waitFor(() => canvas.edits === 1 && canvas, { what: 'the second run’s section' });
  await until('the second run recorded', () => logs.filter((l) => l.includes('"routine ran"')).length === 2);
  assert.equal(sim.canvases().length, 1, 'the same canvas');
  assert.equal(sim.callsTo('canvases.create').length, 1);
  const content = sim.canvasMarkdown(canvas.id);
  const headings = canvas.sections.filter((s) => s.type === 'h2').map((s) => s.markdown.split('\n')[0]);
  assert.equal(headings.length, 2, content);
  // Newest first, right under the title.
  const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  assert.ok(headings[0]?.includes(`${hhmm(start + 120_000)} (UTC)`), headings.join(' / '));
  assert.ok(headings[1]?.includes(`${hhmm(start + 60_000)} (UTC)`), headings.join(' / '));
  assert.ok(
    content.indexOf(`p${second.ts.replace('.', '')}`) < content.indexOf(`p${first.ts.replace('.', '')}`),
    content,
  );
  // One message a run (its plan while written), each ending with the link to the one canvas.
  const said = sim.messages(leads).filter((m) => m.user === sim.botUserId);
  assert.equal(said.length, 2, 'a message a run');
  assert.ok(
    said.every((m) => m.text.includes(sim.canvasUrl(canvas.id))),
    'each links the canvas',
  );
  assert.deepEqual(canvas.unrendered, []);
});

test('a routine canvas whose link could not be added to the run’s message: the retry adds the link, not a second section', async (t) => {
  const { clock, sim, logs, leads } = await canvasRoutine(t, '0 * * * *');
  await until('the routine is scheduled', () => logs.some((l) => l.includes('routine scheduled')));
  const slot = Math.ceil(clock.now() / 3_600_000) * 3_600_000;
  sim.seedMessage({
    channel: 'C0GENERAL',
    user: 'U0BOB',
    text: 'We decided to ship on Friday.',
    ts: tsIn(slot - 60_000, 10),
  });
  // The edit that ends the run's message with the canvas link fails once (after the canvas is made).
  sim.on('call', (c: { method: string }) => {
    if (c.method === 'canvases.create') sim.failNext('chat.update', { error: 'internal_error', times: 1 });
  });
  clock.set(slot);
  const canvas = await sim.waitFor(() => sim.canvases()[0], { what: 'the routine canvas' });
  await until('the run failed', () => logs.some((l) => l.includes('will retry')));
  clock.set(slot + 61_000);
  await sim.waitFor(
    () =>
      sim.messages(leads).find((m) => m.user === sim.botUserId && m.text.includes(sim.canvasUrl(canvas.id))),
    {
      what: 'the slot’s message with the canvas link',
    },
  );
  await until('the retry recorded', () => logs.some((l) => l.includes('"routine ran"')));
  assert.equal(sim.callsTo('canvases.create').length, 1);
  assert.equal(canvas.sections.filter((s) => s.type === 'h2').length, 1, 'one dated section');
  const slotMessages = sim
    .messages(leads)
    .filter(
      (m) =>
        m.user === sim.botUserId &&
        (m.metadata as { event_payload?: { slot?: string } } | undefined)?.event_payload?.slot,
    );
  assert.equal(slotMessages.length, 1, 'one message for the slot');
});
