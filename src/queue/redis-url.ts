/**
 * `--queue redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS): the connection
 * options BullMQ passes to ioredis, and the URL as it may be shown — the password never is.
 * A password may come from the URL or from `REEL_REDIS_PASSWORD`.
 */
import { UsageError } from '../core/errors.ts';

export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The URL with any password masked, for messages. */
  shown: string;
}

export function parseRedisUrl(text: string, env: NodeJS.ProcessEnv = process.env): RedisTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `--queue ${maskPassword(text)}: not a URL — give redis://HOST:PORT[/DB], e.g. redis://127.0.0.1:6379`,
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new UsageError(`--queue ${maskPassword(text)}: expected a redis:// or rediss:// URL`);
  const dbText = url.pathname.replace(/^\//, '') || '0';
  const db = Number(dbText);
  if (!Number.isInteger(db) || db < 0)
    throw new UsageError(
      `--queue ${maskPassword(text)}: database "${dbText}" is not a number — e.g. redis://HOST:6379/0`,
    );
  const port = url.port ? Number(url.port) : 6379;
  const password = url.password ? decodeURIComponent(url.password) : env.REEL_REDIS_PASSWORD || undefined;
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const auth = password ? `${username ?? ''}:***@` : username ? `${username}@` : '';
  return {
    host,
    port,
    db,
    username,
    password,
    tls: url.protocol === 'rediss:',
    shown: `${url.protocol}//${auth}${url.host}/${db}`,
  };
}

/** A string that may hold a redis URL with its password replaced by ***. */
export function maskPassword(text: string): string {
  return text.replace(/(rediss?:\/\/[^:/@\s]*:)[^@\s]*@/g, '$1***@');
}

/** ioredis options for BullMQ: blocking commands need maxRetriesPerRequest null. */
export function connectionOptions(target: RedisTarget) {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    username: target.username,
    password: target.password,
    tls: target.tls ? {} : undefined,
    maxRetriesPerRequest: null,
    connectTimeout: 5000,
  };
}
