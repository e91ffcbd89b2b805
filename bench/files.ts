import { startFakeAnthropic } from '../sandbox/claude/fake-anthropic.js';
import { NO_RATE_LIMITS } from '../sandbox/slack/rate-limits.js';
import { SlackSim } from '../sandbox/slack/sim.js';
import { makePdf } from '../test/support/pdf.js';
import { timedDelivery } from './latency.js';
import { startBot } from './setup.js';
import { summary } from './stats.js';

/** A screenshot of about 5 MB (Claude's image limit is 5 MiB): a PNG header, then filler. */
const SCREENSHOT = Buffer.concat([
  Buffer.from('89504e470d0a1a0a0000000d4948445200000780000004380806000000', 'hex'),
  Buffer.alloc(5_000_000, 1),
]);
/** A 30-page PDF of about 1.5 MB (50 KB a page, like a text-heavy spec). */
const PDF = makePdf(30, { pageBytes: 50_000 });

type Variant = 'none' | 'screenshot' | 'pdf';

/**
 * Files: app_mention event sent → Claude request received, for the same question with no file, a
 * 5 MB screenshot and a 30-page PDF (downloaded from the simulated Slack, checked, base64-encoded),
 * one question at a time.
 */
export async function measureFiles(samples: number) {
  const sim = await SlackSim.start({ rateLimits: NO_RATE_LIMITS });
  const claude = await startFakeAnthropic();
  const bot = await startBot(sim, claude, { CACHE_TTL_SECONDS: '0' });
  const delivery = timedDelivery();
  sim.connectHttp({ eventsUrl: bot.eventsUrl, transport: delivery.transport });
  const filesOf = (v: Variant) =>
    v === 'none'
      ? []
      : [
          v === 'screenshot'
            ? sim.files.add({
                name: 'shot.png',
                mimetype: 'image/png',
                bytes: SCREENSHOT,
                width: 1920,
                height: 1080,
              })
            : sim.files.add({ name: 'spec.pdf', mimetype: 'application/pdf', bytes: PDF }),
        ];
  const ask = async (v: Variant, i: number) => {
    const text = `question ${v} ${i} ${Date.now()}`;
    const { message } = await sim.post({
      user: 'U0ALICE',
      channel: 'C0GENERAL',
      text: `<@${sim.botUserId}> ${text}`,
      files: filesOf(v),
    });
    const req = await sim
      .waitFor(
        () =>
          claude.requests.find((r) =>
            (r.body.messages ?? []).some((m) => JSON.stringify(m.content).slice(0, 2000).includes(text)),
          ),
        { timeoutMs: 120_000, what: `the Claude request for ${text}` },
      )
      .catch((err) => {
        const seen = sim.thread('C0GENERAL', message.ts).map((m) => m.text);
        throw new Error(`${(err as Error).message}; thread: ${JSON.stringify(seen).slice(0, 500)}`);
      });
    return { ms: req.at - delivery.sentAt('app_mention', message.ts), ts: message.ts };
  };
  const times: Record<Variant, number[]> = { none: [], screenshot: [], pdf: [] };
  try {
    for (let i = 0; i < samples; i++) {
      for (const v of ['none', 'screenshot', 'pdf'] as const) {
        times[v].push((await ask(v, i)).ms);
        claude.requests.length = 0;
      }
    }
    return {
      none: summary(times.none),
      screenshot: summary(times.screenshot),
      pdf: summary(times.pdf),
    };
  } finally {
    await bot.stop();
    await sim.close();
    await claude.close();
  }
}
