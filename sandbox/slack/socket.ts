import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { DeliveryResult, SimAck } from './types.js';

/** Socket Mode envelope types Slack sends. */
export type EnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

interface PendingAck {
  resolve: (r: DeliveryResult) => void;
  timer: NodeJS.Timeout;
  startedAt: number;
}

/**
 * The Socket Mode side of the sim: apps.connections.open hands out one-time tickets, the app opens a
 * WebSocket on the sim's own HTTP server, gets `hello`, and acks each envelope by envelope_id.
 */
export class SocketHub {
  readonly acks: SimAck[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();
  private readonly tickets = new Set<string>();
  private readonly pending = new Map<string, PendingAck>();
  private readonly pingTimers = new Map<WebSocket, NodeJS.Timeout>();
  /** Connections gone quiet (silenceAll): open underneath, no longer used or counted. */
  private readonly silent = new Set<WebSocket>();
  private nextSocket = 0;
  /** Connections opened so far (a reconnect opens one more). */
  opened = 0;

  constructor(
    private readonly appId: string,
    private readonly ackTimeoutMs: number,
    private readonly onChange: () => void,
  ) {}

  /** A ws:// URL with a fresh single-use ticket, like Slack's wss://wss-primary.slack.com/link/?ticket=... */
  issueUrl(httpBase: string): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return `${httpBase.replace(/^http/, 'ws')}/link/?ticket=${ticket}&app_id=${this.appId}`;
  }

  /** Number of open app connections. */
  get connected(): number {
    return [...this.sockets].filter((s) => s.readyState === s.OPEN).length;
  }

  /** HTTP upgrade handler; rejects unknown or reused tickets. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://sim');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  }

  private onConnection(ws: WebSocket): void {
    this.sockets.add(ws);
    this.opened++;
    ws.on('message', (data) => this.onMessage(data.toString()));
    ws.on('close', () => this.drop(ws));
    ws.on('error', () => this.drop(ws));
    // Slack pings periodically; the client treats missing pings as a dead link after 30 s.
    const timer = setInterval(() => {
      if (ws.readyState === ws.OPEN) ws.ping('sim');
    }, 10_000);
    timer.unref();
    this.pingTimers.set(ws, timer);
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.size,
        debug_info: { host: 'applink-sim', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
    this.onChange();
  }

  private drop(ws: WebSocket): void {
    clearInterval(this.pingTimers.get(ws));
    this.pingTimers.delete(ws);
    if (this.sockets.delete(ws)) this.onChange();
  }

  private onMessage(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    const { envelope_id: id, payload } = msg as { envelope_id?: unknown; payload?: unknown };
    if (typeof id !== 'string') return;
    this.acks.push({ envelope_id: id, payload, at: Date.now() });
    const p = this.pending.get(id);
    if (p) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.resolve({ status: 200, body: JSON.stringify(payload ?? {}), ackMs: Date.now() - p.startedAt });
    }
    this.onChange();
  }

  /** Sends one envelope over an open socket (round robin, like Slack across connections) and waits for the ack. */
  send(
    type: EnvelopeType,
    payload: unknown,
    opts: { retryAttempt?: number; retryReason?: string; acceptsResponsePayload?: boolean },
  ): Promise<DeliveryResult> {
    const open = [...this.sockets].filter((s) => s.readyState === s.OPEN);
    const ws = open[this.nextSocket++ % Math.max(1, open.length)];
    const startedAt = Date.now();
    if (!ws) return Promise.resolve({ status: 0, body: 'no_socket', ackMs: 0 });
    const envelopeId = randomUUID();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        resolve({ status: 0, body: 'ack_timeout', ackMs: Date.now() - startedAt });
      }, this.ackTimeoutMs);
      this.pending.set(envelopeId, { resolve, timer, startedAt });
      ws.send(
        JSON.stringify({
          envelope_id: envelopeId,
          payload,
          type,
          accepts_response_payload: opts.acceptsResponsePayload ?? false,
          ...(type === 'events_api'
            ? { retry_attempt: opts.retryAttempt ?? 0, retry_reason: opts.retryReason ?? '' }
            : {}),
        }),
      );
    });
  }

  /** Asks every client to reconnect, like Slack recycling a server (`refresh_requested`, `warning`...). */
  requestReconnect(reason = 'refresh_requested'): void {
    for (const ws of this.sockets) {
      ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-sim' } }));
    }
  }

  /** Drops every connection abruptly (network failure); clients with auto-reconnect open new ones. */
  disconnectAll(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  /**
   * Every connection goes quiet without closing, as a half-open link does: no more pings, and
   * nothing the client sends is read, so its pings get no pong. Nothing more is delivered over
   * them; the client has to notice by itself and open a new connection.
   */
  silenceAll(): void {
    for (const ws of this.sockets) {
      clearInterval(this.pingTimers.get(ws));
      this.pingTimers.delete(ws);
      // ws keeps the TCP socket private; pausing it stops all reading.
      (ws as unknown as { _socket?: Duplex })._socket?.pause();
      this.silent.add(ws);
    }
    this.sockets.clear();
    this.onChange();
  }

  /**
   * Closes sockets with a proper close handshake (a client that is itself disconnecting would otherwise
   * keep a 30 s handshake timer alive) and resolves pending deliveries so nothing keeps the process alive.
   */
  async close(): Promise<void> {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ status: 0, body: 'sim_closed', ackMs: Date.now() - p.startedAt });
      this.pending.delete(id);
    }
    for (const t of this.pingTimers.values()) clearInterval(t);
    this.pingTimers.clear();
    for (const ws of this.silent) ws.terminate();
    this.silent.clear();
    await Promise.all(
      [...this.sockets].map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) return resolve();
            const force = setTimeout(() => {
              ws.terminate();
              resolve();
            }, 1000);
            ws.once('close', () => {
              clearTimeout(force);
              resolve();
            });
            if (ws.readyState === ws.OPEN) ws.close(1001, 'sim closing');
          }),
      ),
    );
    this.wss.close();
  }
}
