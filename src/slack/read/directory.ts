import type { WebClient } from '@slack/web-api';

/**
 * Display names on demand (users.info), cached: never users.list, which starves Tier quotas in
 * large workspaces.
 */
export class UserDirectory {
  private names = new Map<string, { name: string; until: number }>();

  constructor(
    private readonly client: WebClient,
    private readonly ttlMs = 60 * 60 * 1000,
    private readonly max = 5000,
  ) {}

  async name(userId: string): Promise<string> {
    const hit = this.names.get(userId);
    if (hit && hit.until > Date.now()) return hit.name;
    let name = userId;
    try {
      const r = await this.client.users.info({ user: userId });
      const p = r.user?.profile;
      name = p?.display_name || p?.real_name || r.user?.real_name || r.user?.name || userId;
    } catch {
      // An unknown or deactivated user still reads as their id.
    }
    if (this.names.size >= this.max) this.names.delete(this.names.keys().next().value as string);
    this.names.set(userId, { name, until: Date.now() + this.ttlMs });
    return name;
  }
}
