import { once } from 'node:events';
import { createServer, request } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';

/** A forward proxy on 127.0.0.1 that records where it was asked to go. */
export interface TestProxy {
  url: string;
  /** `host:port` of every CONNECT tunnel and forwarded plain-HTTP request, in order. */
  targets: string[];
  /** `host:port` of every forwarded WebSocket upgrade (plain HTTP, absolute-form), in order. */
  upgrades: string[];
  close(): Promise<void>;
}

/**
 * A small HTTP proxy for tests: CONNECT tunnels (how clients reach https URLs, and http ones when
 * tunnelling) and absolute-form requests (how clients send plain http through a proxy). Targets
 * whose host is in `refuse` get 502, so tests can point clients at names that do not resolve.
 */
export async function startTestProxy(opts: { refuse?: (host: string) => boolean } = {}): Promise<TestProxy> {
  const targets: string[] = [];
  const upgrades: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const target = new URL(req.url ?? '');
    targets.push(target.host);
    const upstream = request(target, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const [host = '', port = '443'] = (req.url ?? '').split(/:(?=\d+$)/);
    targets.push(`${host}:${port}`);
    if (opts.refuse?.(host)) return void client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  // A WebSocket to a plain-HTTP address: the upgrade request comes in absolute form.
  server.on('upgrade', (req, client: Socket, head: Buffer) => {
    const target = new URL(req.url ?? '');
    upgrades.push(target.host);
    const upstream = connect(Number(target.port || 80), target.hostname, () => {
      const lines = [`${req.method} ${target.pathname}${target.search} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    upgrades,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
