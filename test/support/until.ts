/**
 * Polls until `check` holds, for state outside the simulated Slack (which has its own waitFor):
 * health routes, metrics, what a test's fake recorded. Throws naming `what` after `timeoutMs`.
 */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  opts: { timeoutMs?: number; everyMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 50));
  }
}
