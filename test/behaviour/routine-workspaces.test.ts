/**
 * Routines in a bot installed in many workspaces: channel names are looked up in the routine's
 * own workspace (`team:`), so two workspaces that both have #general and #leads each get the digest
 * of their own #general, posted in their own #leads with their own token, and nothing elsewhere.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SlackSim } from '../../sandbox/slack/sim.js';
import { enableOAuth, installThroughBrowser, multiWorkspaceEnv } from '../support/installs.js';
import { requestText, startRig } from '../support/rig.js';
import { digests, routinesFile, testClock, tsIn } from '../support/routines.js';
import { until } from '../support/until.js';

/** A workspace with a person, a #general and a #leads (the bot in both). */
function workspace(sim: SlackSim, id: string) {
  const tag = id.slice(2);
  sim.addTeam({ id, name: `Team ${tag}` });
  const user = `U${tag}1`;
  sim.addUser({ id: user, name: `person-${tag.toLowerCase()}`, team_id: id });
  const general = `C${tag}GEN`;
  const leads = `C${tag}LEADS`;
  sim.addTeamConversation(id, { id: general, name: 'general', members: [user] });
  sim.addTeamConversation(id, { id: leads, name: 'leads', members: [user] });
  return { id, user, general, leads };
}

/** An hourly routine at `minute` past the hour, in workspace `team`. */
const routine = (name: string, team: string, minute: number) => ({
  name,
  team,
  schedule: `${minute} * * * *`,
  summarize: '#general',
  post_to: '#leads',
});

test('two workspaces with a #general and a #leads each: a routine of one reads and posts only in that workspace', async (t) => {
  const clock = testClock();
  const dir = mkdtempSync(join(tmpdir(), 'scb-routine-teams-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rig = await startRig(t, {
    env: multiWorkspaceEnv({
      STATE_DIR: dir,
      CLAUDE_PROFILES_FILE: routinesFile(t, [
        routine('acme-digest', 'T0ACME', 0),
        routine('beta-digest', 'T0BETA', 1),
      ]),
    }),
    routines: { now: clock.now, tickMs: 20 },
  });
  const { sim, claude, logs } = rig;
  enableOAuth(sim, rig.port);
  const acme = workspace(sim, 'T0ACME');
  const beta = workspace(sim, 'T0BETA');
  for (const w of [acme, beta]) assert.equal((await installThroughBrowser(rig.port, w.id)).status, 200);
  const hour = Math.ceil(clock.now() / 3_600_000) * 3_600_000;
  sim.seedMessage({
    channel: acme.general,
    user: acme.user,
    text: 'Acme ships the rocket on Friday.',
    ts: tsIn(hour - 60_000, 5),
  });
  sim.seedMessage({
    channel: beta.general,
    user: beta.user,
    text: 'Beta hires two designers.',
    ts: tsIn(hour - 60_000, 6),
  });
  await until(
    'both routines scheduled',
    () => logs.filter((l) => l.includes('routine scheduled')).length === 2,
  );
  // One after the other: Acme's run has looked its channels up before Beta's looks up the same names.
  clock.set(hour);
  await sim.waitFor(() => digests(sim, acme.leads).length === 1, { what: 'Acme’s digest' });
  clock.set(hour + 60_000);
  await sim.waitFor(() => digests(sim, beta.leads).length === 1, { what: 'Beta’s digest, in Beta’s #leads' });
  for (let k = 0; k < 3; k++) await rig.bot.routines.tick();
  assert.deepEqual(
    digests(sim, acme.leads).map((d) => d.routine),
    ['acme-digest'],
  );
  assert.deepEqual(
    digests(sim, beta.leads).map((d) => d.routine),
    ['beta-digest'],
  );
  // Each digest summarized its own workspace's #general, and nothing else was written anywhere.
  const asked = (what: string) => claude.requests.filter((r) => requestText(r.body).includes(what));
  assert.equal(asked('Acme ships the rocket').length, 1);
  assert.equal(asked('Beta hires').length, 1);
  assert.ok(!asked('Acme ships the rocket').some((r) => requestText(r.body).includes('Beta hires')));
  const writes = sim.calls.filter((c) => /^(chat|canvases|conversations\.canvases)\./.test(c.method) && c.ok);
  assert.deepEqual([...new Set(writes.map((c) => `${c.team}:${String(c.args.channel)}`))].sort(), [
    `${acme.id}:${acme.leads}`,
    `${beta.id}:${beta.leads}`,
  ]);
  assert.equal(sim.calls.filter((c) => c.error === 'channel_not_found').length, 0);
  assert.equal(
    sim.messages(acme.leads).filter((m) => /could not write/.test(m.text)).length +
      sim.messages(beta.leads).filter((m) => /could not write/.test(m.text)).length,
    0,
  );
});
