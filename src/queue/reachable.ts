/**
 * Checks that the Redis server answers before anything is queued or taken: an unreachable one is
 * one clear line and exit 1 within seconds, not a client retrying forever.
 */
import { Redis } from 'ioredis';
import { ReelError } from '../core/errors.ts';
import { connectionOptions, maskPassword, type RedisTarget } from './redis-url.ts';

export class QueueError extends ReelError {
  override readonly code = 'QUEUE_ERROR';
}

export async function assertReachable(target: RedisTarget, timeoutMs = 4000): Promise<void> {
  const client = new Redis({
    ...connectionOptions(target),
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
    enableOfflineQueue: false,
  });
  // The socket's own error (ECONNREFUSED, ENOTFOUND, WRONGPASS) says more than the rejection below.
  let socketError: Error | undefined;
  client.on('error', (err: Error) => (socketError ??= err));
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    const cause = socketError ?? err;
    const reason = maskPassword(cause instanceof Error ? cause.message : String(cause));
    throw new QueueError(
      `cannot reach Redis at ${target.shown}: ${reason} — start redis-server there, or fix --queue (password: in the URL or REEL_REDIS_PASSWORD)`,
    );
  } finally {
    client.disconnect();
  }
}
