/**
 * REDIS_URL in its three forms: one server, a Sentinel-managed primary (high availability), or a
 * Redis Cluster. One setting, so every place that asks "is Redis configured" keeps asking it once.
 *
 * - `redis://[:password@]host:port[/db]` (`rediss://` for TLS): one server.
 * - `redis+sentinel://[:password@]host:port[,host:port…]/primary-name[/db]`: the Sentinels to ask
 *   where the primary named `primary-name` is; the password is the primary's (the Sentinels are
 *   asked without one). `rediss+sentinel://` reaches the primary over TLS.
 * - `redis+cluster://[:password@]host:port[,host:port…]`: some of the cluster's nodes (the rest are
 *   found from them). `rediss+cluster://` for TLS.
 * @see https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
 * @see https://redis.io/docs/latest/operate/oss_and_stack/management/scaling/
 */
import { Invalid } from './parsers.js';

export interface RedisNode {
  host: string;
  port: number;
}

export type RedisTarget =
  | { kind: 'single'; url: string }
  | {
      kind: 'sentinel';
      sentinels: RedisNode[];
      name: string;
      db: number;
      username?: string;
      password?: string;
      tls: boolean;
    }
  | { kind: 'cluster'; nodes: RedisNode[]; username?: string; password?: string; tls: boolean };

export const REDIS_URL_FORMS =
  'expected redis://host:port, rediss://…, redis+sentinel://host:port[,host:port…]/primary-name or redis+cluster://host:port[,host:port…]';

const MULTI = /^(rediss?)\+(sentinel|cluster):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/@\s]+)(?:\/(\S*))?$/;

/** Parses REDIS_URL; throws Invalid (one line) when it is none of the three forms. */
export function parseRedisUrl(url: string): RedisTarget {
  if (/^rediss?:\/\/\S+$/.test(url)) return { kind: 'single', url };
  const m = MULTI.exec(url);
  if (!m) throw new Invalid(REDIS_URL_FORMS);
  const [, scheme, kind, user, pass, hostList, path] = m as unknown as string[];
  const fallbackPort = kind === 'sentinel' ? 26379 : 6379;
  const nodes = (hostList as string).split(',').map((h) => {
    const at = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(h.trim());
    if (!at) throw new Invalid(`${kind} node "${h}" is not host:port (${REDIS_URL_FORMS})`);
    return { host: at[1] as string, port: at[2] ? Number(at[2]) : fallbackPort };
  });
  const auth = {
    ...(user ? { username: decodeURIComponent(user) } : {}),
    ...(pass ? { password: decodeURIComponent(pass) } : {}),
  };
  const tls = scheme === 'rediss';
  if (kind === 'cluster') {
    if (path) throw new Invalid('redis+cluster:// takes no /path: a cluster has only database 0');
    return { kind: 'cluster', nodes, tls, ...auth };
  }
  const [name, db = '0'] = (path ?? '').split('/');
  if (!name) throw new Invalid("redis+sentinel:// needs the primary's name after the hosts: …/mymaster");
  if (!/^\d{1,2}$/.test(db)) throw new Invalid(`redis+sentinel://…/${name}/${db}: the database is a number`);
  return { kind: 'sentinel', sentinels: nodes, name, db: Number(db), tls, ...auth };
}
