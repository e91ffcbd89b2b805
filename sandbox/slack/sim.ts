import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ActingTeam,
  type ActionDeps,
  appHomeOpened,
  deliverEvent,
  eventNeeds,
  humanDelete,
  humanEdit,
  humanJoin,
  humanPost,
  slashCommand,
} from './actions.js';
import { shareCanvas } from './canvas-content.js';
import type { SimCanvas } from './canvases.js';
import { Deliverer, type DeliveryOptions, type HttpTransport } from './delivery.js';
import { SimFiles } from './files.js';
import { FaultBook, type HttpHooks, handleRequest } from './http.js';
import {
  type SimEnterprise,
  type SimGrant,
  SimInstalls,
  type SimOAuthApp,
  type SimTeam,
} from './installs.js';
import { blockAction, messageShortcut } from './interactions.js';
import { DISTRIBUTED_HISTORY_RULES, RateLimiter } from './rate-limits.js';
import { ResponseUrls } from './response.js';
import { manifestDeclaresAgent, manifestEvents, manifestScopes } from './scopes.js';
import type { SimSession } from './sessions.js';
import type { ApiContext } from './shapes.js';
import { SocketHub } from './socket.js';
import { SimState } from './state.js';
import type {
  DeliveryResult,
  SimAck,
  SimCall,
  SimConversation,
  SimEphemeral,
  SimFault,
  SimMessage,
  SimStatus,
  SimUser,
  SlackSimOptions,
} from './types.js';
import { closeView, type SimView, submitView, type ViewValues } from './views.js';
import { waitForCondition } from './wait.js';

export type { SimCanvas } from './canvases.js';
export { slackSignature } from './delivery.js';
export type { SimEnterprise, SimGrant, SimOAuthApp, SimTeam } from './installs.js';
export type * from './types.js';

/**
 * One simulated Slack workspace with one installed app (the bot under test).
 * Serves the Web API over real HTTP, delivers events signed over HTTP or over Socket Mode, and keeps
 * every piece of state inspectable. Emits 'change' on any state change and 'call' (SimCall) per API call.
 */
export class SlackSim extends EventEmitter {
  readonly apiUrl: string;
  readonly url: string;
  readonly team: { id: string; name: string; domain: string; url: string };
  readonly botUserId: string;
  readonly botToken: string;
  readonly appToken: string;
  readonly signingSecret: string;
  /** Every Web API call answered, oldest first (tokens removed from args). */
  calls: SimCall[] = [];
  /** POSTs to response_urls (ephemeral answers to commands and buttons), kept apart from Web API calls. */
  responses: SimCall[] = [];
  /** The raw workspace state, for the sandbox page and advanced assertions. */
  readonly state: SimState;
  /** Files shared in the workspace: `files.add(…)` gives the `files[]` entry of a message. */
  readonly files: SimFiles;
  /** Other workspaces and organizations, the app's OAuth settings and every bot token issued. */
  readonly installs: SimInstalls;
  private readonly faults = new FaultBook();
  private readonly sockets: SocketHub;
  private readonly deliverer: Deliverer;
  private readonly deps: ActionDeps;
  private readonly hooks: HttpHooks;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters = new Set<(err: Error) => void>();

  private constructor(
    private readonly server: Server,
    port: number,
    opts: SlackSimOptions,
  ) {
    super();
    // Every waitFor adds listeners; many concurrent waits are normal in tests.
    this.setMaxListeners(0);
    this.url = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.url}/api/`;
    this.team = {
      id: opts.teamId ?? 'T0SIM',
      name: opts.teamName ?? 'Sandbox',
      domain: opts.teamDomain ?? 'sandbox',
      url: `${this.url}/`,
    };
    this.botUserId = opts.botUserId ?? 'U0BOT';
    this.botToken = opts.botToken ?? 'xoxb-sim-token';
    this.appToken = opts.appToken ?? 'xapp-sim-token';
    this.signingSecret = opts.signingSecret ?? 'sim-signing-secret';
    const botId = opts.botId ?? 'B0BOT';
    const botName = opts.botName ?? 'claude';
    const appId = 'A0SIM';
    this.state = new SimState(
      {
        teamId: this.team.id,
        teamName: this.team.name,
        teamDomain: this.team.domain,
        botUserId: this.botUserId,
        botId,
        botName,
        appId,
      },
      () => this.emit('change'),
    );
    this.state.addUser({
      id: this.botUserId,
      name: botName,
      real_name: botName,
      display_name: botName,
      is_bot: true,
      bot_id: botId,
    });
    if (opts.seed ?? true) this.state.seed();
    const ackTimeoutMs = opts.ackTimeoutMs ?? 3000;
    this.sockets = new SocketHub(appId, ackTimeoutMs, () => this.emit('change'));
    this.deliverer = new Deliverer(this.signingSecret, this.sockets, ackTimeoutMs);
    const scopes = new Set(opts.scopes ?? manifestScopes());
    const ctx: ApiContext = {
      state: this.state,
      team: this.team,
      streamLifetimeMs: opts.streamLifetimeMs ?? 5 * 60 * 1000,
      openSocketUrl: () => this.sockets.issueUrl(this.url),
      agentView: opts.agentView ?? manifestDeclaresAgent(),
      stopEventSubscribed: manifestEvents().includes('agent_session_stopped'),
      scopes,
      ...(opts.historyLimited ? { historyLimited: true } : {}),
    };
    const responseUrls = new ResponseUrls(ctx, this.url);
    this.files = new SimFiles(this.url, this.team.id);
    const subscribed = new Set(manifestEvents());
    this.installs = new SimInstalls(
      this.state,
      { id: this.team.id, name: this.team.name, domain: this.team.domain },
      this.botToken,
    );
    this.deps = {
      state: this.state,
      deliverer: this.deliverer,
      responseUrls,
      // Events of people's messages reach the app only as the manifest subscribes and scopes allow.
      receives: (event, conv) => {
        const needs = eventNeeds(event, this.state.channelType(conv));
        return !needs || (subscribed.has(needs.subscription) && scopes.has(needs.scope));
      },
      envelopeFor: (envelope) => this.addressed(envelope),
      teamFor: (where) => this.actingTeam(where),
    };
    this.hooks = {
      ctx,
      botToken: this.botToken,
      appToken: this.appToken,
      scopes,
      faults: this.faults,
      rates: new RateLimiter({
        ...opts.rateLimits,
        ...(opts.historyLimited ? DISTRIBUTED_HISTORY_RULES : {}),
      }),
      responseUrls,
      installs: this.installs,
      files: this.files,
      record: (call) => {
        this.calls.push(call);
        this.emit('call', call);
      },
      recordResponse: (call) => {
        this.responses.push(call);
        this.emit('call', call);
      },
      sleep: (ms) =>
        new Promise((resolve) => {
          const t = setTimeout(() => {
            this.timers.delete(t);
            resolve();
          }, ms);
          this.timers.add(t);
        }),
    };
  }

  /** Starts the sim on 127.0.0.1 (port 0 = any free port). */
  static async start(opts: SlackSimOptions & { port?: number } = {}): Promise<SlackSim> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    const sim = new SlackSim(server, (server.address() as AddressInfo).port, opts);
    server.on('request', (req, res) => handleRequest(sim.hooks, req, res));
    server.on('upgrade', (req, socket, head: Buffer) => sim.sockets.handleUpgrade(req, socket, head));
    return sim;
  }

  // ---- inspection ----

  /** Calls Slack refused with 429 `ratelimited` (past a method's rate tier), oldest first. */
  rateLimited(method?: string): SimCall[] {
    return this.calls.filter((c) => c.error === 'ratelimited' && (!method || c.method === method));
  }

  /** Calls made to one method, oldest first. */
  callsTo(method: string): SimCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  addUser(u: Partial<SimUser> & { id: string; name: string }): SimUser {
    return this.state.addUser(u);
  }

  addConversation(c: Partial<SimConversation> & { id: string; name: string }): SimConversation {
    return this.state.addConversation(c);
  }

  users(): SimUser[] {
    return [...this.state.users.values()];
  }

  conversations(): SimConversation[] {
    return [...this.state.conversations.values()];
  }

  /** Top-level messages of a channel, oldest first. */
  messages(channel: string): SimMessage[] {
    return this.state.topLevel(channel);
  }

  /** Parent and replies, oldest first. */
  thread(channel: string, threadTs: string): SimMessage[] {
    return this.state.thread(channel, threadTs);
  }

  message(channel: string, ts: string): SimMessage | undefined {
    return this.state.find(channel, ts);
  }

  ephemerals(filter: { channel?: string; user?: string } = {}): SimEphemeral[] {
    return this.state.ephemerals.filter(
      (e) => (!filter.channel || e.channel === filter.channel) && (!filter.user || e.user === filter.user),
    );
  }

  /** assistant.threads.setStatus history (a bot reply in the thread records a clearing '' entry). */
  statuses(): SimStatus[] {
    return [...this.state.statuses];
  }

  /** URLs Slack would have fetched to unfurl the bot's posts. */
  unfurls(): string[] {
    return [...this.state.unfurled];
  }

  suggestedPrompts(): Array<{ channel: string; thread_ts: string; title?: string; prompts: unknown[] }> {
    return [...this.state.suggestedPrompts].map(([key, v]) => {
      const [channel = '', thread_ts = ''] = key.split(':');
      return { channel, thread_ts, ...v };
    });
  }

  threadTitles(): Array<{ channel: string; thread_ts: string; title: string }> {
    return [...this.state.titles].map(([key, title]) => {
      const [channel = '', thread_ts = ''] = key.split(':');
      return { channel, thread_ts, title };
    });
  }

  /** Canvases the app created, oldest first (see canvases.ts). */
  canvases(): SimCanvas[] {
    return [...this.state.canvases.byId.values()];
  }

  /** A canvas's whole markdown, its sections in order ('' when unknown). */
  canvasMarkdown(id: string): string {
    return this.state.canvases.markdown(id);
  }

  /** The link Slack gives a canvas (https://<workspace>.slack.com/docs/<team>/<canvas>). */
  canvasUrl(id: string): string {
    return `${this.team.url}docs/${this.team.id}/${id}`;
  }

  /** Published App Home views by user id. */
  homeViews(): Record<string, unknown> {
    return Object.fromEntries(this.state.homeViews);
  }

  /** Socket Mode acks received, oldest first. */
  get acks(): SimAck[] {
    return this.sockets.acks;
  }

  /** Socket Mode connections opened so far, closed ones included (a reconnect opens one more). */
  get socketsOpened(): number {
    return this.sockets.opened;
  }

  /** Open Socket Mode connections. */
  get socketCount(): number {
    return this.sockets.connected;
  }

  /** Adds history without delivering any event. */
  seedMessage(m: {
    channel: string;
    user: string;
    text: string;
    thread_ts?: string;
    ts?: string;
    bot_id?: string;
    subtype?: string;
  }): SimMessage {
    return this.state.insert({ ...m, ts: m.ts ?? this.state.nextTs() });
  }

  // ---- delivery ----

  /**
   * Sends events, commands and interactions to this URL (signed) while no socket is connected;
   * through `transport` when given (see HttpTransport).
   */
  connectHttp(opts: { eventsUrl: string; transport?: HttpTransport }): void {
    this.deliverer.eventsUrl = opts.eventsUrl;
    this.deliverer.transport = opts.transport;
  }

  post(m: {
    user: string;
    channel: string;
    text: string;
    thread_ts?: string;
    files?: unknown[];
  }): Promise<{ message: SimMessage; deliveries: DeliveryResult[] }> {
    return humanPost(this.deps, m);
  }

  editMessage(channel: string, ts: string, text: string): Promise<DeliveryResult[]> {
    return humanEdit(this.deps, channel, ts, text);
  }

  deleteMessage(channel: string, ts: string): Promise<DeliveryResult[]> {
    return humanDelete(this.deps, channel, ts);
  }

  /**
   * Slack ends a streaming message by itself (as after its stream times out): its text is final
   * and later appends or stops get message_not_in_streaming_state.
   */
  endStream(channel: string, ts: string): void {
    const m = this.state.find(channel, ts);
    if (!m?.streaming) throw new Error(`no streaming message ${channel}/${ts}`);
    m.streaming = false;
    this.state.changed();
  }

  /** Agent sessions the app set, by thread. */
  sessions(): SimSession[] {
    return [...this.state.sessions.values()].map((s) => ({ ...s }));
  }

  /**
   * A person clicks the session's stop button: Slack stops the app's streams in the thread and
   * sends agent_session_stopped with their ts; the session's status is left to the app.
   * @see https://docs.slack.dev/reference/events/agent_session_stopped
   */
  stopSession(channel: string, threadTs: string, user: string): Promise<DeliveryResult> {
    const streaming = this.state.thread(channel, threadTs).filter((m) => m.streaming);
    for (const m of streaming) m.streaming = false;
    this.state.changed();
    return this.deliver({
      type: 'agent_session_stopped',
      channel,
      thread_ts: threadTs,
      user,
      streaming_message_ts: streaming.map((m) => m.ts),
      event_ts: this.state.nextTs(),
    });
  }

  /** Modals opened for `user` (views.open), oldest first; `open` false once submitted or closed. */
  views(user?: string): SimView[] {
    return this.state.views.opened.filter((v) => !user || v.user === user);
  }

  /** The person submits a modal with these values (block_id → action_id → value). */
  submitView(s: { user: string; viewId: string; values: ViewValues }): Promise<DeliveryResult> {
    return submitView(this.deps, s);
  }

  /** The person closes a modal without submitting it. */
  closeView(s: { user: string; viewId: string }): Promise<DeliveryResult | undefined> {
    return closeView(this.deps, s);
  }

  joinChannel(user: string, channel: string): Promise<DeliveryResult[]> {
    return humanJoin(this.deps, user, channel);
  }

  openAppHome(user: string, tab: 'messages' | 'home' = 'home'): Promise<DeliveryResult[]> {
    return appHomeOpened(this.deps, user, tab);
  }

  /** Delivers a raw event; options allow replays (same eventId), retries and forged or stale signatures. */
  deliver(event: Record<string, unknown>, opts: DeliveryOptions = {}): Promise<DeliveryResult> {
    return deliverEvent(this.deps, event, opts);
  }

  slashCommand(c: { user: string; channel: string; command: string; text: string }): Promise<DeliveryResult> {
    return slashCommand(this.deps, c);
  }

  messageShortcut(s: {
    user: string;
    channel: string;
    messageTs: string;
    callbackId: string;
  }): Promise<DeliveryResult> {
    return messageShortcut(this.deps, s);
  }

  blockAction(a: {
    user: string;
    channel: string;
    actionId: string;
    value: string;
    messageTs?: string;
    responseUrl?: string;
  }): Promise<DeliveryResult> {
    return blockAction(this.deps, a);
  }

  /** Drops every Socket Mode connection abruptly (clients with auto-reconnect come back). */
  disconnectSockets(): void {
    this.sockets.disconnectAll();
  }

  /** Every Socket Mode connection goes quiet without closing (a half-open link); see SocketHub.silenceAll. */
  silenceSockets(): void {
    this.sockets.silenceAll();
  }

  /** Sends Slack's `disconnect` message (reason refresh_requested by default); clients reconnect. */
  requestSocketReconnect(reason = 'refresh_requested'): void {
    this.sockets.requestReconnect(reason);
  }

  // ---- faults and waiting ----

  /** The next `times` (default 1) calls to method fail as described. */
  failNext(method: string, fault: SimFault): void {
    this.faults.failNext(method, fault);
  }

  /**
   * A person's canvas shared in `channel`; returns the `files[]` entry of the message sharing it
   * (pass it to `post({ files: [...] })`).
   */
  shareCanvas(c: { title: string; markdown: string; channel: string }): Record<string, unknown> {
    return shareCanvas(this.state, this.url, c);
  }

  /** Every action_token the sim has put on events stops working (they are short-lived at Slack). */
  expireActionTokens(): void {
    this.state.actionTokens.expireAll();
  }

  /**
   * An admin removes a scope from the installed app: from now on every method that needs it (and
   * no other granted scope) answers missing_scope, naming it in `needed`.
   */
  removeScope(scope: string): void {
    this.hooks.scopes.delete(scope);
  }

  /** The method answers unknown_method until reset(). */
  disableMethod(method: string): void {
    this.faults.disabled.add(method);
  }

  /**
   * Resolves with the predicate's first value other than undefined/false/null, re-checking after every
   * state change and API call; rejects after timeoutMs (default 5000) with recent calls for context.
   */
  waitFor<T>(
    predicate: () => T | undefined | false | null,
    opts: { timeoutMs?: number; what?: string } = {},
  ): Promise<T> {
    return waitForCondition(this, () => this.calls, this.waiters, predicate, opts);
  }

  // ---- several workspaces, OAuth installs ----

  /** Another workspace; with `enterpriseId` a workspace of that organization (see addEnterprise). */
  addTeam(t: { id: string; name: string; domain?: string; enterpriseId?: string }): SimTeam {
    const team: SimTeam = { domain: t.id.toLowerCase(), ...t };
    this.installs.teams.set(team.id, team);
    const ent = t.enterpriseId ? this.installs.enterprises.get(t.enterpriseId) : undefined;
    if (ent && !ent.teams.includes(team.id)) ent.teams.push(team.id);
    return team;
  }

  /** An Enterprise Grid organization with its workspaces (made with addTeam). */
  addEnterprise(e: { id: string; name: string; teams: Array<{ id: string; name: string }> }): SimEnterprise {
    const ent: SimEnterprise = { id: e.id, name: e.name, teams: [] };
    this.installs.enterprises.set(ent.id, ent);
    for (const t of e.teams) this.addTeam({ ...t, enterpriseId: ent.id });
    return ent;
  }

  /**
   * A conversation of another workspace (addTeam), with the bot and `members` in it; its messages'
   * events are addressed to that workspace, and only a token of it may touch it.
   */
  addTeamConversation(
    teamId: string,
    c: Partial<SimConversation> & { id: string; name: string },
  ): SimConversation {
    return this.state.addConversation({
      ...c,
      team_id: teamId,
      members: [...(c.members ?? []), this.botUserId],
    });
  }

  /** Turns on the app's OAuth (client id and secret, redirect URLs, token rotation). */
  enableOAuth(app: SimOAuthApp): void {
    this.installs.oauth = app;
  }

  /**
   * Someone removes the app from a workspace (or, `{ enterpriseId }`, from an organization it was
   * installed in org-wide): its bot tokens stop working, then Slack sends `app_uninstalled` and
   * `tokens_revoked`.
   * @see https://docs.slack.dev/reference/events/app_uninstalled
   */
  async uninstall(who: { teamId: string } | { enterpriseId: string }): Promise<DeliveryResult[]> {
    const orgWide = 'enterpriseId' in who;
    const revoked: SimGrant[] = this.installs.revoke(
      orgWide ? { enterpriseId: who.enterpriseId, orgWide: true } : { teamId: who.teamId },
    );
    const teamId = orgWide ? who.enterpriseId : who.teamId;
    const out: DeliveryResult[] = [];
    for (const event of [
      { type: 'app_uninstalled', event_ts: this.state.nextTs() },
      {
        type: 'tokens_revoked',
        tokens: { oauth: [], bot: revoked.length ? [this.botUserId] : [] },
        event_ts: this.state.nextTs(),
      },
    ])
      out.push(await deliverEvent(this.deps, { ...event, sim_team: teamId, sim_org_wide: orgWide }));
    return out;
  }

  /** The workspace a person acts in: the conversation's, else the person's own, else this one. */
  private actingTeam(where: { channel?: string; user?: string }): ActingTeam {
    const id =
      where.channel && this.state.conversations.has(where.channel)
        ? this.installs.teamOf(where.channel)
        : ((where.user && this.state.users.get(where.user)?.team_id) ?? this.team.id);
    const team = this.installs.teams.get(id);
    const ent = team?.enterpriseId ? this.installs.enterprises.get(team.enterpriseId) : undefined;
    return {
      id,
      domain: team?.domain ?? this.team.domain,
      ...(ent ? { enterprise: { id: ent.id, name: ent.name } } : {}),
      orgWide: Boolean(this.installs.serving(id)?.orgWide),
    };
  }

  /** Addresses an envelope to the workspace (and organization) its event happened in. */
  private addressed(envelope: Record<string, unknown>): Record<string, unknown> {
    const event = { ...(envelope.event as Record<string, unknown>) };
    const { sim_team: forced, sim_org_wide: orgWideEvent, ...plain } = event;
    const channel = typeof plain.channel === 'string' ? plain.channel : undefined;
    const teamId =
      typeof forced === 'string' ? forced : channel ? this.installs.teamOf(channel) : this.team.id;
    const team = this.installs.teams.get(teamId);
    const ent = orgWideEvent ? teamId : team?.enterpriseId;
    if (teamId === this.team.id && !ent) return { ...envelope, event: plain };
    const orgWide = orgWideEvent === true || Boolean(this.installs.serving(teamId)?.orgWide);
    if ('team' in plain) plain.team = teamId;
    return {
      ...envelope,
      team_id: teamId,
      context_team_id: teamId,
      context_enterprise_id: ent ?? null,
      ...(ent ? { enterprise_id: ent } : {}),
      event: plain,
      authorizations: [
        {
          enterprise_id: ent ?? null,
          team_id: orgWide ? null : teamId,
          user_id: this.botUserId,
          is_bot: true,
          is_enterprise_install: orgWide,
        },
      ],
    };
  }

  /** Clears recorded calls, queued faults and disabled methods; workspace state stays. */
  reset(): void {
    this.calls = [];
    this.responses = [];
    this.faults.reset();
  }

  /** Stops serving: closes sockets, aborts in-flight deliveries, rejects pending waits, closes the server. */
  async close(): Promise<void> {
    for (const abort of [...this.waiters]) abort(new Error('SlackSim closed'));
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.sockets.close();
    this.deliverer.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
