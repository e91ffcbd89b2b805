import type { SlackSim } from './sim.js';
import { microsToTs } from './state.js';

/** People added to the simulated workspace next to the sim's own (alice, bob, carla). */
const EXTRA_PEOPLE = [
  { id: 'U0DANA', name: 'dana', real_name: 'Dana Kim', display_name: 'dana', tz: 'America/New_York' },
  // Evan's Slack speaks German: as him, the bot's own words (memory, notes, errors) are in German.
  {
    id: 'U0EVAN',
    name: 'evan',
    real_name: 'Evan Brooks',
    display_name: 'evan.b',
    tz: 'Europe/Berlin',
    locale: 'de-DE',
  },
];

/**
 * One line of seeded history: `ago` places it (the seeding function says how), who, what, and its
 * replies (minutes after the parent).
 */
export interface SeedLine {
  ago: number;
  user: string;
  text: string;
  replies?: Array<{ after: number; user: string; text: string }>;
}

const GENERAL: SeedLine[] = [
  { ago: 1420, user: 'U0ALICE', text: 'Hi all :wave: Release 2.3 planning in an hour, in the big room.' },
  {
    ago: 1400,
    user: 'U0BOB',
    text: 'Heads-up: the nightly build failed on the *payments* integration tests. Looking into it.',
    replies: [
      { after: 6, user: 'U0CARLA', text: 'Is it the flaky currency-rounding test again?' },
      {
        after: 14,
        user: 'U0BOB',
        text: 'No, a real one: the sandbox card provider changed its error codes. Fix in PR #482.',
      },
      { after: 20, user: 'U0DANA', text: 'Approved #482. Can you re-run the nightly once it is merged?' },
      { after: 41, user: 'U0BOB', text: 'Merged and re-run: all green :white_check_mark:' },
    ],
  },
  { ago: 1330, user: 'U0EVAN', text: 'Who has the link to the Q3 roadmap doc? The old one 404s.' },
  {
    ago: 1325,
    user: 'U0ALICE',
    text: 'It moved to the wiki: https://wiki.example.com/roadmap/q3 (edit access on request).',
  },
  {
    ago: 1250,
    user: 'U0ALICE',
    text: 'Planning notes: 2.3 ships the new onboarding flow, CSV export and the dark mode toggle. Search filters move to 2.4.',
    replies: [
      { after: 3, user: 'U0EVAN', text: 'Do we have enough QA time for dark mode? It touches every screen.' },
      {
        after: 9,
        user: 'U0CARLA',
        text: 'I can take dark mode QA on Wednesday and Thursday if someone covers support triage.',
      },
      { after: 12, user: 'U0DANA', text: 'I will cover triage those two days.' },
      {
        after: 18,
        user: 'U0ALICE',
        text: 'Great, decided then: code freeze Thursday 17:00, release Monday morning. I will send the calendar invite.',
      },
    ],
  },
  { ago: 1180, user: 'U0DANA', text: 'Lunch? Thinking ramen in 20 minutes.' },
  { ago: 1176, user: 'U0BOB', text: 'In! :ramen:' },
  {
    ago: 1050,
    user: 'U0CARLA',
    text: 'Support ticket trend this week: 40% of tickets are password resets. Could we add a "magic link" login?',
    replies: [
      {
        after: 8,
        user: 'U0EVAN',
        text: 'We prototyped that last year; the blocker was email deliverability for some corporate domains.',
      },
      { after: 15, user: 'U0ALICE', text: 'Worth revisiting for 2.4. Carla, can you write up the numbers?' },
      { after: 22, user: 'U0CARLA', text: 'Sure, I will share a one-pager by Friday.' },
    ],
  },
  {
    ago: 900,
    user: 'U0EVAN',
    text: 'PSA: staging database is being upgraded to Postgres 17 in the next half hour. Expect a few minutes of downtime.',
  },
  { ago: 860, user: 'U0EVAN', text: 'Staging upgrade done. Ping me if anything looks off.' },
  {
    ago: 330,
    user: 'U0BOB',
    text: 'Quick poll for the CSV export: comma or semicolon as the default separator? European customers keep asking for semicolons.',
    replies: [
      { after: 4, user: 'U0CARLA', text: 'Semicolon for locales with a decimal comma, comma elsewhere?' },
      { after: 7, user: 'U0DANA', text: '+1, and let people override it in the export dialog.' },
      { after: 30, user: 'U0BOB', text: 'Agreed, going with locale-based default plus an override.' },
    ],
  },
  { ago: 180, user: 'U0DANA', text: 'Reminder: code freeze is Thursday 17:00. Please get reviews in early!' },
  {
    ago: 45,
    user: 'U0ALICE',
    text: 'Release notes draft is up for review: https://wiki.example.com/releases/2.3 — comments welcome.',
  },
];

const PROJECT_X: SeedLine[] = [
  {
    ago: 300,
    user: 'U0ALICE',
    text: 'Project X kickoff: goal is a private beta of the analytics dashboard by end of next month.',
  },
  {
    ago: 290,
    user: 'U0BOB',
    text: 'I will sketch the data model this week. Open question: do we need per-team retention?',
  },
];

/**
 * Minute 0 of the seeded day: eight hours and a few minutes ago, so the whole day is in the past and
 * `/summarize 2h` (one of the page's suggestions) finds the latest threads, whatever the time.
 */
function dayStart(nowMs: number): number {
  return nowMs - (480 + 5) * 60_000;
}

/** `ago` (minutes before the end of a 24-hour window) mapped onto a working day of 8 hours. */
const workMinute = (ago: number) => ((1440 - ago) / 1440) * 480;

/**
 * Seeds `lines` (and their replies) into `channel`, each line at `whenMs(line.ago)`. The ts values
 * are distinct, increasing and in the past, like real history; replies are threaded under their line.
 */
export function seedChannel(
  sim: SlackSim,
  channel: string,
  lines: SeedLine[],
  whenMs: (ago: number) => number,
): void {
  let last = 0;
  const tsAt = (ms: number): string => {
    last = Math.max(last + 1, Math.round(ms * 1000));
    return microsToTs(last);
  };
  const items = lines.flatMap((line) => [
    { at: whenMs(line.ago), line, reply: undefined as undefined | { user: string; text: string } },
    ...(line.replies ?? []).map((r) => ({ at: whenMs(line.ago) + r.after * 60_000, line, reply: r })),
  ]);
  items.sort((a, b) => a.at - b.at);
  const parents = new Map<SeedLine, string>();
  for (const item of items) {
    const ts = tsAt(item.at);
    if (!item.reply) {
      sim.seedMessage({ channel, user: item.line.user, text: item.line.text, ts });
      parents.set(item.line, ts);
    } else {
      const parentTs = parents.get(item.line);
      sim.seedMessage({ channel, user: item.reply.user, text: item.reply.text, ts, thread_ts: parentTs });
    }
  }
}

/**
 * Fills the simulated workspace with what the sandbox page shows: two more people, a day of
 * #general (threads included, so there is something to summarize) and a start of #project-x.
 * Only history: no event reaches the bot.
 */
export function seedHistory(sim: SlackSim, nowMs = Date.now()): void {
  for (const person of EXTRA_PEOPLE) sim.addUser(person);
  for (const conv of sim.conversations()) {
    if (conv.name === 'general' || conv.name === 'random') {
      for (const p of EXTRA_PEOPLE) if (!conv.members.includes(p.id)) conv.members.push(p.id);
    }
  }
  // `ago`: 1440 = the day's first minute, 0 = its last.
  const inTheDay = (ago: number) => dayStart(nowMs) + workMinute(ago) * 60_000;
  seedChannel(sim, 'C0GENERAL', GENERAL, inTheDay);
  seedChannel(sim, 'G0PRIVATE', PROJECT_X, inTheDay);
}
