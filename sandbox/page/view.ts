/**
 * What the sandbox page reads: the simulated workspace as plain JSON, and the operator panel
 * (model in use, queue, cache, last Claude requests, settings with secrets masked).
 */
import type { Bot } from '../../src/bot.js';
import { type Config, SECRET_CONFIG_FIELDS, secretValues } from '../../src/config/config.js';
import type { ProfileSummary } from '../../src/features/deps.js';
import type { RequestView, SandboxClaude } from '../claude/sandbox-claude.js';
import type { SandboxProfiles } from '../profiles.js';
import { type StreamPlan, streamPlan } from '../slack/api-stream.js';
import type { SimCall, SimEphemeral, SimMessage, SlackSim } from '../slack/sim.js';

/** A message as the page draws it: the simulated message's fields, with two flags for the page. */
export type MessageView = Pick<
  SimMessage,
  'ts' | 'user' | 'text' | 'thread_ts' | 'blocks' | 'subtype' | 'reply_count' | 'latest_reply' | 'streaming'
> & {
  /** Written with chat.startStream: `text` is Markdown. */
  streamed?: boolean;
  /** The task_update / plan_update chunks of a streamed message, folded as Slack shows them. */
  plan?: StreamPlan | undefined;
  edited?: boolean;
};

/** The Slack part of the page's state: every workspace, each person and conversation naming its own. */
export interface WorkspaceView {
  /** The sim's own workspace's name. */
  team: string;
  /** The workspaces the page switches between, the sim's own first. */
  teams: Array<{ id: string; name: string }>;
  botUserId: string;
  /** `team`: the person's workspace (the bot's is the sim's own; it is in every workspace). */
  users: Array<{ id: string; name: string; realName: string; isBot: boolean; team: string }>;
  conversations: Array<{
    id: string;
    name: string;
    isPrivate: boolean;
    isIm: boolean;
    user?: string;
    team: string;
  }>;
  messages: Record<string, MessageView[]>;
  ephemerals: SimEphemeral[];
  /** Current assistant status by `channel:thread_ts` (only non-empty ones). */
  statuses: Record<string, string>;
  prompts: Array<{ channel: string; thread_ts: string; title?: string; prompts: unknown[] }>;
  /** Modals the app opened (views.open) that are still open, for whoever they were opened for. */
  views: Array<{ id: string; user: string; view: Record<string, unknown> }>;
  /** Canvases the bot made, with the channel whose tabs they are in. */
  canvases: Array<{
    id: string;
    title: string;
    channel?: string;
    markdown: string;
    edits: number;
    url: string;
  }>;
}

/** The operator panel's part of the page's state. */
export interface PanelView {
  model: { mode: 'offline' | 'api'; label: string; id: string };
  fault: string;
  queue: { waiting: number; running: number };
  answers: { inflight: number; cacheHits: number; byOutcome: Record<string, number> };
  requests: RequestView[];
  /** The bot's latest Slack calls, newest first; a run of the same call is one entry with its count. */
  slackCalls: Array<{ method: string; ok: boolean; error?: string; at: number; count: number }>;
  /** Every Slack call the bot made since the sandbox started. */
  slackCallsTotal: number;
  settings: Array<[string, string]>;
  profiles: ProfilesView;
}

/** The channel profiles: which one each place gets now, and the profiles the bot has in effect. */
export interface ProfilesView {
  /** The sandbox's own file: each place can be switched. False: the operator's file (read-only). */
  editable: boolean;
  /** The names a place can be switched to, `default` (no profile: the settings) first. */
  options: string[];
  /** Each channel, then the DMs (`dm`), with the profile the bot gives it now. */
  places: Array<{ place: string; label: string; profile: string }>;
  inEffect: ProfileSummary[];
}

/** Shown on the page and in the terminal so nobody mistakes the offline model for Claude. */
export function modelLabel(claude: SandboxClaude, config: Config): string {
  return claude.mode === 'offline'
    ? 'Offline demo model — set ANTHROPIC_API_KEY to use Claude'
    : `Claude API · ${config.claude.model}`;
}

export function workspaceView(sim: SlackSim): WorkspaceView {
  const state = sim.state;
  const conversations = sim.conversations();
  const statuses: Record<string, string> = {};
  for (const s of state.statuses) {
    const key = `${s.channel}:${s.thread_ts}`;
    if (s.status) statuses[key] = s.status;
    else delete statuses[key];
  }
  return {
    team: sim.team.name,
    teams: [...sim.installs.teams.values()].map((t) => ({ id: t.id, name: t.name })),
    botUserId: sim.botUserId,
    users: sim.users().map((u) => ({
      id: u.id,
      name: u.display_name || u.name,
      realName: u.real_name,
      isBot: Boolean(u.is_bot),
      team: u.team_id ?? sim.team.id,
    })),
    conversations: conversations.map((c) => ({
      id: c.id,
      name: c.name,
      isPrivate: c.is_private,
      isIm: c.is_im,
      ...(c.user ? { user: c.user } : {}),
      team: sim.installs.teamOf(c.id),
    })),
    messages: Object.fromEntries(
      conversations.map((c) => [
        c.id,
        state.all(c.id).map((m) => ({
          ts: m.ts,
          user: m.user,
          text: m.text,
          thread_ts: m.thread_ts,
          blocks: m.blocks,
          subtype: m.subtype,
          reply_count: m.reply_count,
          latest_reply: m.latest_reply,
          streaming: m.streaming,
          streamed: m.chunks_text !== undefined,
          plan: streamPlan(m),
          edited: Boolean(m.edited),
        })),
      ]),
    ),
    ephemerals: [...state.ephemerals],
    statuses,
    prompts: sim.suggestedPrompts(),
    views: sim
      .views()
      .filter((v) => v.open)
      .map((v) => ({ id: v.id, user: v.user, view: v.view })),
    canvases: sim.canvases().map((c) => ({
      id: c.id,
      title: c.title,
      ...(c.channelId ? { channel: c.channelId } : {}),
      markdown: sim.canvasMarkdown(c.id),
      edits: c.edits,
      url: sim.canvasUrl(c.id),
    })),
  };
}

/** How many entries of the Slack calls list the panel shows. */
const SLACK_CALLS_SHOWN = 40;

/**
 * Every setting as `group.name = value`; the settings the config schema declares secret are masked,
 * and so is any value equal to a secret (a proxy URL with a password, for one).
 */
export function maskedSettings(config: Config): Array<[string, string]> {
  const secretFields = new Set<string>(Object.values(SECRET_CONFIG_FIELDS));
  const secrets = new Set(secretValues(config));
  const out: Array<[string, string]> = [];
  const walk = (prefix: string, value: unknown) => {
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v);
      return;
    }
    const text = value === undefined ? '(unset)' : String(value);
    const secret = secretFields.has(prefix) || secrets.has(text);
    out.push([prefix, secret && value !== undefined && text !== '' ? '•••••• (set)' : text]);
  };
  walk('', config);
  return out;
}

/**
 * With the offline model the bot holds a stand-in key only the sandbox's fake API takes: the panel
 * says no key is set, as the banner does, instead of masking it as a real one.
 */
function offlineKeyShown(settings: Array<[string, string]>, claude: SandboxClaude): Array<[string, string]> {
  if (claude.mode !== 'offline') return settings;
  return settings.map(([name, value]) =>
    name === 'anthropic.apiKey' ? [name, '(unset: offline model, no ANTHROPIC_API_KEY)'] : [name, value],
  );
}

/** Web API calls and response_url posts, newest first, runs of one method folded into a count. */
function slackCallsView(sim: SlackSim): Pick<PanelView, 'slackCalls' | 'slackCallsTotal'> {
  // Newest first within each list, so calls in the same millisecond keep their order once merged.
  const latest = (list: SimCall[]) => list.slice(-SLACK_CALLS_SHOWN * 8).reverse();
  const recent = [...latest(sim.calls), ...latest(sim.responses)].sort((a, b) => b.at - a.at);
  const out: PanelView['slackCalls'] = [];
  for (const c of recent) {
    const last = out.at(-1);
    if (last && last.method === c.method && last.ok === c.ok && last.error === c.error) last.count++;
    else if (out.length < SLACK_CALLS_SHOWN)
      out.push({ method: c.method, ok: c.ok, at: c.at, count: 1, ...(c.error ? { error: c.error } : {}) });
    else break;
  }
  return { slackCalls: out, slackCallsTotal: sim.calls.length + sim.responses.length };
}

async function counterValues(
  metric: Bot['metrics']['answers'],
): Promise<Array<{ value: number; labels: Record<string, string | number> }>> {
  return (await metric.get()).values;
}

/** Asks the bot itself which profile each place gets: what the panel shows is what answers use. */
async function profilesView(
  sim: SlackSim,
  bot: Bot,
  profiles: SandboxProfiles | undefined,
): Promise<ProfilesView> {
  // The channels the bot is in: the places it answers.
  const channels = sim
    .conversations()
    .filter((c) => !c.is_im && !c.is_mpim && c.members.includes(sim.botUserId));
  // Another workspace's channels say whose they are (each workspace may have its own #general).
  const label = (c: (typeof channels)[number]) => {
    const team = c.team_id && c.team_id !== sim.team.id ? sim.installs.teams.get(c.team_id) : undefined;
    return team ? `#${c.name} (${team.name})` : `#${c.name}`;
  };
  const places = [
    ...channels.map((c) => ({ place: c.id, label: label(c), kind: 'channel' as const })),
    { place: 'dm', label: 'Direct messages', kind: 'dm' as const },
  ];
  return {
    editable: Boolean(profiles),
    options: profiles?.names ?? [],
    places: await Promise.all(
      places.map(async ({ place, label, kind }) => ({
        place,
        label,
        profile: (await bot.profiles.forPlace({ channelId: kind === 'dm' ? 'D0' : place, kind })).name,
      })),
    ),
    // Channel ids as people know them: #name.
    inEffect: bot.profiles.list().map((p) => ({
      ...p,
      channels: p.channels.map((c) => {
        const name = channels.find((ch) => ch.id === c)?.name;
        return name ? `#${name}` : c;
      }),
    })),
  };
}

export async function panelView(
  sim: SlackSim,
  bot: Bot,
  claude: SandboxClaude,
  config: Config,
  profiles?: SandboxProfiles,
): Promise<PanelView> {
  const byOutcome: Record<string, number> = {};
  let cacheHits = 0;
  for (const v of await counterValues(bot.metrics.answers)) {
    const outcome = String(v.labels.outcome);
    byOutcome[outcome] = (byOutcome[outcome] ?? 0) + v.value;
    if (v.labels.source === 'cache') cacheHits += v.value;
  }
  const inflight = (await bot.metrics.inflight.get()).values[0]?.value ?? 0;
  return {
    model: {
      mode: claude.mode,
      label: modelLabel(claude, config),
      id: claude.mode === 'offline' ? 'offline demo model' : config.claude.model,
    },
    fault: claude.fault(),
    queue: bot.queue(),
    answers: { inflight, cacheHits, byOutcome },
    requests: claude.recentRequests(5),
    ...slackCallsView(sim),
    settings: offlineKeyShown(maskedSettings(config), claude),
    profiles: await profilesView(sim, bot, profiles),
  };
}
