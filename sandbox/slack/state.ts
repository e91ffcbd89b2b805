import { SimCanvases } from './canvases.js';
import { ActionTokens } from './search.js';
import type { SimSession } from './sessions.js';
import type { SimConversation, SimEphemeral, SimMessage, SimStatus, SimUser } from './types.js';
import { SimViews } from './views.js';

/** Identity of the simulated workspace and its one installed app. */
export interface SimIdentity {
  teamId: string;
  teamName: string;
  teamDomain: string;
  botUserId: string;
  botId: string;
  botName: string;
  appId: string;
}

/** Converts a Slack ts ('1732550400.000100') to integer microseconds so ts values compare numerically. */
export function tsToMicros(ts: string): number {
  const [sec = '0', frac = ''] = ts.split('.');
  return Number(sec) * 1_000_000 + Number(frac.padEnd(6, '0').slice(0, 6));
}

/** Formats microseconds as a Slack ts. */
export function microsToTs(us: number): string {
  return `${Math.floor(us / 1_000_000)}.${String(us % 1_000_000).padStart(6, '0')}`;
}

const threadKey = (channel: string, threadTs: string) => `${channel}/${threadTs}`;

/** The value under `key`, made and stored first when missing. */
function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/** Takes `m` out of `list` when it is there. */
function without(list: SimMessage[] | undefined, m: SimMessage): void {
  const i = list?.indexOf(m) ?? -1;
  if (i !== -1) list?.splice(i, 1);
}

/** Puts `m` in ts order, searching from the end: new messages almost always go last. */
function insertSorted(list: SimMessage[], m: SimMessage, micros: number): void {
  let at = list.length;
  while (at > 0 && tsToMicros((list[at - 1] as SimMessage).ts) > micros) at--;
  list.splice(at, 0, m);
}

/**
 * All workspace state: people, conversations, messages and app-facing side state.
 * Pure data plus invariants (thread counters, ordering); no I/O, so the sandbox page can read it directly.
 */
export class SimState {
  readonly users = new Map<string, SimUser>();
  readonly conversations = new Map<string, SimConversation>();
  /** Every message of a channel (parents and replies), sorted by ts. */
  readonly messagesByChannel = new Map<string, SimMessage[]>();
  /** Per channel, each message by its ts (lookups stay O(1) in a channel of thousands). */
  private readonly byTs = new Map<string, Map<string, SimMessage>>();
  /** Each thread's replies (parent excluded), sorted by ts; keyed by threadKey. */
  private readonly replies = new Map<string, SimMessage[]>();
  readonly ephemerals: SimEphemeral[] = [];
  readonly statuses: SimStatus[] = [];
  /** Each thread's latest status, keyed by threadKey. */
  private readonly latestStatus = new Map<string, string>();
  readonly suggestedPrompts = new Map<string, { title?: string; prompts: unknown[] }>();
  readonly titles = new Map<string, string>();
  readonly homeViews = new Map<string, unknown>();
  /** Trigger ids handed out with interactions, and the modals opened with them (see views.ts). */
  readonly views = new SimViews();
  /** Agent sessions by channel and thread (see sessions.ts). */
  readonly sessions = new Map<string, SimSession>();
  /** Canvases the app created (see canvases.ts). */
  readonly canvases = new SimCanvases();
  /** URLs Slack would have fetched to unfurl the bot's posts (see chat.postMessage). */
  readonly unfurled: string[] = [];
  /** The action_tokens put on people's message events (assistant.search.context takes them). */
  readonly actionTokens = new ActionTokens();
  private lastTsMicros = 0;

  constructor(
    readonly id: SimIdentity,
    private readonly onChange: () => void,
  ) {}

  /** Signals a state change to listeners (the sandbox page, waitFor). */
  changed(): void {
    this.onChange();
  }

  /** A fresh ts, unique and strictly increasing even within one millisecond. */
  nextTs(): string {
    this.lastTsMicros = Math.max(Date.now() * 1000, this.lastTsMicros + 1);
    return microsToTs(this.lastTsMicros);
  }

  addUser(u: Partial<SimUser> & { id: string; name: string }): SimUser {
    const user: SimUser = { real_name: u.name, display_name: '', ...u };
    this.users.set(user.id, user);
    this.changed();
    return user;
  }

  addConversation(c: Partial<SimConversation> & { id: string; name: string }): SimConversation {
    const conv: SimConversation = {
      is_channel: !c.is_im && !c.is_mpim,
      is_private: Boolean(c.is_im || c.is_mpim),
      is_im: false,
      is_mpim: false,
      members: [],
      created: Math.floor(Date.now() / 1000),
      ...c,
    };
    this.conversations.set(conv.id, conv);
    if (!this.messagesByChannel.has(conv.id)) this.messagesByChannel.set(conv.id, []);
    this.changed();
    return conv;
  }

  /** The DM between the bot and a user, created when missing (Slack opens it on first use), in the person's workspace. */
  imWith(userId: string): SimConversation {
    for (const c of this.conversations.values()) {
      if (c.is_im && c.user === userId) return c;
    }
    const team = this.users.get(userId)?.team_id;
    return this.addConversation({
      ...(team ? { team_id: team } : {}),
      id: `D${userId.slice(1)}`,
      name: userId,
      is_im: true,
      is_channel: false,
      is_private: true,
      user: userId,
      members: [userId, this.id.botUserId],
    });
  }

  isBotMember(conv: SimConversation): boolean {
    return conv.members.includes(this.id.botUserId);
  }

  /** Slack's `channel_type` of message events. */
  channelType(conv: SimConversation): 'channel' | 'group' | 'im' | 'mpim' {
    if (conv.is_im) return 'im';
    if (conv.is_mpim) return 'mpim';
    return conv.is_private ? 'group' : 'channel';
  }

  all(channel: string): SimMessage[] {
    return entry(this.messagesByChannel, channel, () => []);
  }

  find(channel: string, ts: string): SimMessage | undefined {
    return this.byTs.get(channel)?.get(ts);
  }

  /** Top-level messages (thread parents included), oldest first. */
  topLevel(channel: string): SimMessage[] {
    return this.all(channel).filter((m) => !m.thread_ts || m.thread_ts === m.ts);
  }

  /** Parent then replies, oldest first; empty when the parent is unknown. */
  thread(channel: string, threadTs: string): SimMessage[] {
    const parent = this.find(channel, threadTs);
    if (!parent) return [];
    return [parent, ...(this.replies.get(threadKey(channel, threadTs)) ?? [])];
  }

  /**
   * Stores a message in ts order and keeps the thread parent's counters in sync
   * (reply_count, latest_reply, reply_users), as Slack does.
   */
  insert(m: SimMessage): SimMessage {
    const micros = tsToMicros(m.ts);
    insertSorted(this.all(m.channel), m, micros);
    entry(this.byTs, m.channel, () => new Map()).set(m.ts, m);
    if (micros > this.lastTsMicros) this.lastTsMicros = micros;
    if (m.thread_ts && m.thread_ts !== m.ts) {
      insertSorted(
        entry(this.replies, threadKey(m.channel, m.thread_ts), () => []),
        m,
        micros,
      );
      const parent = this.find(m.channel, m.thread_ts);
      if (parent) {
        m.parent_user_id = parent.user;
        this.countReply(parent, m);
      }
    }
    this.changed();
    return m;
  }

  /** Removes a message; a parent with replies becomes a tombstone like in Slack. */
  remove(m: SimMessage): void {
    const list = this.all(m.channel);
    const isParentWithReplies = (m.reply_count ?? 0) > 0 && (!m.thread_ts || m.thread_ts === m.ts);
    if (isParentWithReplies) {
      m.subtype = 'tombstone';
      m.text = 'This message was deleted.';
      m.blocks = undefined;
      m.user = 'USLACKBOT';
      m.bot_id = undefined;
      m.streaming = undefined;
    } else {
      without(list, m);
      const index = this.byTs.get(m.channel);
      if (index?.get(m.ts) === m) index.delete(m.ts);
      if (m.thread_ts && m.thread_ts !== m.ts) {
        without(this.replies.get(threadKey(m.channel, m.thread_ts)), m);
        const parent = this.find(m.channel, m.thread_ts);
        if (parent) this.recountThread(parent);
      }
    }
    this.changed();
  }

  /** A new reply on the parent's counters without recounting: a thread of 20,000 seeds in linear time. */
  private countReply(parent: SimMessage, reply: SimMessage): void {
    if (!parent.reply_count) {
      this.recountThread(parent);
      return;
    }
    parent.reply_count += 1;
    if (tsToMicros(reply.ts) > tsToMicros(parent.latest_reply ?? '0')) parent.latest_reply = reply.ts;
    const who = reply.user ?? reply.bot_id;
    if (who && !parent.reply_users?.includes(who)) parent.reply_users = [...(parent.reply_users ?? []), who];
  }

  private recountThread(parent: SimMessage): void {
    const replies = this.replies.get(threadKey(parent.channel, parent.ts)) ?? [];
    if (replies.length === 0) {
      parent.reply_count = undefined;
      parent.latest_reply = undefined;
      parent.reply_users = undefined;
      return;
    }
    parent.thread_ts = parent.ts;
    parent.reply_count = replies.length;
    parent.latest_reply = replies.at(-1)?.ts;
    parent.reply_users = [...new Set(replies.map((r) => r.user ?? r.bot_id ?? ''))].filter(Boolean);
  }

  /** Current assistant status of a thread ('' when none). */
  currentStatus(channel: string, threadTs: string): string {
    return this.latestStatus.get(threadKey(channel, threadTs)) ?? '';
  }

  setStatus(channel: string, threadTs: string, status: string): void {
    this.statuses.push({ channel, thread_ts: threadTs, status, at: Date.now() });
    this.latestStatus.set(threadKey(channel, threadTs), status);
    this.changed();
  }

  /** Populates the default people and conversations described in SlackSimOptions.seed. */
  seed(): void {
    const bot = this.id.botUserId;
    this.addUser({
      id: 'U0ALICE',
      name: 'alice',
      real_name: 'Alice Chen',
      display_name: 'alice',
      tz: 'America/Los_Angeles',
    });
    this.addUser({
      id: 'U0BOB',
      name: 'bob',
      real_name: 'Bob Martin',
      display_name: 'bobm',
      tz: 'Europe/London',
    });
    this.addUser({
      id: 'U0CARLA',
      name: 'carla',
      real_name: 'Carla Díaz',
      display_name: 'carla.d',
      tz: 'Europe/Madrid',
    });
    const humans = ['U0ALICE', 'U0BOB', 'U0CARLA'];
    this.addConversation({ id: 'C0GENERAL', name: 'general', members: [...humans, bot] });
    this.addConversation({ id: 'C0RANDOM', name: 'random', members: [...humans] });
    this.addConversation({
      id: 'G0PRIVATE',
      name: 'project-x',
      is_private: true,
      members: ['U0ALICE', 'U0BOB', bot],
    });
    this.imWith('U0ALICE');
  }
}
