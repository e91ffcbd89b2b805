/**
 * `npm run sandbox`: the whole bot against a simulated Slack workspace, in a local web page.
 * Needs no settings: without ANTHROPIC_API_KEY an offline demo model answers. Options:
 * `--port N` for the page (default 3030; 0 picks a free port).
 */
import '../src/platform/node-check.js';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { ConfigError } from '../src/config/config.js';
import { modelLabel } from './page/view.js';
import { type Sandbox, startSandbox } from './sandbox.js';

const DEFAULT_PORT = 3030;

loadDotenv({ quiet: true });

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const { values } = parseArgs({ options: { port: { type: 'string' } }, strict: true });
const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`--port: expected 0 to 65535, got "${values.port}"`);

let sandbox: Sandbox;
try {
  sandbox = await startSandbox({ env: process.env, port });
} catch (err) {
  if (err instanceof ConfigError) fail(err.problems.map((p) => `Configuration error: ${p}`).join('\n'));
  if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
    fail(`Port ${port} is in use: try \`npm run sandbox -- --port 0\` for any free port.`);
  fail(`Sandbox failed to start: ${(err as Error).message}`);
}

// Before "ready" is printed: whoever reads it may stop the sandbox at once.
let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await sandbox.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

// From process start, imports included: what a person waits for after `npm run sandbox`.
const ms = Math.round(process.uptime() * 1000);
process.stdout.write(
  `Sandbox ready in ${ms} ms: ${sandbox.url}\n` +
    `  ${modelLabel(sandbox.claude, sandbox.config)}\n` +
    '  Simulated Slack on 127.0.0.1 only; Ctrl-C stops it.\n',
);
