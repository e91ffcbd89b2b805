import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import sharp from 'sharp';
import { manifestScopes } from '../../sandbox/slack/scopes.js';
import { SlackSim } from '../../sandbox/slack/sim.js';
import { bombGif } from '../support/bomb-gif.js';
import { startChild } from '../support/child.js';
import { makePdf } from '../support/pdf.js';
import { botEnv, startFakes, startRig } from '../support/rig.js';
import { visibleText, waitForReplies } from '../support/visible.js';

/** A small real PNG (16×16): passed to Claude as it is. */
const PNG = await sharp({ create: { width: 16, height: 16, channels: 4, background: '#c00' } })
  .png()
  .toBuffer();
/** A PNG of noise (xorshift32), which does not compress: about 3 bytes a pixel, like a photo. */
function noisePng(width: number, height: number): Promise<Buffer> {
  const noise = Buffer.alloc(width * height * 3);
  for (let i = 0, x = 2463534242; i < noise.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    noise[i] = x & 0xff;
  }
  return sharp(noise, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

const pdf = (pages: number) => makePdf(pages);

interface Block {
  type: string;
  text?: string;
  title?: string;
  source?: { type: string; media_type: string; data: string };
}
/** The content blocks of the last user turn Claude received. */
function lastUserBlocks(body: { messages?: unknown }): Block[] {
  const turns = (body.messages ?? []) as { role: string; content: Block[] }[];
  return turns.filter((t) => t.role === 'user').at(-1)?.content ?? [];
}

test('a screenshot shared with a mention reaches Claude as an image block', async (t) => {
  const { sim, claude, logs } = await startRig(t);
  claude.enqueue({ text: 'The stack trace shows a null pointer.' });
  const shot = sim.files.add({
    name: 'error.png',
    mimetype: 'image/png',
    bytes: PNG,
    width: 800,
    height: 600,
  });
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> what's wrong here?`,
    files: [shot],
  });
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.equal(visibleText(reply as never), 'The stack trace shows a null pointer.');
  assert.equal(claude.requests.length, 1);
  const image = lastUserBlocks(claude.requests[0]?.body ?? {}).find((b) => b.type === 'image');
  assert.deepEqual(image?.source, { type: 'base64', media_type: 'image/png', data: PNG.toString('base64') });
  assert.deepEqual(sim.files.downloads, [{ id: shot.id, served: 'bytes' }]);
  const bytes = PNG.toString('base64').slice(0, 24);
  assert.ok(!logs.some((l) => l.includes(bytes)), 'the file’s bytes are not logged');
});

test('a DM with only a PDF, a log and a CSV is answered from them, as documents', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ text: 'Three files read.' });
  const spec = sim.files.add({ name: 'spec.pdf', mimetype: 'application/pdf', bytes: pdf(3) });
  const log = sim.files.add({ name: 'app.log', mimetype: 'text/plain', bytes: Buffer.from('ERROR boom\n') });
  const csv = sim.files.add({ name: 'sales.csv', mimetype: 'text/csv', bytes: Buffer.from('a,b\n1,2\n') });
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'D0ALICE',
    text: '',
    files: [spec, log, csv],
  });
  const [reply] = await waitForReplies(sim, 'D0ALICE', message.ts);
  assert.equal(visibleText(reply as never), 'Three files read.', 'no canned "I can’t open files"');
  const docs = lastUserBlocks(claude.requests[0]?.body ?? {}).filter((b) => b.type === 'document');
  assert.deepEqual(
    docs.map((d) => [d.title, d.source?.type, d.source?.media_type]),
    [
      ['spec.pdf', 'base64', 'application/pdf'],
      ['app.log', 'text', 'text/plain'],
      ['sales.csv', 'text', 'text/plain'],
    ],
  );
  assert.equal(docs[1]?.source?.data, 'ERROR boom\n');
});

test('a file in an earlier message of the thread is read for a mention in it', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ text: 'It is a chart.' });
  const chart = sim.files.add({ name: 'chart.png', mimetype: 'image/png', bytes: PNG });
  const { message: parent } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: 'our numbers',
    files: [chart],
  });
  await sim.post({
    user: 'U0BOB',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> what does the picture above show?`,
    thread_ts: parent.ts,
  });
  await waitForReplies(sim, 'C0GENERAL', parent.ts);
  const blocks = (claude.requests[0]?.body.messages ?? []).flatMap(
    (m) => (m as { content: Block[] }).content,
  );
  assert.ok(blocks.some((b) => b.type === 'image' && b.source?.data === PNG.toString('base64')));
});

test('files that cannot be read are named in the answer, and the large one is never downloaded', async (t) => {
  // Something that is not Slack: a file URL pointing there must never be fetched.
  let elsewhere = 0;
  const other = createServer((_req, res) => {
    elsewhere++;
    res.end('secret');
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => other.close(() => r())));
  const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/file.txt`;
  const { sim, claude } = await startRig(t);
  claude.enqueue({ text: 'Here is what I can say.' });
  const files = [
    sim.files.add({
      name: 'notes.docx',
      mimetype: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      bytes: Buffer.from('PK'),
    }),
    sim.files.add({ name: 'huge.pdf', mimetype: 'application/pdf', bytes: pdf(1), size: 200 * 1024 * 1024 }),
    sim.files.add({ name: 'fake.png', mimetype: 'image/png', bytes: Buffer.from('GIF? no, just text') }),
    sim.files.add({ name: 'empty.txt', mimetype: 'text/plain', bytes: Buffer.alloc(0) }),
    sim.files.add({ name: 'book.pdf', mimetype: 'application/pdf', bytes: pdf(1000) }),
    sim.files.add({ name: 'away.txt', mimetype: 'text/plain', bytes: Buffer.from('x'), url: otherUrl }),
    sim.files.add({
      name: '<!channel> setup.exe',
      mimetype: 'application/octet-stream',
      bytes: Buffer.from('MZ'),
    }),
    sim.files.add({ name: 'big.log', mimetype: 'text/plain', bytes: Buffer.alloc(9 * 1024 * 1024, 'a') }),
  ];
  const gone = sim.files.add({ name: 'gone.txt', mimetype: 'text/plain', bytes: Buffer.from('bye') });
  sim.files.delete(gone.id);
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> read these`,
    files: [...files, gone],
  });
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  const seen = visibleText(reply as never);
  assert.match(seen, /^Here is what I can say\./);
  assert.match(seen, /notes\.docx: I can’t read \.docx files yet; export it as PDF/);
  assert.match(seen, /huge\.pdf: it is larger than 10 MB \(200 MB\), so I did not download it/);
  assert.match(seen, /fake\.png: I couldn’t open that file: it is not a PNG, JPEG, GIF or WebP image/);
  assert.match(seen, /empty\.txt: the file is empty/);
  assert.match(seen, /book\.pdf: it has 1000 pages; I can read PDFs of up to 100/);
  assert.match(seen, /away\.txt: I couldn’t open that file \(it is not stored in Slack\)/);
  assert.match(seen, /gone\.txt: it was deleted/);
  assert.match(seen, /setup\.exe: I can’t read \.exe files yet/);
  assert.doesNotMatch(seen, /<!channel>/, 'a file name pings nobody');
  // Files get 3/4 of the 60,000-token context, counted as the bot estimates text: Sonnet 5.5's
  // tokenizer counts about 1.3 times as many, so 60,000 / 1.3 × 0.75.
  assert.match(
    seen,
    /big\.log: it is too long for me to read at once \(about 3,145,728 tokens; I can take about 34,614\)/,
  );
  assert.ok(!sim.files.downloads.some((d) => d.id === files[7]?.id), 'the long log was not downloaded');
  assert.equal(elsewhere, 0, 'a URL outside Slack is never requested');
  const huge = files[1]?.id;
  assert.ok(!sim.files.downloads.some((d) => d.id === huge), 'the 200 MB file was not downloaded');
  const blocks = lastUserBlocks(claude.requests[0]?.body ?? {});
  assert.equal(blocks.filter((b) => b.type !== 'text').length, 0, 'nothing unreadable reached Claude');
  assert.match(JSON.stringify(blocks), /\[file not read: notes\.docx\]/, 'Claude is told a file was there');
});

test('Slack’s login page (no files:read) is reported as a file it could not open, not sent to Claude', async (t) => {
  const sim = await SlackSim.start({ scopes: manifestScopes().filter((s) => s !== 'files:read') });
  t.after(() => sim.close());
  const { claude } = await startRig(t, { sim });
  claude.enqueue({ text: 'Answer.' });
  const f = sim.files.add({ name: 'report.pdf', mimetype: 'application/pdf', bytes: pdf(2) });
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> summarize`,
    files: [f],
  });
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.deepEqual(
    sim.files.downloads,
    [{ id: f.id, served: 'login' }],
    'Slack answered with its login page',
  );
  assert.match(visibleText(reply as never), /report\.pdf: I couldn’t open that file/);
  assert.doesNotMatch(JSON.stringify(claude.requests[0]?.body), /Sign in to Slack|<html/i);
});

test('beyond FILES_PER_QUESTION the newest files are read and the older ones named as left out', async (t) => {
  const { sim, claude } = await startRig(t, { env: { FILES_PER_QUESTION: '1' } });
  claude.enqueue({ text: 'ok' }, { text: 'ok' });
  const old = sim.files.add({ name: 'old.txt', mimetype: 'text/plain', bytes: Buffer.from('old') });
  const { message: parent } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: 'first',
    files: [old],
  });
  const fresh = sim.files.add({ name: 'new.txt', mimetype: 'text/plain', bytes: Buffer.from('new') });
  await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> compare`,
    thread_ts: parent.ts,
    files: [fresh],
  });
  const [reply] = await waitForReplies(sim, 'C0GENERAL', parent.ts);
  const titles = (claude.requests[0]?.body.messages ?? [])
    .flatMap((m) => (m as { content: Block[] }).content)
    .filter((b) => b.type === 'document')
    .map((b) => b.title);
  assert.deepEqual(titles, ['new.txt']);
  assert.match(visibleText(reply as never), /old\.txt: older files left out/);
});

test('the same question about an edited file is asked again; about the same bytes it comes from the cache', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ text: 'v1' }, { text: 'v2' });
  const f = sim.files.add({ name: 'conf.yaml', mimetype: 'text/plain', bytes: Buffer.from('a: 1\n') });
  const ask = async () => {
    const { message } = await sim.post({
      user: 'U0ALICE',
      channel: 'C0GENERAL',
      text: `<@${sim.botUserId}> check`,
      files: [f],
    });
    return visibleText((await waitForReplies(sim, 'C0GENERAL', message.ts))[0] as never);
  };
  assert.equal(await ask(), 'v1');
  assert.equal(await ask(), 'v1', 'same file, same bytes: the cached answer');
  assert.equal(claude.requests.length, 1);
  sim.files.edit(f.id, Buffer.from('a: 2\n'));
  assert.equal(await ask(), 'v2', 'the edited file is read again');
  assert.equal(claude.requests.length, 2);
});

test('/summarize lists the files shared in the period, with links, and downloads none of them', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ text: '## TL;DR\nPlans were shared.' });
  const plan = sim.files.add({ name: 'plan.pdf', mimetype: 'application/pdf', bytes: pdf(2) });
  const shot = sim.files.add({ name: 'shot|<!here>.png', mimetype: 'image/png', bytes: PNG });
  sim.seedMessage({ channel: 'C0GENERAL', user: 'U0ALICE', text: 'the plan' });
  sim.state.insert({
    channel: 'C0GENERAL',
    ts: sim.state.nextTs(),
    user: 'U0BOB',
    text: 'see',
    subtype: 'file_share',
    files: [plan, shot],
  });
  await sim.slashCommand({ user: 'U0ALICE', channel: 'C0GENERAL', command: '/summarize', text: '' });
  const summary = await sim.waitFor(
    () =>
      sim
        .ephemerals({ user: 'U0ALICE' })
        .find(
          (e) => e.via === 'response_url' && JSON.stringify(e.blocks ?? []).includes('Plans were shared'),
        ),
    { what: 'the summary' },
  );
  const context = JSON.stringify(summary.blocks);
  assert.ok(context.includes(`<${plan.permalink}|plan.pdf>`), context);
  assert.ok(context.includes(`<${shot.permalink}|`), 'the second file is linked too');
  assert.doesNotMatch(context, /<!here>/, 'a file name pings nobody');
  assert.deepEqual(sim.files.downloads, [], 'no file was downloaded');
  const sent = JSON.stringify(claude.requests.map((r) => r.body.messages));
  assert.doesNotMatch(sent, /"type":"(image|document)"/, 'Claude got names, not contents');
});

test('the offline model says what it received: type, size, pages, image size', async (t) => {
  const { sim } = await startRig(t);
  const shot = sim.files.add({ name: 'shot.png', mimetype: 'image/png', bytes: PNG });
  const spec = sim.files.add({ name: 'spec.pdf', mimetype: 'application/pdf', bytes: pdf(3) });
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'D0ALICE',
    text: 'look',
    files: [shot, spec],
  });
  const [reply] = await waitForReplies(sim, 'D0ALICE', message.ts);
  const seen = visibleText(reply as never);
  assert.match(seen, new RegExp(`I received an image “shot\\.png” \\(PNG, ${PNG.length} bytes, 16×16 px\\)`));
  assert.match(seen, /a PDF “spec\.pdf” \(3 pages, /);
});

test('a large screenshot is scaled down to what Claude uses (long edge 1,568 px) before it is sent', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ text: 'Seen.' });
  const big = await sharp({ create: { width: 4000, height: 2500, channels: 3, background: '#08f' } })
    .png()
    .toBuffer();
  const shot = sim.files.add({
    name: 'wide.png',
    mimetype: 'image/png',
    bytes: big,
    width: 4000,
    height: 2500,
  });
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> look`,
    files: [shot],
  });
  await waitForReplies(sim, 'C0GENERAL', message.ts);
  const image = lastUserBlocks(claude.requests[0]?.body ?? {}).find((b) => b.type === 'image');
  assert.ok(image?.source, 'the image reached Claude');
  const sent = await sharp(Buffer.from(image.source.data, 'base64')).metadata();
  assert.deepEqual([sent.width, sent.height], [1568, 980]);
});

test('an image counts as the tokens Claude reads from it, not its base64 size: two screenshots fit one minute’s input budget', async (t) => {
  // 1,200 × 900 of noise: about 3 MB, 4 MB of base64, about 1,440 tokens for Claude.
  const shot = await noisePng(1200, 900);
  const { sim, claude } = await startRig(t, { env: { CLAUDE_INPUT_TOKENS_PER_MINUTE: '20000' } });
  claude.setResponder(() => ({ text: 'A chart of sales.' }));
  for (const user of ['U0ALICE', 'U0BOB']) {
    const { message } = await sim.post({
      user,
      channel: 'C0GENERAL',
      text: `<@${sim.botUserId}> what is this?`,
      files: [
        sim.files.add({ name: `${user}.png`, mimetype: 'image/png', bytes: shot, width: 1200, height: 900 }),
      ],
    });
    const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
    assert.equal(
      visibleText(reply as never),
      'A chart of sales.',
      `${user}: answered at once, not after a minute`,
    );
  }
  assert.equal(claude.requests.length, 2);
});

test('files past FILES_MEMORY_MAX_BYTES wait for memory, out of the waiting room: a question without files goes on', async (t) => {
  // About 690 KB each: two do not fit a 1 MB budget.
  const shot = await noisePng(480, 480);
  // Two Claude calls at once, so four questions in the waiting room: the first and three waiting for files.
  const { sim, claude } = await startRig(t, {
    env: { FILES_MEMORY_MAX_BYTES: String(1024 * 1024), CLAUDE_MAX_CONCURRENT: '2' },
  });
  let open: () => void = () => {};
  const gate = new Promise<void>((r) => {
    open = r;
  });
  const asked: string[] = [];
  const words = ['first', 'second', 'third', 'fourth', 'words'];
  claude.setResponder(async (req) => {
    const text = JSON.stringify(req.body.messages);
    const who = words.find((w) => text.includes(`${w} question`)) ?? '?';
    asked.push(who);
    if (who === 'first') await gate;
    return { text: `Answer to the ${who} question.` };
  });
  const post = (user: string, word: string, withFile: boolean) =>
    sim.post({
      user,
      channel: 'C0GENERAL',
      text: `<@${sim.botUserId}> the ${word} question`,
      ...(withFile
        ? {
            files: [
              sim.files.add({
                name: `${word}.png`,
                mimetype: 'image/png',
                bytes: shot,
                width: 480,
                height: 480,
              }),
            ],
          }
        : {}),
    });
  const first = await post('U0ALICE', 'first', true);
  await claude.waitForRequests(1);
  const waiting = [];
  for (const w of ['second', 'third', 'fourth']) waiting.push((await post('U0BOB', w, true)).message);
  for (const m of waiting)
    await sim.waitFor(
      () => sim.statuses().find((s) => s.thread_ts === m.ts && /waiting to read the files/.test(s.status)),
      { what: 'a question told it waits for the files' },
    );
  const plain = await post('U0CARLA', 'words', false);
  const [answer] = await waitForReplies(sim, 'C0GENERAL', plain.message.ts);
  assert.equal(visibleText(answer as never), 'Answer to the words question.', 'not held up by the files');
  assert.deepEqual(asked, ['first', 'words'], 'the others wait while the first holds the memory');
  open();
  for (const m of [first.message, ...waiting]) await waitForReplies(sim, 'C0GENERAL', m.ts, 1, 15_000);
  assert.deepEqual(asked.slice(0, 3), ['first', 'words', 'second'], 'then in order');
  assert.equal(asked.length, 5);
});

/** A figure of /proc/<pid>/status in MB (VmRSS: resident now; VmHWM: the peak since the last reset). */
function procMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  )?.[1];
  return Number(kb) / 1024;
}

test('a 66 KB GIF of 9,999 × 9,999 pixels is refused by its header: the person is told the limit, memory stays flat, others are answered', async (t) => {
  const { sim, claude } = await startFakes(t);
  const bot = startChild(t, 'src/main.ts', botEnv(sim, claude));
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${await bot.ready}/slack/events` });
  const pid = bot.child.pid as number;
  // A first image loads the image library, so what follows measures the bomb alone.
  claude.enqueue({ text: 'A red square.' });
  const warm = sim.files.add({ name: 'red.png', mimetype: 'image/png', bytes: await noisePng(2000, 1500) });
  const { message: first } = await sim.post({
    user: 'U0BOB',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> what is this?`,
    files: [warm],
  });
  await waitForReplies(sim, 'C0GENERAL', first.ts);

  // Writing 5 to clear_refs resets the process's peak resident size (VmHWM) to what it holds now.
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
  const before = procMb(pid, 'VmRSS');
  const bytes = bombGif(9999, 9999);
  assert.ok(bytes.length < 70 * 1024, `${bytes.length} bytes`);
  const bomb = sim.files.add({ name: 'bomb.gif', mimetype: 'image/gif', bytes, width: 9999, height: 9999 });
  // Whichever is asked first gets the first answer: both say the same.
  claude.enqueue({ text: 'Here I am.' }, { text: 'Here I am.' });
  const { message: asked } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> what is in this picture?`,
    files: [bomb],
  });
  const { message: other } = await sim.post({
    user: 'U0CARLA',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> hello`,
  });
  // Long enough for a bot that decodes the whole bomb to finish, so the memory check tells why.
  const [reply] = await waitForReplies(sim, 'C0GENERAL', asked.ts, 1, 60_000);
  const [answered] = await waitForReplies(sim, 'C0GENERAL', other.ts);
  const growth = procMb(pid, 'VmHWM') - before;
  t.diagnostic(`peak RSS growth while reading the 9,999 × 9,999 GIF: ${growth.toFixed(1)} MB`);

  assert.match(
    visibleText(reply as never),
    /bomb\.gif: it is 9,999 × 9,999 pixels \(100 megapixels\); I can read GIFs of up to 16 megapixels/,
  );
  assert.ok(growth < 100, `the process grew by ${growth.toFixed(1)} MB`);
  assert.deepEqual(sim.files.downloads.at(-1), { id: bomb.id, served: 'bytes' });
  const sent = claude.requests.map((r) => lastUserBlocks(r.body));
  assert.ok(
    !sent
      .slice(1)
      .flat()
      .some((b) => b.type === 'image'),
    'no image of the bomb reached Claude',
  );
  assert.equal(visibleText(answered as never), 'Here I am.');
  assert.equal(bot.child.exitCode, null, 'the bot is still running');
});

test('a PDF whose 200 pages sit in compressed object streams is counted by its page tree and refused, never sent to Claude', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ text: 'Here is what I can say.' });
  const hidden = makePdf(200, { compressed: true });
  assert.doesNotMatch(hidden.toString('latin1'), /\/Type\s*\/Page/, 'no page object is visible in the bytes');
  const files = [
    sim.files.add({ name: 'hidden.pdf', mimetype: 'application/pdf', bytes: hidden }),
    // Its page tree claims 1 page and holds 200.
    sim.files.add({ name: 'liar.pdf', mimetype: 'application/pdf', bytes: makePdf(200, { count: 1 }) }),
    sim.files.add({
      name: 'broken.pdf',
      mimetype: 'application/pdf',
      bytes: Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n%%EOF\n'),
    }),
    sim.files.add({
      name: 'short.pdf',
      mimetype: 'application/pdf',
      bytes: makePdf(3, { compressed: true }),
    }),
  ];
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> read these`,
    files,
  });
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts, 1, 30_000);
  const seen = visibleText(reply as never);
  assert.match(seen, /hidden\.pdf: it has 200 pages; I can read PDFs of up to 100/);
  assert.match(seen, /liar\.pdf: it has 200 pages; I can read PDFs of up to 100/);
  assert.match(seen, /broken\.pdf: I couldn’t count its pages/);
  const sent = claude.requests.flatMap((r) => lastUserBlocks(r.body)).filter((b) => b.type === 'document');
  assert.deepEqual(
    sent.map((d) => d.title),
    ['short.pdf'],
    'only the PDF whose pages were counted within the limit reached Claude',
  );
});
