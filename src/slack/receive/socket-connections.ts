import type { Logger as BoltLogger } from '@slack/bolt';
import { SocketModeClient, type SocketModeOptions } from '@slack/socket-mode';

/** What happens to connections, for the metrics: opened, replaced at Slack's request, lost, or an attempt that failed. */
export type SocketEvent = 'opened' | 'handed_over' | 'lost' | 'failed';

/** The longest wait between attempts to open a connection while Slack cannot be reached. */
const MAX_RETRY_MS = 30_000;
/** A connection that closes sooner than this after opening counts as a failed attempt. */
const SHORT_LIVED_MS = 10_000;

/** Slack's `disconnect` message (refresh_requested, warning, too_many_websockets…), or undefined. */
function disconnectReason(data: string | ArrayBuffer, isBinary: boolean): string | undefined {
  if (isBinary) return undefined;
  const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
  if (!text.includes('"disconnect"')) return undefined;
  try {
    const m = JSON.parse(text) as { type?: string; reason?: string };
    return m.type === 'disconnect' ? (m.reason ?? 'unknown') : undefined;
  } catch {
    return undefined;
  }
}

/** A client that tells its owner when Slack asks it to go, instead of closing at once. */
class HandOverClient extends SocketModeClient {
  constructor(
    options: SocketModeOptions,
    private readonly asked: (client: HandOverClient, reason: string) => boolean,
  ) {
    super({ ...options, autoReconnectEnabled: false });
  }

  protected override async onWebSocketMessage(data: string | ArrayBuffer, isBinary: boolean): Promise<void> {
    const reason = disconnectReason(data, isBinary);
    // Handled by the owner: this connection keeps receiving until its replacement is open.
    if (reason !== undefined && this.asked(this, reason)) return;
    return super.onWebSocketMessage(data, isBinary);
  }
}

/**
 * Socket Mode connections that hand over without a gap. Slack asks for a new connection every
 * few hours (`disconnect`: refresh_requested or warning). @slack/socket-mode 3.1 closes the old
 * one at once and opens the next 5 s later, so events sent meanwhile wait for Slack's retry, a
 * minute or more. Here the next connection is opened while the old one still receives, and the
 * old one closes once the new one is up. A connection that closes by itself (the client's ping
 * watchdog, the network) is replaced at once, then after 1, 2, 4… up to 30 s while that fails.
 */
export class SocketConnections {
  private readonly live = new Set<HandOverClient>();
  private readonly retiring = new Set<HandOverClient>();
  private opening = false;
  private stopping = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: SocketModeOptions,
    private readonly logger: BoltLogger,
    /** Attaches the event listeners to each new client. */
    private readonly listen: (client: SocketModeClient) => void,
    private readonly observe: (event: SocketEvent) => void = () => {},
  ) {}

  /** Opens the first connection; fails if it cannot be opened. */
  async start(): Promise<void> {
    this.stopping = false;
    await this.open();
  }

  /** Whether a connection is open to receive events (one Slack asked to go still receives). */
  connected(): boolean {
    return this.live.size + this.retiring.size > 0;
  }

  /** Closes every connection and opens no more. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    await Promise.all([...this.live, ...this.retiring].map((c) => c.disconnect().catch(() => {})));
  }

  private async open(): Promise<void> {
    this.opening = true;
    const client = new HandOverClient(this.options, (c, reason) => this.asked(c, reason));
    this.listen(client);
    let openedAt: number | undefined;
    client.on('disconnected', () => {
      // One that never opened is the failed attempt open() reports.
      if (openedAt === undefined) return;
      this.retiring.delete(client);
      // Closed by itself (not after a hand-over): replaced, after a wait if it lived only briefly.
      if (this.live.delete(client) && !this.stopping) {
        this.observe('lost');
        this.failures = Date.now() - openedAt < SHORT_LIVED_MS ? this.failures + 1 : 0;
      }
      this.ensure();
    });
    try {
      await client.start();
    } finally {
      this.opening = false;
    }
    openedAt = Date.now();
    if (this.stopping) {
      await client.disconnect();
      return;
    }
    this.live.add(client);
    this.observe('opened');
    // The replacement is up: connections Slack asked to go can close now.
    for (const old of this.retiring) void old.disconnect().catch(() => {});
  }

  /** Slack asks `client` to go. Returns false to let the client close by itself right away. */
  private asked(client: HandOverClient, reason: string): boolean {
    // Over Slack's limit on connections: this one goes and no other is opened for it.
    if (reason === 'too_many_websockets' || this.stopping) return false;
    // Asked again (a warning after refresh_requested): already being replaced.
    if (this.retiring.has(client)) return true;
    this.logger.info(
      `Slack asked for a new Socket Mode connection (${reason}); opening it before closing this one`,
    );
    this.live.delete(client);
    this.retiring.add(client);
    this.observe('handed_over');
    this.ensure();
    return true;
  }

  /** Opens a connection when none is open or opening, at once or after the backoff. */
  private ensure(): void {
    if (this.stopping || this.opening || this.live.size > 0 || this.retryTimer) return;
    const delay = this.failures === 0 ? 0 : Math.min(MAX_RETRY_MS, 1000 * 2 ** (this.failures - 1));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.open().catch((err: Error) => {
        this.failures++;
        this.observe('failed');
        this.logger.warn(`Could not open a Socket Mode connection (${err?.message ?? err}); trying again`);
        this.ensure();
      });
    }, delay);
  }
}
