/**
 * The sandbox page's server, on 127.0.0.1 only: static files from ./web, the state as JSON,
 * server-sent events for live updates, and POST actions that go through the simulated Slack.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bot } from '../../src/bot.js';
import type { Config } from '../../src/config/config.js';
import type { SandboxClaude } from '../claude/sandbox-claude.js';
import type { SandboxProfiles } from '../profiles.js';
import type { SlackSim } from '../slack/sim.js';
import {
  type ActionOutcome,
  answerView,
  BadAction,
  clickButton,
  openDm,
  runShortcut,
  sendMessage,
  setFault,
  setProfile,
} from './actions.js';
import { panelView, workspaceView } from './view.js';

export interface WebServerOptions {
  sim: SlackSim;
  bot: Bot;
  claude: SandboxClaude;
  config: Config;
  /** The sandbox's own profiles file (switchable from the panel); undefined with the operator's. */
  profiles?: SandboxProfiles;
  port: number;
}

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/view.js': { file: 'view.js', type: 'text/javascript; charset=utf-8' },
  '/render.js': { file: 'render.js', type: 'text/javascript; charset=utf-8' },
  '/panel.js': { file: 'panel.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};
const WEB_DIR = new URL('./web/', import.meta.url);
/** Coalesces bursts of state changes (a stream append, a status, a post) into one push. */
const PUSH_DELAY_MS = 40;
/** The panel (queue, requests) also changes without a Slack state change: refreshed this often. */
const PANEL_EVERY_MS = 1000;
/** A request body: a message with one attached file (base64) fits. */
const MAX_BODY = 15 * 1024 * 1024;

type Action = (body: Record<string, unknown>) => Promise<ActionOutcome> | ActionOutcome;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const parts: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new BadAction('request too large');
    parts.push(chunk as Buffer);
  }
  const parsed: unknown = JSON.parse(Buffer.concat(parts).toString('utf8') || '{}');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new BadAction('expected a JSON object');
  return parsed as Record<string, unknown>;
}

/** Starts the page server on 127.0.0.1 (port 0 = any free port). */
export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const { sim, bot, claude, config, profiles } = opts;
  const clients = new Set<ServerResponse>();
  let port = 0;

  const snapshot = async () => ({
    workspace: workspaceView(sim),
    panel: await panelView(sim, bot, claude, config, profiles),
  });
  const broadcast = (event: string, data: unknown) => {
    const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of clients) res.write(text);
  };
  // The workspace is pushed when Slack's state changed; the panel every second (queue, requests).
  let pending: NodeJS.Timeout | undefined;
  const schedulePush = () => {
    if (clients.size === 0) return;
    pending ??= setTimeout(() => {
      pending = undefined;
      broadcast('workspace', workspaceView(sim));
    }, PUSH_DELAY_MS);
  };
  sim.on('change', schedulePush);
  const ticker = setInterval(() => {
    if (clients.size === 0) return;
    panelView(sim, bot, claude, config, profiles).then(
      (p) => broadcast('panel', p),
      (err: unknown) => bot.log.warn({ err }, 'sandbox panel failed'),
    );
  }, PANEL_EVERY_MS);

  const actions: Record<string, Action> = {
    '/api/message': (b) => sendMessage(sim, b),
    '/api/shortcut': (b) => runShortcut(sim, b),
    '/api/action': (b) => clickButton(sim, b),
    '/api/open-dm': (b) => openDm(sim, b),
    '/api/view': (b) => answerView(sim, b),
    '/api/fault': (b) => setFault(sim, claude, b),
    '/api/profile': (b) => {
      const outcome = setProfile(bot, profiles, b);
      panelView(sim, bot, claude, config, profiles).then(
        (p) => broadcast('panel', p),
        (err: unknown) => bot.log.warn({ err }, 'sandbox panel failed'),
      );
      return outcome;
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // DNS rebinding: a page on another site resolving to 127.0.0.1 sends its own Host header.
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`)
      return send(res, 403, { error: 'bad host' });
    const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
    const file = STATIC[path];
    if (req.method === 'GET' && file) {
      const body = await readFile(new URL(file.file, WEB_DIR));
      res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache' });
      return res.end(body);
    }
    if (req.method === 'GET' && path === '/api/state') return send(res, 200, await snapshot());
    if (req.method === 'GET' && path === '/api/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      const first = await snapshot();
      res.write(`event: workspace\ndata: ${JSON.stringify(first.workspace)}\n\n`);
      res.write(`event: panel\ndata: ${JSON.stringify(first.panel)}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    const action = actions[path];
    if (req.method === 'POST' && action) {
      // Only fetch() with a JSON body gets here: a cross-site form cannot send this content type.
      if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
        return send(res, 415, { error: 'expected application/json' });
      try {
        return send(res, 200, await action(await readJson(req)));
      } catch (err) {
        if (err instanceof BadAction || err instanceof SyntaxError)
          return send(res, 400, { error: err.message });
        throw err;
      }
    }
    send(res, 404, { error: 'not found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      bot.log.error({ err }, 'sandbox page request failed');
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      clearInterval(ticker);
      if (pending) clearTimeout(pending);
      sim.off('change', schedulePush);
      for (const res of clients) res.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
