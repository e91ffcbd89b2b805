/**
 * The sandbox's own channel profiles: a CLAUDE_PROFILES_FILE it writes and the operator panel
 * edits. Switching a channel's profile rewrites the file and has the bot re-read it, the same
 * path a real operator's edit takes (the bot re-reads its file on SIGHUP and when it changes).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MessagesRequestBody } from './claude/offline-model.js';

/** A profile the panel offers; `default` (no profile: the settings) is always offered too. */
interface DemoProfile {
  name: string;
  system_prompt: string;
  max_tokens?: number;
  web_search?: { max_uses: number };
  workspace_search?: { max_searches: number };
}

export const DEMO_PROFILES: readonly DemoProfile[] = [
  {
    name: 'support',
    system_prompt: 'You are the help desk of Acme. Answer in two or three friendly sentences.',
    max_tokens: 1000,
  },
  {
    name: 'research',
    system_prompt:
      'You are a research assistant. Search the web when it helps, and say where facts come from.',
    web_search: { max_uses: 3 },
    // Asked what #project-x does not say, the offline model searches the workspace and cites it.
    workspace_search: { max_searches: 2 },
  },
];

/**
 * Routines the sandbox shows (with the offline model only: with a real key each run is a paid
 * Claude call): every minute, a digest of #general's news in #digests (when there is any), and
 * a canvas in #digests with a dated summary of #general's last day added each minute; every five
 * minutes, a digest of #general's last hour asked through a message batch (half the price).
 */
export const DEMO_ROUTINES = [
  {
    name: 'general-digest',
    schedule: '* * * * *',
    timezone: 'UTC',
    summarize: '#general',
    post_to: '#digests',
  },
  {
    name: 'general-canvas',
    schedule: '* * * * *',
    timezone: 'UTC',
    summarize: '#general',
    window: '24h',
    post_to: '#digests',
    as: 'canvas',
  },
  {
    // Through the fake Claude's Message Batches API: the digest comes at the first poll after the
    // slot (BATCH_POLL_SECONDS), at half the price on the Home tab's usage.
    name: 'general-batch',
    schedule: '*/5 * * * *',
    timezone: 'UTC',
    summarize: '#general',
    window: '1h',
    post_to: '#digests',
    batch: true,
  },
];

/** Where the demo routines post: the bot and every seeded person are in it. */
export const DIGESTS_CHANNEL = { id: 'C0DIGESTS', name: 'digests' };

/** What a place gets when no profile names it. */
export const NO_PROFILE = 'default';

/** Where a profile applies: a channel id, or `dm` for every direct message. */
export type ProfilePlace = string;

/** Which profile each place gets at start: #project-x searches the web, to show a source link. */
const INITIAL: Record<ProfilePlace, string> = { G0PRIVATE: 'research' };

export class SandboxProfiles {
  private readonly assigned = new Map<ProfilePlace, string>(Object.entries(INITIAL));

  private constructor(
    /** The file the bot reads (CLAUDE_PROFILES_FILE). */
    readonly file: string,
    private readonly dir: string,
    private readonly routines: boolean,
    private readonly team: string | undefined,
  ) {}

  /**
   * Writes the first file in a folder of its own; `remove()` deletes it. `routines`: the demo
   * routines, run in `team` (a bot installed in several workspaces runs a routine only where its
   * `team:` says).
   */
  static create(opts: { routines?: boolean; team?: string } = {}): SandboxProfiles {
    const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-profiles-'));
    const p = new SandboxProfiles(path.join(dir, 'profiles.json'), dir, opts.routines ?? false, opts.team);
    p.write();
    return p;
  }

  /** The names the panel offers, `default` first. */
  get names(): string[] {
    return [NO_PROFILE, ...DEMO_PROFILES.map((p) => p.name)];
  }

  /** The profile a place is set to here (the bot's own answer is `bot.profiles.forPlace`). */
  of(place: ProfilePlace): string {
    return this.assigned.get(place) ?? NO_PROFILE;
  }

  /** Gives a place (a channel id or `dm`) a profile and writes the file; the caller has the bot re-read it. */
  assign(place: ProfilePlace, profile: string): void {
    if (!this.names.includes(profile)) throw new RangeError(`unknown profile "${profile}"`);
    if (place !== 'dm' && !/^[CGD][A-Z0-9]{2,}$/.test(place)) throw new RangeError(`bad place "${place}"`);
    if (profile === NO_PROFILE) this.assigned.delete(place);
    else this.assigned.set(place, profile);
    this.write();
  }

  /**
   * Which of these profiles a request was asked with, read from its system prompt (the fake API
   * sees only the request); `default` when none of their prompts is in it.
   */
  profileOf(body: MessagesRequestBody): string {
    const system = JSON.stringify(body.system ?? '');
    const found = DEMO_PROFILES.find((p) => system.includes(JSON.stringify(p.system_prompt).slice(1, -1)));
    return found?.name ?? NO_PROFILE;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** JSON is YAML too: each assigned profile names its places by id (an exact match wins at once). */
  private write(): void {
    const profiles = DEMO_PROFILES.flatMap((p) => {
      const channels = [...this.assigned].filter(([, name]) => name === p.name).map(([place]) => place);
      return channels.length ? [{ ...p, channels }] : [];
    });
    // Every sandbox channel follows the threads it answered (replies need no mention there); channel
    // memory is on by default.
    const defaults = { follow_threads: true };
    const team = this.team;
    const routines = this.routines ? DEMO_ROUTINES.map((r) => (team ? { ...r, team } : r)) : [];
    writeFileSync(this.file, `${JSON.stringify({ default: defaults, profiles, routines }, null, 2)}\n`);
  }
}
