/**
 * Sessions shared within one stage worker: two stages (or two concurrent clips) asking for the
 * same model with the same settings get one session, reference-counted, instead of loading the
 * model twice. Also runs the warm-up before the first chunk.
 */
import { canonicalJson } from '../core/canonical-json.ts';
import { createSession, type CreatedSession, type SessionSpec } from './session-factory.ts';

interface Entry {
  created: Promise<CreatedSession>;
  users: number;
  /** Warm-up has run on this session: a later user skips it. */
  warmed: boolean;
}

export class SessionPool {
  private readonly entries = new Map<string, Entry>();
  /**
   * Keep a session whose last user let go, for the next clip to take (a stage worker kept warm
   * between the samples of a batch); `keepIdle(false)` releases the idle ones.
   */
  private retainIdle = false;

  /** The key two specs share a session under: everything but the stage id. */
  static keyOf(spec: SessionSpec): string {
    const { stage: _stage, ...rest } = spec;
    return canonicalJson(rest);
  }

  acquire(spec: SessionSpec): Promise<CreatedSession> {
    const key = SessionPool.keyOf(spec);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { created: createSession(spec), users: 0, warmed: false };
      this.entries.set(key, entry);
      entry.created.catch(() => this.entries.delete(key));
    }
    entry.users++;
    return entry.created;
  }

  /** Whether warm-up has run on the session `spec` names (then it need not run again). */
  warmed(spec: SessionSpec): boolean {
    return this.entries.get(SessionPool.keyOf(spec))?.warmed ?? false;
  }

  markWarmed(spec: SessionSpec): void {
    const entry = this.entries.get(SessionPool.keyOf(spec));
    if (entry) entry.warmed = true;
  }

  /** Drops one user; the session is released when the last one lets go (unless idle ones are kept). */
  async release(spec: SessionSpec): Promise<void> {
    const key = SessionPool.keyOf(spec);
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.users--;
    if (entry.users > 0 || this.retainIdle) return;
    await this.drop(key, entry);
  }

  /** Whether sessions without users are kept; turning it off releases the ones kept. */
  async keepIdle(keep: boolean): Promise<void> {
    this.retainIdle = keep;
    if (keep) return;
    await Promise.all([...this.entries].filter(([, e]) => e.users <= 0).map(([key, e]) => this.drop(key, e)));
  }

  private async drop(key: string, entry: Entry): Promise<void> {
    this.entries.delete(key);
    const created = await entry.created.catch(() => undefined);
    await created?.session.release();
  }

  get size(): number {
    return this.entries.size;
  }
}
