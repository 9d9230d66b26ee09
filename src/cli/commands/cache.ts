/**
 * `reel cache ls [--json]` and `reel cache clean [--older-than D] [--max-size S] [--json]`: the
 * disk cache of content-addressed tensors (text-encoder rows) in `$REEL_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/reel`, else `~/.cache/reel`. What clean refuses is in cache-clean.ts.
 */
import path from 'node:path';
import ms from 'ms';
import { formatByteSize, parseByteSize } from '../../cache/byte-size.ts';
import { cleanCache, type CleanReport } from '../../cache/cache-clean.ts';
import { scanCache } from '../../cache/cache-folder.ts';
import { cacheLimitFromEnv, type CacheLimit } from '../../cache/cache-limit.ts';
import { defaultCacheDir } from '../../cache/content-cache.ts';
import { EXIT, UsageError } from '../../core/errors.ts';
import type { CliIo } from '../io.ts';

export interface CacheLsFlags {
  json?: boolean;
}

export interface CacheCleanFlags {
  /** A duration: `90s`, `30m`, `12h`, `7d`, `2w`. */
  olderThan?: string;
  /** A size: `500M`, `1G`, bytes. */
  maxSize?: string;
  json?: boolean;
}

/** `7d`, `12h`, `90s`, `2 weeks` (ms's units); a bare number (ms would read milliseconds) is refused. */
function parseDuration(text: string): number | undefined {
  if (!/^\s*\d+(\.\d+)?\s*[a-z]/i.test(text)) return undefined;
  const duration = ms(text.trim() as ms.StringValue);
  return Number.isFinite(duration) && duration >= 0 ? duration : undefined;
}

const isoSeconds = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

function age(elapsed: number): string {
  return `${ms(Math.max(0, elapsed), { long: true })} ago`;
}

function capText(limit: CacheLimit): string {
  if (limit.maxBytes === 0) return 'off (REEL_CACHE_MAX=0: nothing is read or written)';
  const size = formatByteSize(limit.maxBytes);
  return limit.from === 'default' ? `${size} (default; REEL_CACHE_MAX changes it)` : `${size} (REEL_CACHE_MAX)`;
}

export async function cacheLsCommand(flags: CacheLsFlags, io: CliIo, env = process.env): Promise<number> {
  const dir = path.resolve(defaultCacheDir(env));
  const limit = cacheLimitFromEnv(env);
  const now = Date.now();
  const scan = await scanCache(dir, now);
  const oldest = scan.entries.at(0)?.lastUsedMs;
  const newest = scan.entries.at(-1)?.lastUsedMs;
  if (flags.json) {
    const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
    io.out(
      JSON.stringify({
        dir,
        exists: scan.exists,
        entries: scan.entries.length,
        bytes: scan.bytes,
        maxBytes: limit.maxBytes,
        maxBytesFrom: limit.from,
        oldestUse: iso(oldest),
        newestUse: iso(newest),
        staleTempFiles: scan.staleTemps.length,
        otherItems: scan.strangers.length,
      }),
    );
    return EXIT.ok;
  }
  const lines = [`cache folder  ${dir}${scan.exists ? '' : ' (not created yet)'}`];
  lines.push(
    scan.entries.length === 0
      ? 'entries       0 (empty)'
      : `entries       ${scan.entries.length}, ${formatByteSize(scan.bytes)}`,
  );
  lines.push(`cap           ${capText(limit)}`);
  if (oldest !== undefined && newest !== undefined) {
    lines.push(`oldest use    ${isoSeconds(oldest)} (${age(now - oldest)})`);
    lines.push(`newest use    ${isoSeconds(newest)} (${age(now - newest)})`);
  }
  if (scan.strangers.length > 0)
    lines.push(
      `note: ${scan.strangers.length} item(s) at the top of this folder are not reel's; \`reel cache clean\` refuses it`,
    );
  io.out(lines.join('\n'));
  return EXIT.ok;
}

export async function cacheCleanCommand(flags: CacheCleanFlags, io: CliIo, env = process.env): Promise<number> {
  const olderThanMs = flags.olderThan === undefined ? undefined : parseDuration(flags.olderThan);
  if (flags.olderThan !== undefined && olderThanMs === undefined)
    throw new UsageError(`--older-than "${flags.olderThan}": expected a duration such as 90s, 30m, 12h, 7d or 2w`);
  const maxBytes = flags.maxSize === undefined ? undefined : parseByteSize(flags.maxSize);
  if (flags.maxSize !== undefined && maxBytes === undefined)
    throw new UsageError(`--max-size "${flags.maxSize}": expected a size such as 500M, 1G or a number of bytes`);

  const report = await cleanCache(path.resolve(defaultCacheDir(env)), { olderThanMs, maxBytes });
  if (flags.json) io.out(JSON.stringify(report));
  else io.out(cleanSummary(report));
  if (report.failed.length === 0) return EXIT.ok;
  const [first] = report.failed;
  io.err(`could not remove ${report.failed.length} file(s), e.g. ${first.path} (${first.reason})`);
  return EXIT.runtime;
}

function cleanSummary(r: CleanReport): string {
  if (!r.exists) return `${r.dir}: no cache folder yet (empty) — nothing to remove`;
  const temps = r.removedTemps > 0 ? ` and ${r.removedTemps} stale temporary file(s)` : '';
  return (
    `removed ${r.removedEntries} entries${temps} (${formatByteSize(r.bytesFreed)}) from ${r.dir}; ` +
    `${r.entriesLeft} left (${formatByteSize(r.bytesLeft)})`
  );
}
