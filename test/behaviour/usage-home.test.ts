import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REDIS_URL, uniquePrefix } from '../support/redis.js';
import { startRig } from '../support/rig.js';
import { waitForReplies } from '../support/visible.js';

interface Block {
  type: string;
  text?: { text: string };
}

/** The text a person sees on the Home tab published for them. */
function homeText(views: Record<string, unknown>, user: string): string {
  const view = views[user] as { type: string; blocks: Block[] } | undefined;
  assert.equal(view?.type, 'home', `a Home view for ${user}`);
  return view.blocks.map((b) => b.text?.text ?? '').join('\n');
}

/** Finds a usage line and checks its cost against its own token counts at $3 / $15 per million. */
function costLine(text: string, label: string, requests: number) {
  const re = new RegExp(
    `${label}: ${requests} requests? · ([\\d,]+) tokens in, ([\\d,]+) out · \\$([\\d.]+)`,
  );
  const m = re.exec(text);
  assert.ok(m, `${label} with ${requests} request(s) in:\n${text}`);
  const [input, output, usd] = m.slice(1).map((v) => Number(v.replaceAll(',', '')));
  assert.ok(input! > 0 && output! > 0, 'tokens counted');
  assert.equal(usd, Number(((input! * 3 + output! * 15) / 1e6).toFixed(4)), `${label} cost`);
  return { input: input!, output: output! };
}

const PRICES = { CLAUDE_MODEL: 'claude-sonnet-5-5', CLAUDE_PRICES: 'claude-sonnet-5-5=3:15' };

test('the Home tab shows admins today’s requests, tokens and cost per channel and per person; others only their own', async (t) => {
  const { sim, claude } = await startRig(t, { env: { ...PRICES, ADMIN_USER_IDS: 'U0ALICE' } });
  claude.setResponder(() => ({ text: 'ok '.repeat(1000) }));
  for (const [user, q] of [
    ['U0ALICE', 'first'],
    ['U0BOB', 'second'],
  ] as const) {
    const { message } = await sim.post({ user, channel: 'C0GENERAL', text: `<@${sim.botUserId}> ${q}` });
    await waitForReplies(sim, 'C0GENERAL', message.ts);
  }
  await sim.openAppHome('U0ALICE', 'home');
  const admin = await sim.waitFor(() =>
    sim.homeViews().U0ALICE ? homeText(sim.homeViews(), 'U0ALICE') : undefined,
  );
  assert.match(admin, /Usage today \(\d{4}-\d{2}-\d{2}, UTC\)/);
  const all = costLine(admin, '\\*All\\*', 2);
  assert.ok(all.output >= 1000, `output tokens counted (${all.output})`);
  costLine(admin, '<#C0GENERAL>', 2);
  costLine(admin, '<@U0ALICE>', 1);
  costLine(admin, '<@U0BOB>', 1);

  await sim.openAppHome('U0BOB', 'home');
  const own = await sim.waitFor(() =>
    sim.homeViews().U0BOB ? homeText(sim.homeViews(), 'U0BOB') : undefined,
  );
  costLine(own, 'You', 1);
  assert.doesNotMatch(own, /U0ALICE|C0GENERAL/, 'a non-admin sees no one else’s usage');
});

test('with Redis, usage is shared: the Home tab served by one replica counts answers of the other', async (t) => {
  const env = { ...PRICES, ADMIN_USER_IDS: 'U0CARLA', REDIS_URL, REDIS_KEY_PREFIX: uniquePrefix() };
  const first = await startRig(t, { env });
  const { sim } = first;
  const a = await sim.post({ user: 'U0ALICE', channel: 'C0GENERAL', text: `<@${sim.botUserId}> one` });
  await waitForReplies(sim, 'C0GENERAL', a.message.ts);
  // A second replica on the same workspace: from now on events go to it.
  const second = await startRig(t, { env, sim });
  const b = await sim.post({ user: 'U0BOB', channel: 'C0GENERAL', text: `<@${sim.botUserId}> two` });
  await waitForReplies(sim, 'C0GENERAL', b.message.ts);
  assert.equal(first.claude.requests.length, 1);
  assert.equal(second.claude.requests.length, 1);
  await sim.openAppHome('U0CARLA', 'home');
  const text = await sim.waitFor(() =>
    sim.homeViews().U0CARLA ? homeText(sim.homeViews(), 'U0CARLA') : undefined,
  );
  assert.match(text, /\*All\*: 2 requests/);
  assert.match(text, /<@U0ALICE>: 1 request /);
  assert.match(text, /<@U0BOB>: 1 request /);
});
