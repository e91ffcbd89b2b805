import { createHmac } from 'node:crypto';
import type { EnvelopeType, SocketHub } from './socket.js';
import type { DeliveryResult } from './types.js';

/** Per-delivery knobs tests use to imitate retries and forged or stale requests. */
export interface DeliveryOptions {
  eventId?: string;
  retryNum?: number;
  retryReason?: string;
  /** Unix seconds put in x-slack-request-timestamp (and signed). */
  timestamp?: number;
  /** A literal x-slack-signature; null omits the header entirely. */
  signature?: string | null;
}

/** Slack's request signature: v0=HMAC-SHA256(secret, `v0:${timestamp}:${body}`). */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/**
 * Sends one signed HTTP request to the app and times its answer; the default is fetch from this
 * thread. A benchmark sends from an idle thread instead, so the sim's own load is not timed.
 */
export type HttpTransport = (
  url: string,
  request: { headers: Record<string, string>; body: string; timeoutMs: number },
) => Promise<Omit<DeliveryResult, 'eventId'>>;

/**
 * Sends things to the app the way Slack does: over an open Socket Mode connection when there is one,
 * otherwise as a signed HTTP POST to the configured request URL.
 */
export class Deliverer {
  eventsUrl: string | undefined;
  transport: HttpTransport | undefined;
  private readonly inflight = new Set<AbortController>();

  constructor(
    private readonly signingSecret: string,
    private readonly sockets: SocketHub,
    private readonly ackTimeoutMs: number,
  ) {}

  /**
   * Delivers one payload. `http` is the body as Slack would POST it (JSON for events, form-encoded
   * for commands and interactivity); `socket` is the envelope payload for Socket Mode.
   */
  async send(
    type: EnvelopeType,
    socketPayload: unknown,
    http: { body: string; contentType: string },
    opts: DeliveryOptions = {},
  ): Promise<DeliveryResult> {
    const eventId = opts.eventId;
    if (this.sockets.connected > 0) {
      const res = await this.sockets.send(type, socketPayload, {
        ...(opts.retryNum !== undefined ? { retryAttempt: opts.retryNum } : {}),
        ...(opts.retryReason !== undefined ? { retryReason: opts.retryReason } : {}),
        acceptsResponsePayload: type !== 'events_api',
      });
      return eventId ? { ...res, eventId } : res;
    }
    if (!this.eventsUrl)
      return { status: 0, body: 'no_delivery_target', ackMs: 0, ...(eventId ? { eventId } : {}) };
    const res = await this.post(this.eventsUrl, http.body, http.contentType, opts);
    return eventId ? { ...res, eventId } : res;
  }

  private async post(
    url: string,
    body: string,
    contentType: string,
    opts: DeliveryOptions,
  ): Promise<DeliveryResult> {
    const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': contentType,
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': String(timestamp),
    };
    const signature =
      opts.signature === undefined ? slackSignature(this.signingSecret, timestamp, body) : opts.signature;
    if (signature !== null) headers['x-slack-signature'] = signature;
    if (opts.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(opts.retryNum);
      headers['x-slack-retry-reason'] = opts.retryReason ?? 'http_timeout';
    }
    if (this.transport) return this.transport(url, { headers, body, timeoutMs: this.ackTimeoutMs });
    const ctrl = new AbortController();
    this.inflight.add(ctrl);
    // Slack gives up after 3 seconds and counts the delivery as failed.
    const timer = setTimeout(() => ctrl.abort(new Error('ack_timeout')), this.ackTimeoutMs);
    const startedAt = Date.now();
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: ctrl.signal });
      return { status: res.status, body: await res.text(), ackMs: Date.now() - startedAt };
    } catch (err) {
      const reason = ctrl.signal.aborted ? String(ctrl.signal.reason) : String(err);
      return { status: 0, body: reason, ackMs: Date.now() - startedAt };
    } finally {
      clearTimeout(timer);
      this.inflight.delete(ctrl);
    }
  }

  /** Aborts requests still waiting on the app. */
  close(): void {
    for (const c of this.inflight) c.abort(new Error('sim_closed'));
    this.inflight.clear();
  }
}
