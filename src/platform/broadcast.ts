import type { Logger } from './logger.js';
import { duplicateRedis, type RedisClient } from './redis.js';

/**
 * Messages to every replica through Redis pub/sub, for what one replica hears and another must act
 * on (Slack sends the stop button's event to any replica, the answer runs on one). At most once:
 * a replica away from Redis at that moment misses the message.
 */
export interface Broadcast {
  publish(topic: string, message: string): Promise<void>;
  /** One handler per topic; the replica that publishes hears its own message too. */
  subscribe(topic: string, handler: (message: string) => void): void;
  close(): void;
}

export function createBroadcast(redis: RedisClient, prefix: string, log: Logger): Broadcast {
  const handlers = new Map<string, (message: string) => void>();
  let subscriber: RedisClient | undefined;
  return {
    async publish(topic, message) {
      await redis.publish(prefix + topic, message).catch((err: Error) => {
        log.warn({ err: { message: err.message }, topic }, 'broadcast not sent (redis unavailable)');
      });
    },
    subscribe(topic, handler) {
      handlers.set(prefix + topic, handler);
      if (!subscriber) {
        // A connection of its own (a subscribed connection can do nothing else), which waits for
        // Redis as long as it takes and subscribes to every topic again each time it is ready.
        const sub = duplicateRedis(redis, {
          enableOfflineQueue: true,
          maxRetriesPerRequest: null,
          commandTimeout: undefined,
          connectionName: 'slack-claude-bot:broadcast',
        });
        sub.on('error', () => {}); // the main connection already logs Redis being away
        sub.on('ready', () => {
          sub.subscribe(...handlers.keys()).catch((err: Error) => {
            log.warn(
              { err: { message: err.message } },
              'broadcast subscription failed; retried on reconnect',
            );
          });
        });
        sub.on('message', (channel: string, message: string) => {
          try {
            handlers.get(channel)?.(message);
          } catch (err) {
            log.warn({ err, channel }, 'broadcast handler failed');
          }
        });
        subscriber = sub;
      } else if (subscriber.status === 'ready') {
        void subscriber.subscribe(prefix + topic).catch(() => {});
      }
    },
    close() {
      subscriber?.disconnect();
    },
  };
}
