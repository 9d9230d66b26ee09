/** `--queue` URLs: what reaches ioredis, and what may be printed (never a password). */
import { describe, expect, it } from 'vitest';
import { maskPassword, parseRedisUrl } from '../../src/queue/redis-url.ts';

describe('redis URLs', () => {
  it('reads host, port, database, user, password and TLS, and shows the URL without the password', () => {
    expect(parseRedisUrl('rediss://render:s%40cret@queue.example:6380/2', {})).toEqual({
      host: 'queue.example',
      port: 6380,
      db: 2,
      username: 'render',
      password: 's@cret',
      tls: true,
      shown: 'rediss://render:***@queue.example:6380/2',
    });
    expect(parseRedisUrl('redis://10.0.0.5', {})).toMatchObject({
      port: 6379,
      db: 0,
      tls: false,
      shown: 'redis://10.0.0.5/0',
    });
  });

  it('takes the password from REEL_REDIS_PASSWORD when the URL has none', () => {
    const target = parseRedisUrl('redis://127.0.0.1:6379', { REEL_REDIS_PASSWORD: 'hunter2' });
    expect(target.password).toBe('hunter2');
    expect(target.shown).toBe('redis://:***@127.0.0.1:6379/0');
  });

  it('refuses what is not a redis URL, in a line that does not show the password', () => {
    expect(() => parseRedisUrl('http://u:pw@host', {})).toThrow(/expected a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => parseRedisUrl('redis://u:pw@host/x', {})).toThrow(
      '--queue redis://u:***@host/x: database "x" is not a number',
    );
    expect(() => parseRedisUrl('localhost:6379', {})).toThrow(/expected a redis:\/\/ or rediss:\/\/ URL/);
    expect(maskPassword('error at redis://a:b@c:1/0 and rediss://:x@d')).toBe(
      'error at redis://a:***@c:1/0 and rediss://:***@d',
    );
  });
});
