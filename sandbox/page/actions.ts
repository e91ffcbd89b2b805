/**
 * What a person does on the sandbox page, turned into what Slack would send the app: messages
 * (with `@name` typed as a mention), slash commands, the "Summarize thread" shortcut, button
 * clicks, opening the bot's Messages tab. Everything goes through the simulated Slack, in the
 * workspace the page shows (`team` in the body; unset: the sim's own): the person and the
 * conversation must be of that workspace.
 */
import type { Bot } from '../../src/bot.js';
import { CLAUDE_FAULTS, type ClaudeFault, type SandboxClaude } from '../claude/sandbox-claude.js';
import type { SandboxProfiles } from '../profiles.js';
import type { SimFile } from '../slack/files.js';
import type { DeliveryResult, SlackSim } from '../slack/sim.js';
import type { ViewValues } from '../slack/views.js';

/** Commands the app declares in manifest.yml; Slack refuses any other one before the app sees it. */
export const KNOWN_COMMANDS = new Set(['/summarize']);
/** The message shortcut's callback_id in manifest.yml. */
export const SUMMARIZE_SHORTCUT = 'summarize_thread';

/** Slack methods the "Slack rate limit" button throttles: the ones an answer is written with. */
const WRITE_METHODS = [
  'chat.postMessage',
  'chat.update',
  'chat.startStream',
  'chat.appendStream',
  'chat.stopStream',
];

/** A request the page may not make: answered with 400 and this text. */
export class BadAction extends Error {}

/** What the page shows after an action: Slack's own notice when the app did not answer in time. */
export interface ActionOutcome {
  ok: true;
  ts?: string;
  channel?: string;
  /** Slack's "only visible to you" text when delivery failed (e.g. "/summarize failed with the error …"). */
  notice?: string;
}

function str(body: Record<string, unknown>, key: string, required = true): string {
  const v = body[key];
  if (typeof v === 'string' && v !== '') return v;
  if (required) throw new BadAction(`${key} is required`);
  return '';
}

/** The workspace a person acts in: the body's `team`, one the simulated Slack has. */
function workspace(sim: SlackSim, body: Record<string, unknown>): string {
  const team = str(body, 'team', false) || sim.team.id;
  if (!sim.installs.teams.has(team)) throw new BadAction(`unknown workspace ${team}`);
  return team;
}

/**
 * `@claude`, `@alice` (name or display name, any case) become Slack mentions `<@U…>`; with
 * `team`, only that workspace's people (and the bot) are mentioned.
 */
export function withMentions(sim: SlackSim, text: string, team?: string): string {
  const byName = new Map<string, string>();
  const inTeam = (u: { team_id?: string; is_bot?: boolean }) =>
    !team || u.is_bot || (u.team_id ?? sim.team.id) === team;
  for (const u of sim.users().filter(inTeam)) {
    for (const n of [u.name, u.display_name, u.real_name.split(' ')[0] ?? '']) {
      if (n) byName.set(n.toLowerCase(), u.id);
    }
  }
  return text.replace(/(^|[\s(])@([\w.-]+)/g, (whole, before: string, name: string) => {
    const id = byName.get(name.toLowerCase()) ?? byName.get(name.toLowerCase().replace(/[.-]+$/, ''));
    return id ? `${before}<@${id}>` : whole;
  });
}

function failureNotice(what: string, r: DeliveryResult): string | undefined {
  if (r.status === 200) return undefined;
  const reason = r.status === 0 ? 'operation_timeout' : 'dispatch_failed';
  return `${what} failed with the error "${reason}"`;
}

/** A person of the workspace acted in. */
function person(sim: SlackSim, body: Record<string, unknown>): string {
  const user = str(body, 'user');
  const u = sim.state.users.get(user);
  if (!u || u.is_bot || (u.team_id ?? sim.team.id) !== workspace(sim, body))
    throw new BadAction(`unknown person ${user}`);
  return user;
}

/** A conversation of the workspace acted in. */
function conversation(sim: SlackSim, body: Record<string, unknown>): string {
  const channel = str(body, 'channel');
  if (!sim.state.conversations.has(channel) || sim.installs.teamOf(channel) !== workspace(sim, body))
    throw new BadAction(`unknown conversation ${channel}`);
  return channel;
}

/** A message or a slash command typed in the composer. */
/** A file attached in the composer: name, type and base64 bytes, stored in the simulated Slack. */
function attached(sim: SlackSim, body: Record<string, unknown>): SimFile[] {
  const f = body.file as { name?: unknown; type?: unknown; data?: unknown } | undefined;
  if (!f) return [];
  if (typeof f.name !== 'string' || typeof f.data !== 'string')
    throw new BadAction('file needs a name and data');
  const bytes = Buffer.from(f.data, 'base64');
  const mimetype = typeof f.type === 'string' && f.type ? f.type : 'application/octet-stream';
  return [sim.files.add({ name: f.name.slice(0, 200), mimetype, bytes })];
}

export async function sendMessage(sim: SlackSim, body: Record<string, unknown>): Promise<ActionOutcome> {
  const user = person(sim, body);
  const channel = conversation(sim, body);
  const files = attached(sim, body);
  const text = str(body, 'text', files.length === 0).trim();
  const threadTs = str(body, 'threadTs', false) || undefined;
  const command = /^(\/\S+)(?:\s+([\s\S]*))?$/.exec(text);
  if (command) {
    const name = (command[1] ?? '').toLowerCase();
    if (!KNOWN_COMMANDS.has(name)) {
      return { ok: true, notice: `${name} is not a valid command. In the sandbox, try /summarize.` };
    }
    const r = await sim.slashCommand({ user, channel, command: name, text: command[2]?.trim() ?? '' });
    return { ok: true, channel, notice: failureNotice(name, r) };
  }
  const { message } = await sim.post({
    user,
    channel,
    text: withMentions(sim, text, workspace(sim, body)),
    ...(threadTs ? { thread_ts: threadTs } : {}),
    ...(files.length ? { files } : {}),
  });
  return { ok: true, channel, ts: message.ts };
}

/** The "Summarize thread" message shortcut. */
export async function runShortcut(sim: SlackSim, body: Record<string, unknown>): Promise<ActionOutcome> {
  const user = person(sim, body);
  const channel = conversation(sim, body);
  const messageTs = str(body, 'ts');
  if (!sim.message(channel, messageTs)) throw new BadAction(`no message ${messageTs}`);
  const r = await sim.messageShortcut({ user, channel, messageTs, callbackId: SUMMARIZE_SHORTCUT });
  return { ok: true, channel, notice: failureNotice('Summarize thread', r) };
}

/** A button in a message or an ephemeral message (Share, …). */
export async function clickButton(sim: SlackSim, body: Record<string, unknown>): Promise<ActionOutcome> {
  const user = person(sim, body);
  const channel = conversation(sim, body);
  const messageTs = str(body, 'messageTs', false) || undefined;
  const r = await sim.blockAction({
    user,
    channel,
    actionId: str(body, 'actionId'),
    value: str(body, 'value', false),
    ...(messageTs ? { messageTs } : {}),
  });
  return { ok: true, channel, notice: failureNotice('This action', r) };
}

/** A modal submitted (its values as Slack's view.state.values) or closed, by the person it is open for. */
export async function answerView(sim: SlackSim, body: Record<string, unknown>): Promise<ActionOutcome> {
  const user = person(sim, body);
  const viewId = str(body, 'viewId');
  const v = sim.views(user).find((x) => x.id === viewId && x.open);
  if (!v) throw new BadAction('no such open view');
  if (body.close === true) {
    await sim.closeView({ user, viewId });
    return { ok: true };
  }
  const values = (typeof body.values === 'object' && body.values !== null ? body.values : {}) as ViewValues;
  const r = await sim.submitView({ user, viewId, values });
  return { ok: true, notice: failureNotice('This form', r) };
}

/** Opening the bot's Messages tab: the DM, and `app_home_opened` (the greeting, the first time). */
export async function openDm(sim: SlackSim, body: Record<string, unknown>): Promise<ActionOutcome> {
  const user = person(sim, body);
  const im = sim.state.imWith(user);
  await sim.openAppHome(user, 'messages');
  return { ok: true, channel: im.id };
}

/** The panel's trouble switches: a Claude fault for every request, or Slack 429s on the next writes. */
export function setFault(sim: SlackSim, claude: SandboxClaude, body: Record<string, unknown>): ActionOutcome {
  if (body.claude !== undefined) {
    const f = body.claude as ClaudeFault;
    if (!CLAUDE_FAULTS.includes(f)) throw new BadAction(`unknown Claude fault ${String(body.claude)}`);
    if (claude.mode !== 'offline') throw new BadAction('Claude faults need the offline model');
    claude.setFault(f);
  }
  if (body.slack === 'rate_limit') {
    for (const method of WRITE_METHODS) sim.failNext(method, { status: 429, retryAfter: 1, times: 3 });
  }
  return { ok: true };
}

/**
 * Gives a channel (its id) or the DMs (`dm`) another profile: the sandbox's profiles file is
 * rewritten and the bot re-reads it, so the next question there is asked with that profile.
 */
export function setProfile(
  bot: Bot,
  profiles: SandboxProfiles | undefined,
  body: Record<string, unknown>,
): ActionOutcome {
  if (!profiles)
    throw new BadAction(
      'the profiles come from CLAUDE_PROFILES_FILE: edit that file (it is re-read when it changes)',
    );
  const place = str(body, 'place');
  const profile = str(body, 'profile');
  try {
    profiles.assign(place, profile);
  } catch (err) {
    if (err instanceof RangeError) throw new BadAction(err.message);
    throw err;
  }
  if (!bot.reloadProfiles('sandbox panel')) throw new BadAction('the bot kept its profiles (see its log)');
  return { ok: true };
}
