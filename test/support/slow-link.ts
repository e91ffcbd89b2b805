import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import type { TestContext } from 'node:test';

/**
 * A TCP relay to a Redis at `target` that holds what passes for a while: requests for
 * `requestDelayMs`, replies for `replyDelayMs`. A side that closes takes the other with it, and
 * what was still held is dropped, as it would be with a process that died. Resolves with a
 * redis:// URL for the relay.
 */
export async function slowLink(
  t: TestContext,
  target: URL,
  delays: { requestDelayMs?: number; replyDelayMs?: number },
): Promise<string> {
  const sockets = new Set<Socket>();
  const relay = (from: Socket, to: Socket, ms: number) =>
    from.on('data', (chunk) => setTimeout(() => to.writable && to.write(chunk), ms));
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    relay(client, upstream, delays.requestDelayMs ?? 0);
    relay(upstream, client, delays.replyDelayMs ?? 0);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return `redis://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
