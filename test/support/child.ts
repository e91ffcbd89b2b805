import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { TestContext } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * The real `src/main.ts` (or another entry) in a process of its own, for kill and signal tests.
 * Killed after the test whatever happens, so a failed assertion never leaves it running.
 */
export function startChild(
  t: TestContext,
  entry: string,
  env: Record<string, string>,
  /** Written as `.env` in the process's working directory (dotenv reads it at start). */
  dotenv?: string,
  /** More node options, after tsx's loader. */
  nodeArgs: string[] = [],
) {
  const file = fileURLToPath(new URL(`../../${entry}`, import.meta.url));
  const cwd = mkdtempSync(join(tmpdir(), 'child-'));
  if (dotenv !== undefined) writeFileSync(join(cwd, '.env'), dotenv);
  const child = spawn(process.execPath, ['--import', tsx, ...nodeArgs, file], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const ready = new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /"port":(\d+)[^\n]*"msg":"ready"/.exec(stdout);
      if (m) resolve(Number(m[1]));
    });
    void exited.then((code) => reject(new Error(`child exited (${code}) before ready: ${stderr || stdout}`)));
  });
  // A child expected to fail at start-up is never waited on for ready.
  ready.catch(() => {});
  return {
    child,
    ready,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    output: () => stdout + stderr,
  };
}

/** What a spawned process writes to stdout and stderr, gathered as it comes. */
export function gatherOutput(child: { stdout: Readable; stderr: Readable }) {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return { stdout: () => stdout, stderr: () => stderr };
}
