/**
 * Current model generations: a profile naming any current model is answered (the fake refuses,
 * as Anthropic does, every field a model no longer takes); a setting a model refuses anyway is
 * named to the person with the model, logged once and not retried; a Haiku 5.5 prompt over
 * 100,000 tokens is counted at the long-prompt rate.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startRig } from '../support/rig.js';
import { visibleText, waitForReplies } from '../support/visible.js';

const MODELS = {
  C0OPUS: 'claude-opus-5-5',
  C0SONNET: 'claude-sonnet-5-5',
  C0HAIKU: 'claude-haiku-5-5',
  C0FABLE: 'claude-fable-5-1',
  C0OLD: 'claude-haiku-4-5',
};

/** Profiles naming each model, all asking for more output than some of them can write. */
const PROFILES = `
default:
  max_tokens: 100000
profiles:
${Object.entries(MODELS)
  .map(([id, model]) => `  - { name: ${id.toLowerCase()}, channels: [${id}], model: ${model} }`)
  .join('\n')}
`;

function profilesFile(text: string): string {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'models-')), 'profiles.yml');
  writeFileSync(f, text);
  return f;
}

test('a profile naming any current model is answered: no field the model refuses is sent', async (t) => {
  const r = await startRig(t, { env: { CLAUDE_PROFILES_FILE: profilesFile(PROFILES) } });
  for (const [id, model] of Object.entries(MODELS)) {
    r.sim.addConversation({ id, name: model, members: ['U0ALICE', r.sim.botUserId] });
    const { message } = await r.sim.post({
      user: 'U0ALICE',
      channel: id,
      text: `<@${r.sim.botUserId}> hello`,
    });
    const [reply] = await waitForReplies(r.sim, id, message.ts);
    assert.ok(reply, `${model}: a reply`);
    assert.doesNotMatch(visibleText(reply), /:warning:|not accepted/, `${model}: an answer, not an error`);
    const sent = r.claude.requests.find((q) => q.body.model === model);
    assert.ok(sent, `${model}: Claude was asked with the profile's model`);
  }
  const sentMax = (model: string) => r.claude.requests.find((q) => q.body.model === model)?.body.max_tokens;
  assert.equal(sentMax('claude-haiku-4-5'), 64_000, 'Haiku 4.5 is asked for what it can write');
  assert.equal(sentMax('claude-sonnet-5-5'), 100_000);
  const left = r
    .logEntries()
    .filter((e) => e.msg === 'max_tokens above what the model takes; sent at its maximum');
  assert.equal(left.length, 1, 'the capped setting is logged once');
});

test('a setting the model refuses is named to the person with the model, logged once, not retried', async (t) => {
  const r = await startRig(t, { env: { CLAUDE_MODEL: 'claude-sonnet-5-5', CLAUDE_MAX_RETRIES: '2' } });
  const refused = {
    status: 400,
    errorMessage:
      'thinking.type.disabled is not supported for this model. Use thinking.type.between_tools to turn off up-front thinking.',
  };
  r.claude.enqueue(refused, refused);
  for (const question of ['first question', 'second question']) {
    const { message } = await r.sim.post({
      user: 'U0ALICE',
      channel: 'C0GENERAL',
      text: `<@${r.sim.botUserId}> ${question}`,
    });
    const [reply] = await waitForReplies(r.sim, 'C0GENERAL', message.ts);
    assert.ok(reply);
    const text = visibleText(reply);
    assert.match(
      text,
      /This channel’s model setting `thinking\.type\.disabled` is not accepted by claude-sonnet-5-5\./,
    );
    assert.doesNotMatch(text, /invalid_request_error|\{"|sk-ant/, 'no raw error, no secret');
  }
  assert.equal(r.claude.requests.length, 2, 'one request per question: a refused setting is not retried');
  const logged = r.logEntries().filter((e) => e.msg === 'Claude refused a model setting');
  assert.equal(logged.length, 1, 'logged once, not on every question');
  assert.equal(logged[0]?.field, 'thinking.type.disabled');
  assert.equal(logged[0]?.model, 'claude-sonnet-5-5');
});

/** One sample's value from Prometheus text. */
function sample(text: string, name: string, model: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`model="${model}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

test('a Haiku 5.5 answer of 150,000 prompt tokens costs the long-prompt rate; one of 90,000 the short', async (t) => {
  const model = 'claude-haiku-5-5';
  const r = await startRig(t, { env: { CLAUDE_MODEL: model } });
  const counted = async () => {
    const text = await (await fetch(`http://127.0.0.1:${r.port}/metrics`)).text();
    return {
      cost: sample(text, 'slackbot_claude_cost_usd_total', model),
      output: Number(
        text
          .split('\n')
          .find((l) => l.startsWith('slackbot_claude_tokens_total{') && l.includes('type="output"'))
          ?.split(' ')
          .at(-1) ?? 0,
      ),
    };
  };
  const costOfAnswer = async (question: string, inputTokens: number) => {
    const before = await counted();
    r.claude.enqueue({ text: 'A short answer.', inputTokens });
    const { message } = await r.sim.post({
      user: 'U0ALICE',
      channel: 'C0GENERAL',
      text: `<@${r.sim.botUserId}> ${question}`,
    });
    await waitForReplies(r.sim, 'C0GENERAL', message.ts);
    const after = await counted();
    return { cost: after.cost - before.cost, output: after.output - before.output };
  };
  const short = await costOfAnswer('a question', 90_000);
  assert.ok(Math.abs(short.cost - (90_000 * 0.1 + short.output * 0.5) / 1e6) < 1e-9, `90,000: ${short.cost}`);
  const long = await costOfAnswer('another question', 150_000);
  assert.ok(Math.abs(long.cost - (150_000 * 0.5 + long.output * 2.5) / 1e6) < 1e-9, `150,000: ${long.cost}`);
  // The Home tab shows the person the same cost.
  await r.sim.openAppHome('U0ALICE', 'home');
  const home = await r.sim.waitFor(() => {
    const view = r.sim.homeViews().U0ALICE as { blocks: Array<{ text?: { text: string } }> } | undefined;
    return view?.blocks.map((b) => b.text?.text ?? '').join('\n');
  });
  const shown = /You: 2 requests · [\d,]+ tokens in, [\d,]+ out · \$([\d.]+)/.exec(home)?.[1];
  assert.equal(shown, (short.cost + long.cost).toFixed(4), `the Home tab:\n${home}`);
});

test('a model that thinks longer than the first-token limit still answers: its thinking block shows it has started', async (t) => {
  const r = await startRig(t, { env: { CLAUDE_FIRST_TOKEN_TIMEOUT_MS: '1000' } });
  r.claude.enqueue({ thinkingMs: 2500, text: 'Thought it through.' });
  const { message } = await r.sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${r.sim.botUserId}> think`,
  });
  const [reply] = await waitForReplies(r.sim, 'C0GENERAL', message.ts, 1, 15_000);
  assert.ok(reply);
  assert.equal(visibleText(reply), 'Thought it through.', 'the answer, not a timeout, and no thinking shown');
});

test('a paused search turn goes back with its thinking block unchanged', async (t) => {
  const file = profilesFile('profiles:\n  - { name: research, channels: [C0GENERAL], web_search: true }\n');
  const r = await startRig(t, { env: { CLAUDE_PROFILES_FILE: file } });
  r.claude.enqueue(
    {
      thinkingMs: 0,
      text: 'Searching first. ',
      stopReason: 'pause_turn',
      webSearch: { query: 'q', results: [{ url: 'https://example.com/a', title: 'A' }] },
    },
    { text: 'Here is the answer.' },
  );
  const { message } = await r.sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${r.sim.botUserId}> look`,
  });
  const [reply] = await waitForReplies(r.sim, 'C0GENERAL', message.ts);
  assert.ok(reply);
  assert.match(visibleText(reply), /^Searching first\. Here is the answer\./);
  assert.equal(
    r.claude.requests.length,
    2,
    'the continuation was taken (a changed thinking block is refused)',
  );
  const sentBack = r.claude.requests[1]?.body.messages.at(-1)?.content;
  assert.ok(
    Array.isArray(sentBack) && sentBack[0]?.type === 'thinking',
    'the thinking block first, as written',
  );
});
