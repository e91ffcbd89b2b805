/**
 * The sandbox's second workspace, Globex, beside the simulated Slack's own: two people and a
 * #launch channel with some history. The bot is installed in both the way any workspace gets it
 * in multi-workspace mode (docs/install.md): /slack/install → Slack's authorize page →
 * /slack/oauth_redirect, so each workspace is answered with the token its install issued, and the
 * simulated Slack refuses a token outside its workspace.
 */
import { randomBytes } from 'node:crypto';
import { type SeedLine, seedChannel } from './slack/seed-history.js';
import type { SlackSim } from './slack/sim.js';

/** The second workspace. */
export const GLOBEX = { id: 'T0GLOBEX', name: 'Globex', domain: 'globex' } as const;

/** Its channel, with the bot in it. */
export const GLOBEX_LAUNCH = { id: 'C0GLXLAUNCH', name: 'launch' } as const;

const GLOBEX_PEOPLE = [
  { id: 'U0NORA', name: 'nora', real_name: 'Nora Lindqvist', display_name: 'nora', tz: 'Europe/Stockholm' },
  { id: 'U0OMAR', name: 'omar', real_name: 'Omar Haddad', display_name: 'omar.h', tz: 'Asia/Dubai' },
];

/** #launch: `ago` is minutes before now. */
const LAUNCH: SeedLine[] = [
  {
    ago: 190,
    user: 'U0NORA',
    text: 'Launch checklist for the Globex Hammock 2: pricing page goes live Tuesday 09:00 CET, press embargo lifts at 10:00.',
    replies: [
      { after: 4, user: 'U0OMAR', text: 'I own the press release; legal signs it off Monday.' },
      { after: 9, user: 'U0NORA', text: 'Support macros are ready, Omar reviews them Friday.' },
    ],
  },
  { ago: 120, user: 'U0OMAR', text: 'Warehouse confirmed 4,000 units in stock for launch week.' },
  {
    ago: 45,
    user: 'U0NORA',
    text: 'Open question: do we ship to Norway on day one, or a week later with the second batch?',
  },
];

/**
 * Adds Globex to the simulated Slack: the workspace, its people (their `team_id` is Globex) and
 * #launch with the bot in it. Only history: no event reaches the bot.
 */
export function seedGlobex(sim: SlackSim, nowMs = Date.now()): void {
  sim.addTeam(GLOBEX);
  for (const p of GLOBEX_PEOPLE) sim.addUser({ ...p, team_id: GLOBEX.id });
  sim.addTeamConversation(GLOBEX.id, { ...GLOBEX_LAUNCH, members: GLOBEX_PEOPLE.map((p) => p.id) });
  seedChannel(sim, GLOBEX_LAUNCH.id, LAUNCH, (ago) => nowMs - ago * 60_000);
}

/**
 * The app's OAuth settings for this run, known to the simulated Slack and the bot alike: fresh
 * secrets each start (nothing outside this process ever sees them), and a state directory of the
 * sandbox's own for the installations (sealed with a fresh key).
 */
export function sandboxOAuth(stateDir: string) {
  const app = {
    clientId: '1000000001.2000000002',
    clientSecret: randomBytes(24).toString('hex'),
  };
  return {
    app,
    env: {
      SLACK_CLIENT_ID: app.clientId,
      SLACK_CLIENT_SECRET: app.clientSecret,
      SLACK_STATE_SECRET: randomBytes(32).toString('hex'),
      SLACK_INSTALLATION_KEY: randomBytes(32).toString('base64'),
      STATE_DIR: stateDir,
    },
  };
}

/**
 * What a person's browser does to install the app in a workspace: opens the bot's /slack/install,
 * follows "Add to Slack" to the simulated Slack's authorize page, picks the workspace, and comes
 * back to /slack/oauth_redirect with the state cookie. Throws with what went wrong otherwise.
 */
export async function installThroughOAuth(botUrl: string, teamId: string): Promise<void> {
  const start = await fetch(new URL('/slack/install', botUrl), { redirect: 'manual' });
  const page = await start.text();
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const link = /href="([^"]*\/oauth\/v2\/authorize[^"]*)"/.exec(page)?.[1];
  if (start.status !== 200 || !link) throw new Error(`install page: HTTP ${start.status}`);
  const authorize = new URL(link.replaceAll('&amp;', '&'));
  authorize.searchParams.set('install_on', teamId);
  const allowed = await fetch(authorize, { redirect: 'manual' });
  const back = allowed.headers.get('location');
  if (allowed.status !== 302 || !back) throw new Error(`authorize page: HTTP ${allowed.status}`);
  const done = await fetch(back, { headers: { cookie }, redirect: 'manual' });
  await done.text();
  if (done.status !== 200) throw new Error(`install in ${teamId}: HTTP ${done.status}`);
}
