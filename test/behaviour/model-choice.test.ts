/**
 * A model per question: "@bot use opus: …" asks Claude with the model the profile allows under
 * that name, says so under the answer and counts its cost at that model's price; a model outside
 * the profile's list (or a profile without one) gets a line naming the allowed ones, no Claude call.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { SimMessage } from '../../sandbox/slack/types.js';
import { requestText, startRig } from '../support/rig.js';
import { visibleText, waitForReplies } from '../support/visible.js';

const PROFILES = `
profiles:
  - name: eng
    channels: [C0GENERAL]
    model: claude-sonnet-5-5
    models: [claude-opus-5-5, claude-haiku-5-5]
    cache_ttl_seconds: 0
`;

test('“use opus: …” asks with the allowed model of that name; others get a clear line and no call; cost at the chosen model’s price', async (t) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'models-')), 'profiles.yml');
  writeFileSync(file, PROFILES);
  const { sim, claude } = await startRig(t, {
    env: {
      CLAUDE_PROFILES_FILE: file,
      ADMIN_USER_IDS: 'U0CARLA',
      CLAUDE_PRICES: 'claude-opus-5-5=7:70,claude-sonnet-5-5=1:1,claude-haiku-5-5=1:1',
    },
  });
  const ask = async (channel: string, text: string, user = 'U0ALICE') => {
    const { message } = await sim.post({ user, channel, text: `<@${sim.botUserId}> ${text}` });
    const [reply] = await waitForReplies(sim, channel, message.ts);
    last = reply!;
    return visibleText(reply!);
  };
  let last: SimMessage | undefined;
  /** The small print under the last answer (its context blocks). */
  const footnotes = () =>
    ((last?.blocks ?? []) as Array<{ type: string; elements?: Array<{ text?: string }> }>)
      .filter((b) => b.type === 'context')
      .flatMap((b) => (b.elements ?? []).map((e) => e.text));

  claude.enqueue({ text: 'Opus here.' });
  const opus = await ask('C0GENERAL', 'use opus: review this design', 'U0BOB');
  assert.equal(claude.requests[0]?.body.model, 'claude-opus-5-5');
  assert.equal(opus, 'Opus here.');
  assert.deepEqual(footnotes(), ['Answered with claude-opus-5-5, as asked for this question.']);
  assert.match(requestText(claude.requests[0]!.body), /review this design/);
  assert.doesNotMatch(requestText(claude.requests[0]!.body), /use opus/, 'Claude reads the question only');

  await ask('C0GENERAL', 'use claude-haiku-5-5: and briefly?');
  assert.equal(claude.requests[1]?.body.model, 'claude-haiku-5-5');
  assert.deepEqual(footnotes(), ['Answered with claude-haiku-5-5, as asked for this question.']);

  // Not in the list: a clear line naming the allowed ones, and no Claude call.
  const refused = await ask('C0GENERAL', 'use fable: write a poem');
  assert.match(
    refused,
    /I can’t use “fable” here\. Models you can choose in this channel: claude-sonnet-5-5, claude-opus-5-5, claude-haiku-5-5 \(or by family: opus, sonnet, haiku\)/,
  );
  // A channel whose profile offers no choice.
  const none = await ask('G0PRIVATE', 'use opus: hi');
  assert.match(none, /this channel does not offer a choice of model/);
  assert.equal(claude.requests.length, 2, 'no Claude call for a model not allowed');

  // "use" before a word that names no model is an ordinary question, with the profile's model.
  await ask('C0GENERAL', 'use python: how do I loop?');
  assert.equal(claude.requests[2]?.body.model, 'claude-sonnet-5-5');
  assert.deepEqual(footnotes(), [], 'no model was chosen');
  assert.match(requestText(claude.requests[2]!.body), /use python: how do I loop\?/);

  // The Home tab prices the opus answer at opus's rate ($7 / $70 per million here).
  await sim.openAppHome('U0CARLA', 'home');
  const home = await sim.waitFor(() => {
    const v = sim.homeViews().U0CARLA as { blocks: Array<{ text?: { text: string } }> } | undefined;
    return v?.blocks.map((b) => b.text?.text ?? '').join('\n');
  });
  assert.deepEqual(
    claude.requests.map((r) => r.body.model),
    ['claude-opus-5-5', 'claude-haiku-5-5', 'claude-sonnet-5-5'],
  );
  // Bob asked only the opus question: his cost is his tokens at opus's rate ($7 / $70 per million
  // here), not the profile model's ($1 / $1).
  const m = /<@U0BOB>: 1 request · ([\d,]+) tokens in, ([\d,]+) out · \$([\d.]+)/.exec(home);
  assert.ok(m, home);
  const [input, output, usd] = m.slice(1).map((v) => Number(v.replaceAll(',', '')));
  assert.ok(input! > 0 && output! > 0);
  assert.equal(usd, Number(((input! * 7 + output! * 70) / 1e6).toFixed(4)));
});
