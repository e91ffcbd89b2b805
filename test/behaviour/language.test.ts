import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SimMessage, SlackSim } from '../../sandbox/slack/sim.js';
import { requestText, startRig } from '../support/rig.js';
import { seedThread } from '../support/seed.js';
import { botReplies, visibleText, waitForReplies } from '../support/visible.js';

/** A person whose Slack is set to `locale` asks in #general. */
async function askAs(sim: SlackSim, id: string, locale: string, text: string) {
  sim.addUser({ id, name: id.toLowerCase(), locale });
  return (await sim.post({ user: id, channel: 'C0GENERAL', text: `<@${sim.botUserId}> ${text}` })).message;
}

test('a person whose Slack is in German reads the bot’s own error in German, with its reference', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ status: 529 }, { status: 529 });
  const message = await askAs(sim, 'U0GRETA', 'de-DE', 'Wie spät ist es in Tokio?');
  const reply = await sim.waitFor(() => botReplies(sim, 'C0GENERAL', message.ts)[0], { what: 'the error' });
  const seen = visibleText(reply);
  assert.match(seen, /Claude ist gerade überlastet/);
  assert.match(seen, /Referenz: Ev/);
  assert.doesNotMatch(seen, /overloaded|Reference/);
});

test('a person whose Slack is in Japanese reads the note under a cut answer in Japanese; English stays English', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ text: '東京の時刻は', stopReason: 'max_tokens' });
  claude.enqueue({ text: 'It is', stopReason: 'max_tokens' });
  const ja = await askAs(sim, 'U0HARUKI', 'ja-JP', '東京は今何時ですか？');
  const jaReply = await sim.waitFor(
    () => botReplies(sim, 'C0GENERAL', ja.ts).find((m) => /長さの上限/.test(visibleText(m))),
    { what: 'the Japanese length-limit note' },
  );
  assert.match(visibleText(jaReply), /東京の時刻は/);
  assert.match(visibleText(jaReply), /「続けて」/);

  const en = await askAs(sim, 'U0EMMA', 'en-GB', 'What time is it in Tokyo?');
  const enReply = await sim.waitFor(
    () => botReplies(sim, 'C0GENERAL', en.ts).find((m) => /length limit/.test(visibleText(m))),
    { what: 'the English length-limit note' },
  );
  assert.doesNotMatch(visibleText(enReply), /長さ/);
});

test('a language without a translation reads English', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ status: 529 }, { status: 529 });
  const message = await askAs(sim, 'U0PIERRE', 'fr-FR', 'Quelle heure est-il à Tokyo ?');
  const reply = await sim.waitFor(() => botReplies(sim, 'C0GENERAL', message.ts)[0], { what: 'the error' });
  assert.match(visibleText(reply), /Claude is overloaded/);
});

test('a question in German reaches Claude with the rule to answer in the language of the latest message', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ text: 'Es ist 15 Uhr.' });
  const asked = await askAs(sim, 'U0GRETA', 'de-DE', 'Wie spät ist es in Tokio?');
  await sim.waitFor(() => botReplies(sim, 'C0GENERAL', asked.ts).find((m) => /15 Uhr/.test(visibleText(m))), {
    what: 'the answer',
  });
  const sent = requestText(claude.requests.at(-1)?.body ?? {});
  assert.match(sent, /Answer in the language of the latest message/);
  assert.match(sent, /Wie spät ist es in Tokio\?/);
});

/** Says something to the bot in #general as a person whose Slack is in `locale`; the bot's reply text. */
async function tell(sim: SlackSim, id: string, text: string): Promise<string> {
  const { message } = await sim.post({ user: id, channel: 'C0GENERAL', text: `<@${sim.botUserId}> ${text}` });
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  return visibleText(reply as SimMessage);
}

test('channel memory speaks German to a German-speaking person: remember, list and forget, in German words or English ones', async (t) => {
  const { sim, claude } = await startRig(t);
  sim.addUser({ id: 'U0GRETA', name: 'greta', locale: 'de-DE' });
  const taught = await tell(sim, 'U0GRETA', 'merke dir, dass der Release am Freitag ist');
  assert.match(taught, /Alles klar: Das merke ich mir für diesen Channel \(Fakt 1 von höchstens 30\)/);
  assert.match(taught, /„was hast du dir gemerkt\?“/);
  // The English command works for her too, and answers in her language.
  assert.match(await tell(sim, 'U0GRETA', 'remember that standup is at 9:30'), /Fakt 2 von höchstens 30/);
  const list = await tell(sim, 'U0GRETA', 'was hast du dir gemerkt?');
  assert.match(list, /^Was ich mir in diesem Channel merke \(2 von höchstens 30\):/);
  assert.match(list, /1\. der Release am Freitag ist _\(greta, \d{4}-\d\d-\d\d\)_/);
  assert.match(list, /„vergiss <Nummer>“ löscht einen/);
  assert.match(await tell(sim, 'U0GRETA', 'vergiss 1'), /Vergessen: „der Release am Freitag ist“/);
  assert.match(await tell(sim, 'U0GRETA', 'forget 7'), /So etwas habe ich mir hier nicht gemerkt/);
  assert.equal(claude.requests.length, 0, 'commands are no Claude calls');

  // An English-speaking person in the same channel still reads English.
  sim.addUser({ id: 'U0EMMA', name: 'emma', locale: 'en-GB' });
  assert.match(
    await tell(sim, 'U0EMMA', 'what do you remember?'),
    /^What I remember in this channel \(1 of at most 30\)/,
  );
});

type Block = { type?: string; text?: { text?: string } | string; elements?: Array<Record<string, unknown>> };
const blocksOf = (m: { blocks?: unknown[] }) => (m.blocks ?? []) as Block[];
/** Every text a message shows: its blocks' texts, context lines and button labels. */
const shown = (m: { text?: string; blocks?: unknown[] }) =>
  [
    m.text ?? '',
    ...blocksOf(m).flatMap((b) => [
      typeof b.text === 'string' ? b.text : (b.text?.text ?? ''),
      ...(b.elements ?? []).map((e) =>
        typeof e.text === 'string' ? e.text : String((e.text as { text?: string } | undefined)?.text ?? ''),
      ),
    ]),
  ].join('\n');
const buttonValue = (m: { blocks?: unknown[] }, actionId: string) =>
  blocksOf(m)
    .flatMap((b) => b.elements ?? [])
    .find((e) => e.action_id === actionId)?.value as string | undefined;

test('a Japanese-speaking person’s summary speaks Japanese: the first line, progress, coverage, buttons, canvas and share replies', async (t) => {
  const { sim } = await startRig(t);
  sim.addUser({ id: 'U0HARUKI', name: 'haruki', locale: 'ja-JP' });
  seedThread(
    sim,
    'C0GENERAL',
    { user: 'U0ALICE', text: 'Shall we ship v2 on Friday?' },
    { user: 'U0BOB', text: 'Agreed, we decided to ship Friday.' },
  );
  const ack = await sim.slashCommand({
    user: 'U0HARUKI',
    channel: 'C0GENERAL',
    command: '/summarize',
    text: '',
  });
  assert.match(JSON.parse(ack.body).text, /#general の過去 24 時間を要約しています…/);

  const summary = await sim.waitFor(
    () =>
      sim
        .ephemerals({ user: 'U0HARUKI' })
        .find((e) => e.via === 'response_url' && blocksOf(e).some((b) => b.type === 'markdown')),
    { what: 'the summary' },
  );
  const seen = shown(summary);
  assert.match(seen, /#general の過去 24 時間の要約/, 'the title');
  assert.match(seen, /2 人による 2 件のメッセージ、スレッド 1 件、/, 'the coverage line');
  assert.match(seen, /チャンネルで共有/);
  assert.match(seen, /canvas として保存/);
  // The summary itself is in the conversation's language (English here); the bot's words are not.
  assert.doesNotMatch(seen, /Summary of|:mag: \d+ messages|Share in channel|Save as canvas/);
  const progress = sim.ephemerals({ user: 'U0HARUKI' }).map(shown).join('\n');
  assert.match(progress, /2 件のメッセージを読みました/);

  const value = buttonValue(summary, 'summary_canvas');
  assert.ok(value, 'a Save as canvas button');
  await sim.blockAction({ user: 'U0HARUKI', channel: 'C0GENERAL', actionId: 'summary_canvas', value });
  await sim.waitFor(
    () => sim.ephemerals({ user: 'U0HARUKI' }).find((e) => /canvas として保存しました/.test(e.text)),
    { what: 'the Japanese canvas confirmation' },
  );
  await sim.blockAction({ user: 'U0HARUKI', channel: 'C0GENERAL', actionId: 'summary_share', value });
  const posted = await sim.waitFor(
    () => sim.messages('C0GENERAL').find((m) => m.user === sim.botUserId && (m.reply_count ?? 0) > 0),
    { what: 'the shared summary' },
  );
  assert.match(shown(posted), /（haruki さんの依頼）。要約はスレッドにあります/);
  await sim.waitFor(
    () => sim.ephemerals({ user: 'U0HARUKI' }).find((e) => /チャンネルで共有しました/.test(e.text)),
    { what: 'the Japanese share confirmation' },
  );
});
