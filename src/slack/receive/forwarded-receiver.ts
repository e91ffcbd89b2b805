import type { AckFn, App, Receiver } from '@slack/bolt';
import type { Forwarded } from './front.js';

const acked: AckFn<unknown> = async () => {};

/**
 * The engine's Bolt receiver: requests arrive from the front (src/slack/receive/front.ts), already read,
 * verified and, for events, acknowledged; Bolt's middleware and listeners run as usual.
 */
export class ForwardedReceiver implements Receiver {
  private app: App | undefined;

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** Runs Bolt for one request; `ack` answers the front (absent: it was acknowledged there). */
  async dispatch(request: Forwarded, ack: AckFn<unknown> | undefined): Promise<void> {
    if (!this.app) throw new Error('receiver not initialised');
    await this.app.processEvent({
      body: request.body,
      retryNum: request.retryNum,
      retryReason: request.retryReason,
      customProperties: {},
      ack: ack ?? acked,
    });
  }
}
