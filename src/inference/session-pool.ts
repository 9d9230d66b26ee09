/**
 * Sessions shared within one stage worker: two stages (or two concurrent clips) asking for the
 * same model with the same settings get one session, reference-counted, instead of loading the
 * model twice. Also runs the warm-up before the first chunk.
 */
import { createSession, type CreatedSession, type SessionSpec } from './session-factory.ts';

interface Entry {
  created: Promise<CreatedSession>;
  users: number;
}

export class SessionPool {
  private readonly entries = new Map<string, Entry>();

  /** The key two specs share a session under: everything but the stage id. */
  static keyOf(spec: SessionSpec): string {
    const { stage: _stage, ...rest } = spec;
    return canonicalJson(rest);
  }

  acquire(spec: SessionSpec): Promise<CreatedSession> {
    const key = SessionPool.keyOf(spec);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { created: createSession(spec), users: 0 };
      this.entries.set(key, entry);
      entry.created.catch(() => this.entries.delete(key));
    }
    entry.users++;
    return entry.created;
  }

  /** Drops one user; the session is released when the last one lets go. */
  async release(spec: SessionSpec): Promise<void> {
    const key = SessionPool.keyOf(spec);
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.users--;
    if (entry.users > 0) return;
    this.entries.delete(key);
    const created = await entry.created.catch(() => undefined);
    await created?.session.release();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** JSON with keys sorted at every level, so equal settings give equal keys. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
