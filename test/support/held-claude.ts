import type { FakeAnthropic, FakeReply, RecordedRequest } from '../../sandbox/claude/fake-anthropic.js';

/**
 * A Claude that answers only when told to: every request waits at one gate until `release()`, so
 * a test can see what the bot does before Claude answers (an ack, a place in the queue), and how
 * many calls it lets run at once (`waiting`). Replies are `reply(request)`; by default the fake's
 * own text (the offline model).
 */
export function heldClaude(claude: FakeAnthropic, reply: (req: RecordedRequest) => FakeReply = () => ({})) {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let waiting = 0;
  claude.setResponder(async (req) => {
    waiting++;
    try {
      await gate;
    } finally {
      waiting--;
    }
    return reply(req);
  });
  return {
    release: () => open(),
    /** Requests held at the gate now. */
    get waiting() {
      return waiting;
    },
  };
}
