import type { IncomingMessage, ServerResponse } from 'node:http';

/** Bolt's default paths for the install page and Slack's redirect back (its HTTPReceiver's). */
export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';

/** A browser's GET of an install route, as plain data (it may cross from the front's thread). */
export interface WebRequest {
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/** The engine's answer to it. */
export interface WebResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

/** An install page's request handed to the engine, which keeps the installations. */
export function installRoute(
  path: string,
  web: (request: WebRequest) => Promise<WebResponse>,
): { path: string; handler: (req: IncomingMessage, res: ServerResponse) => Promise<void> } {
  return {
    path,
    handler: async (req, res) => {
      // Only what the OAuth flow reads: the query string and the state cookie.
      const answer = await web({ url: req.url ?? path, headers: { cookie: req.headers.cookie } });
      res.writeHead(answer.status, { ...answer.headers, 'cache-control': 'no-store' }).end(answer.body);
    },
  };
}
