/**
 * The bot's own words in the asker's language beyond errors and answers' notes: the model choice
 * line, workspace search's note, "@bot stop" in a followed thread and the 👎 reason modal (see
 * language.test.ts for channel memory and summaries).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { manifestScopes } from '../../sandbox/slack/scopes.js';
import { SlackSim } from '../../sandbox/slack/sim.js';
import type { SimMessage } from '../../sandbox/slack/types.js';
import { requestText, startRig } from '../support/rig.js';
import { visibleText, waitForReplies } from '../support/visible.js';

const PROFILES = `
profiles:
  - name: eng
    channels: [C0GENERAL]
    model: claude-sonnet-5-5
    models: [claude-opus-5-5]
    follow_threads: true
    workspace_search: true
    cache_ttl_seconds: 0
`;

/** The whole bot, with the profile above and no search scopes (search is off, and says why). */
async function rig(t: TestContext) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'language-')), 'profiles.yml');
  writeFileSync(file, PROFILES);
  const sim = await SlackSim.start({ scopes: manifestScopes().filter((s) => !s.startsWith('search:read')) });
  t.after(() => sim.close());
  const r = await startRig(t, { sim, env: { CLAUDE_PROFILES_FILE: file } });
  sim.addUser({ id: 'U0GRETA', name: 'greta', locale: 'de-DE' });
  sim.addUser({ id: 'U0HARUKI', name: 'haruki', locale: 'ja-JP' });
  return r;
}

/** What a reply shows: its text and its small print (context blocks). */
const seen = (m: SimMessage) =>
  [
    visibleText(m),
    ...((m.blocks ?? []) as Array<{ type: string; elements?: Array<{ text?: string }> }>)
      .filter((b) => b.type === 'context')
      .flatMap((b) => (b.elements ?? []).map((e) => e.text ?? '')),
  ].join('\n');

test('German: the chosen model’s line, a model not offered, and the workspace search note', async (t) => {
  const { sim, claude } = await rig(t);
  const ask = async (text: string, thread?: string) => {
    const { message } = await sim.post({
      user: 'U0GRETA',
      channel: 'C0GENERAL',
      text: `<@${sim.botUserId}> ${text}`,
      ...(thread ? { thread_ts: thread } : {}),
    });
    const replies = await waitForReplies(sim, 'C0GENERAL', thread ?? message.ts, thread ? 2 : 1);
    return { ts: message.ts, text: seen(replies.at(-1) as SimMessage) };
  };
  claude.enqueue({ text: 'Opus hier.' });
  const chosen = await ask('nutze opus: prüfe diesen Entwurf');
  assert.equal(claude.requests[0]?.body.model, 'claude-opus-5-5', 'the German words choose the model');
  assert.doesNotMatch(requestText(claude.requests[0]!.body), /nutze opus/, 'Claude reads the question only');
  assert.match(chosen.text, /Mit claude-opus-5-5 beantwortet, wie für diese Frage gewünscht\./);
  assert.match(
    chosen.text,
    /_Die Workspace-Suche ist für diese Antwort aus: Diese App darf Slack nicht durchsuchen/,
  );
  assert.doesNotMatch(chosen.text, /Answered with|Workspace search is off/);

  const refused = await ask('use fable: schreib ein Gedicht');
  assert.match(
    refused.text,
    /Ich kann „fable“ hier nicht verwenden\. Modelle, die du in diesem Channel wählen kannst: claude-sonnet-5-5, claude-opus-5-5/,
  );
  assert.equal(claude.requests.length, 1, 'no Claude call for a model not offered');
});

test('“stop” in a followed thread is confirmed in German or Japanese, by the person’s language or their words', async (t) => {
  const { sim } = await rig(t);
  const stop = async (user: string, words: string) => {
    const { message: parent } = await sim.post({
      user,
      channel: 'C0GENERAL',
      text: `<@${sim.botUserId}> hi`,
    });
    await waitForReplies(sim, 'C0GENERAL', parent.ts);
    await sim.post({
      user,
      channel: 'C0GENERAL',
      thread_ts: parent.ts,
      text: `<@${sim.botUserId}> ${words}`,
    });
    const replies = await waitForReplies(sim, 'C0GENERAL', parent.ts, 2);
    return visibleText(replies.at(-1) as SimMessage);
  };
  assert.match(await stop('U0GRETA', 'stop'), /Okay, ich antworte in diesem Thread nicht mehr auf Antworten/);
  assert.match(await stop('U0HARUKI', 'ストップ'), /このスレッドの返信にはもう答えません/);
  assert.match(
    await stop('U0ALICE', 'hör auf'),
    /Okay, ich antworte in diesem Thread nicht mehr/,
    'her German words',
  );
  assert.match(await stop('U0ALICE', 'stop'), /OK, I’ll stop answering replies in this thread/);
});

test('the 👎 reason modal opens in Japanese for a Japanese-speaking person, in English for others', async (t) => {
  const { sim, claude } = await rig(t);
  claude.enqueue({ text: 'リリースは月曜日です。' });
  const { message } = await sim.post({
    user: 'U0HARUKI',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> リリースはいつ？`,
  });
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  const down = (user: string) =>
    sim.blockAction({
      user,
      channel: 'C0GENERAL',
      actionId: 'answer_feedback',
      value: 'down',
      messageTs: (reply as SimMessage).ts,
    });
  await down('U0HARUKI');
  const ja = await sim.waitFor(() => sim.views('U0HARUKI')[0], { what: 'the Japanese modal' });
  const jaText = JSON.stringify(ja.view);
  assert.match(jaText, /何が問題でしたか？/);
  assert.match(jaText, /"text":"古い"/);
  assert.match(jaText, /"value":"outdated"/, 'the reason keys stay the same');
  await down('U0BOB');
  const en = await sim.waitFor(() => sim.views('U0BOB')[0], { what: 'the English modal' });
  assert.match(JSON.stringify(en.view), /What went wrong\?/);
});
