/**
 * Stops at once, with one line saying why, on a Node.js older than the dependencies need:
 * undici (Socket Mode, the proxy) fails on older versions with a TypeError far from the cause.
 * Imported first by each entry point, so it runs before any dependency loads.
 */

/** Keep in step with package.json's engines (test/docs.test.ts checks). */
export const MIN_NODE = '22.19.0';

/** Whether `version` (as in process.versions.node) is older than MIN_NODE. */
export function nodeTooOld(version: string): boolean {
  const have = version.split('.').map(Number);
  const need = MIN_NODE.split('.').map(Number);
  for (let i = 0; i < need.length; i++) {
    const h = have[i] ?? 0;
    const n = need[i] ?? 0;
    if (h !== n) return h < n;
  }
  return false;
}

if (nodeTooOld(process.versions.node)) {
  process.stderr.write(
    `Node.js ${MIN_NODE} or newer is needed; this is ${process.versions.node}. The Docker image uses Node 24.\n`,
  );
  process.exit(1);
}
