import type { App, types } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { UsageBook, UsageDay, UsageTotals } from '../../limits/usage.js';
import type { Logger } from '../../platform/logger.js';
import type { ProfileSummary } from '../deps.js';
import { type ChannelFactsView, memoryBlocks } from './memory.js';
import { type ReasonView, reasonBlocks } from './reasons.js';

export interface UsageHomeDeps {
  log: Logger;
  usage: UsageBook;
  postClient: WebClient;
  /** People who see everyone's usage; others see only their own. */
  admins: ReadonlySet<string>;
  now?: () => Date;
  /** The channel profiles in effect, shown to admins. */
  profiles?: () => ProfileSummary[];
  /** Votes on answers of the last week (the feedback buttons), shown to everyone. */
  feedback?: { week(): Promise<Votes>; recentReasons?(): Promise<ReasonView[]> };
  /** Each channel's remembered facts in a workspace, shown to admins. */
  memory?: (team: string) => Promise<ChannelFactsView[]>;
}

/** Votes on answers, in all and per channel profile. */
export interface Votes {
  up: number;
  down: number;
  profiles?: ReadonlyMap<string, { up: number; down: number }>;
}

/** Rows per list: a section's text holds 3,000 characters. */
const MAX_ROWS = 15;

const num = (n: number) => n.toLocaleString('en-US');
const usd = (n: number) => `$${n < 10 ? n.toFixed(4) : n.toFixed(2)}`;

function line(label: string, t: UsageTotals): string {
  const requests = `${num(t.requests)} request${t.requests === 1 ? '' : 's'}`;
  return `${label}: ${requests} · ${num(t.inputTokens)} tokens in, ${num(t.outputTokens)} out · ${usd(t.costUsd)}`;
}

function section(text: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function list(title: string, rows: Map<string, UsageTotals>, label: (id: string) => string) {
  const sorted = [...rows].sort((a, b) => b[1].costUsd - a[1].costUsd || b[1].requests - a[1].requests);
  const shown = sorted.slice(0, MAX_ROWS).map(([id, t]) => `• ${line(label(id), t)}`);
  if (sorted.length > MAX_ROWS) shown.push(`…and ${sorted.length - MAX_ROWS} more`);
  return section(`*${title}*\n${shown.length ? shown.join('\n') : 'Nothing yet today.'}`);
}

/** The Home tab: today's requests, tokens and estimated cost per channel and per person. */
export function usageView(
  day: UsageDay | undefined,
  viewer: string,
  admin: boolean,
  feedback?: Votes,
  profiles: readonly ProfileSummary[] = [],
): types.HomeView {
  const votes = feedback
    ? [section(`*Feedback on answers, last 7 days:* 👍 ${feedback.up} · 👎 ${feedback.down}`)]
    : [];
  // Admins with several profiles see which assistant people like.
  const byProfile = [...(feedback?.profiles ?? [])].sort(
    (a, b) => b[1].up + b[1].down - (a[1].up + a[1].down),
  );
  const profileVotes =
    byProfile.length > 0 && profiles.length > 1
      ? [
          section(
            `*Feedback by profile, last 7 days*\n${[
              ...byProfile.slice(0, MAX_ROWS).map(([name, v]) => `• ${name}: 👍 ${v.up} · 👎 ${v.down}`),
              ...(byProfile.length > MAX_ROWS ? [`…and ${byProfile.length - MAX_ROWS} more`] : []),
            ].join('\n')}`,
          ),
        ]
      : [];
  const header: types.HeaderBlock = {
    type: 'header',
    text: { type: 'plain_text', text: `Usage today (${day?.day ?? '?'}, UTC)` },
  };
  if (!day) {
    return {
      type: 'home',
      blocks: [header, section('Usage is unavailable right now.')],
    };
  }
  const note: types.ContextBlock = {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: 'Cost is an estimate from list prices per model. Cached and shared answers count as requests without tokens.',
      },
    ],
  };
  if (!admin) {
    const mine = day.users.get(viewer) ?? { requests: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
    return {
      type: 'home',
      blocks: [header, section(line('You', mine)), ...votes, note],
    };
  }
  return {
    type: 'home',
    blocks: [
      header,
      section(line('*All*', day.total)),
      list('By channel', day.channels, (id) => `<#${id}>`),
      list('By person', day.users, (id) => `<@${id}>`),
      ...(profiles.length > 1 ? [list('By profile', day.profiles, (id) => id)] : []),
      ...votes,
      ...profileVotes,
      ...(profiles.length > 1 ? [profilesSection(profiles)] : []),
      note,
    ],
  };
}

/** Which profile each channel gets: the first whose channels match, else the last line's. */
function profilesSection(profiles: readonly ProfileSummary[]): types.SectionBlock {
  const rows = profiles.slice(0, MAX_ROWS).map((p) => {
    const where = p.channels.map((c) => (c === '*' ? 'every other channel' : `\`${c}\``)).join(', ');
    const tools = p.tools.length ? ` · ${p.tools.join(', ')}` : '';
    return `• *${p.name}*: ${where} · ${p.model}${tools}`;
  });
  if (profiles.length > MAX_ROWS) rows.push(`…and ${profiles.length - MAX_ROWS} more`);
  return section(`*Channel profiles* (first match wins)\n${rows.join('\n')}`);
}

/** Opening the bot's Home tab publishes the usage view (all of it for admins). */
export function register(app: App, deps: UsageHomeDeps): void {
  app.event('app_home_opened', async ({ event, body, context }) => {
    if (event.tab !== 'home') return;
    const user = event.user;
    const day = await deps.usage.read(deps.now?.() ?? new Date(), context.teamId).catch((err) => {
      deps.log.warn({ err }, 'usage unavailable');
      return undefined;
    });
    const votes = await deps.feedback?.week().catch(() => undefined);
    const admin = deps.admins.has(user);
    const view = usageView(day, user, admin, votes, admin ? (deps.profiles?.() ?? []) : []);
    if (admin && deps.memory) {
      const team = (body as { team_id?: string }).team_id ?? '';
      const facts = await deps.memory(team).catch((err) => {
        deps.log.warn({ err }, 'channel memory unavailable');
        return undefined;
      });
      if (facts) view.blocks.push(...memoryBlocks(facts));
    }
    if (admin && deps.feedback?.recentReasons) {
      const reasons = await deps.feedback.recentReasons().catch((err) => {
        deps.log.warn({ err }, 'feedback reasons unavailable');
        return undefined;
      });
      // An admin sees the reasons of the workspace whose Home tab this is, never another's.
      const here = reasons?.filter((r) => r.team === undefined || r.team === context.teamId);
      if (here) view.blocks.push(...reasonBlocks(here));
    }
    await deps.postClient.views.publish({ user_id: user, view });
  });
}
