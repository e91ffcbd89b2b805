import type { WebClient } from '@slack/web-api';
import { BoundedMap } from '../../platform/bounded-map.js';

/**
 * Display names on demand (users.info), cached: never users.list, which starves Tier quotas in
 * large workspaces.
 */
export class UserDirectory {
  private readonly names: BoundedMap<string, string>;

  constructor(
    private readonly client: Pick<WebClient, 'users'>,
    ttlMs = 60 * 60 * 1000,
    max = 5000,
  ) {
    this.names = new BoundedMap({ max, ttlMs });
  }

  async name(userId: string): Promise<string> {
    const hit = this.names.get(userId);
    if (hit !== undefined) return hit;
    let name = userId;
    try {
      const r = await this.client.users.info({ user: userId });
      const p = r.user?.profile;
      name = p?.display_name || p?.real_name || r.user?.real_name || r.user?.name || userId;
    } catch {
      // An unknown or deactivated user still reads as their id.
    }
    this.names.set(userId, name);
    return name;
  }
}
