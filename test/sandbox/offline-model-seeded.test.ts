import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';
import { visibleText, waitForReplies } from '../support/visible.js';

// The offline model read through the whole sandbox: the real bot, the seeded #general, the fake API.
let sandbox: Sandbox;
before(async () => {
  sandbox = await startSandbox({ env: { LOG_LEVEL: 'silent' }, port: 0 });
});
after(() => sandbox?.close());

const seeded = (text: string) => {
  const m = sandbox.sim.messages('C0GENERAL').find((x) => x.text.includes(text));
  assert.ok(m, `seeded: ${text}`);
  return m;
};
const replyTs = (parent: string, text: string) => {
  const m = sandbox.sim.thread('C0GENERAL', seeded(parent).ts).find((x) => x.text.includes(text));
  assert.ok(m, `seeded reply: ${text}`);
  return m.ts;
};
/** The lines of one section (`**Title**` up to the next blank line) of a summary. */
const section = (md: string, title: string) => {
  const start = md.indexOf(`**${title}**\n`);
  assert.ok(start >= 0, `section ${title} in:\n${md}`);
  return md.slice(start).split('\n\n')[0]?.split('\n').slice(1) ?? [];
};

async function summarize(user: string): Promise<string> {
  await sandbox.sim.slashCommand({ user, channel: 'C0GENERAL', command: '/summarize', text: '' });
  const summary = await sandbox.sim.waitFor(
    () =>
      sandbox.sim
        .ephemerals({ user })
        .find((e) => e.via === 'response_url' && /TL;DR/.test(JSON.stringify(e))),
    { what: 'the summary', timeoutMs: 20_000 },
  );
  return JSON.stringify(summary.blocks);
}

test('/summarize of #general names the decisions, the open action items and agrees with its coverage line', async () => {
  const blocks = await summarize('U0CARLA');
  const md = String(JSON.parse(blocks).find((b: { type: string }) => b.type === 'markdown')?.text);
  const coverage = blocks.match(/(\d+) messages from (\d+) people, (\d+) threads/);
  assert.ok(coverage, `coverage line in ${blocks}`);
  const [, messages, people, threads] = coverage;
  assert.match(
    md,
    new RegExp(`^\\*\\*TL;DR\\*\\*: ${messages} messages from ${people} people in ${threads} threads`),
  );

  // Citations became permalinks: p + the ts without its dot.
  const cites = (line: string | undefined, ts: string) =>
    assert.ok(line?.includes(`p${ts.replace('.', '')}`), `${line} cites ${ts}`);
  const decisions = section(md, 'Decisions');
  const csv = decisions.find((l) => l.includes('locale-based default plus an override'));
  cites(csv, replyTs('Quick poll for the CSV export', 'going with locale-based'));
  const release = decisions.find((l) => /code freeze Thursday 17:00, release Monday/.test(l));
  cites(release, replyTs('Planning notes', 'decided then'));

  const actions = section(md, 'Action items');
  const onePager = actions.find((l) => /carla.*one-pager by Friday/i.test(l));
  cites(onePager, replyTs('Support ticket trend', 'one-pager by Friday'));
  assert.ok(!actions.some((l) => /re-run the nightly/.test(l)), 'the re-run was done: not an open item');
  assert.ok(!actions.some((l) => /write up the numbers/.test(l)), 'the request Carla took on is her item');

  const keyPoints = section(md, 'Key points');
  assert.ok(keyPoints.length >= 3, md);
  for (const line of keyPoints) {
    assert.doesNotMatch(line, /In! |Hi all|Lunch\?/, 'no small talk as a key point');
  }
  assert.ok(keyPoints.some((l) => l.includes('Planning notes')));
});

test('/summarize never lists the bot’s own answers as key points, and still counts them like the coverage line', async () => {
  // The bot answers a mention in #general: its reply becomes part of the history.
  const { message } = await sandbox.sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sandbox.sim.botUserId}> what did we decide about the CSV export separator?`,
  });
  const [answer] = await waitForReplies(sandbox.sim, 'C0GENERAL', message.ts, 1, 20_000);
  assert.ok(answer);
  const blocks = await summarize('U0DANA');
  const md = String(JSON.parse(blocks).find((b: { type: string }) => b.type === 'markdown')?.text);
  const [, messages, people, threads] = blocks.match(/(\d+) messages from (\d+) people, (\d+) threads/) ?? [];
  assert.match(
    md,
    new RegExp(`^\\*\\*TL;DR\\*\\*: ${messages} messages from ${people} people in ${threads} threads`),
  );
  assert.match(visibleText(answer), /You asked/);
  assert.doesNotMatch(
    md,
    /You asked|what did we decide/,
    'the bot’s answer and the mention are no key points',
  );
});

test('a mention in the "Planning notes" thread is answered with that thread’s messages', async () => {
  const parent = seeded('Planning notes');
  await sandbox.sim.post({
    user: 'U0EVAN',
    channel: 'C0GENERAL',
    thread_ts: parent.ts,
    text: `<@${sandbox.sim.botUserId}> who covers support triage while dark mode QA runs?`,
  });
  const [reply] = await waitForReplies(sandbox.sim, 'C0GENERAL', parent.ts, 1, 20_000);
  assert.ok(reply);
  const text = visibleText(reply);
  assert.match(text, /I will cover triage those two days/);
  assert.match(text, /I can take dark mode QA/);
  assert.doesNotMatch(text, /ramen/, 'only this thread');
});
