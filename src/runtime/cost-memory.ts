/**
 * Stage costs remembered from one run to the next on this machine, so that a run of stages run
 * before plans their replicas at its start instead of after measuring them. A run that measures
 * first keeps its bottleneck on one instance until every stage has finished an item: talking-head
 * `--profile fast` on 16 cores converted its first 4–5 chunks on one RVC instance while lip-sync's
 * first item ran, and the converter's replicas joined 1.1–1.6 s into a 2.9 s run.
 *
 * An entry is keyed by what sets a stage's cost per item: its kind, options, models and threads
 * (the engine key), the chunking, and the format of the run's inputs (sample rate, frame size) —
 * and by where it was measured (costContext): the run's cores, the machine's kind (CPU model and
 * count, memory: a home folder shared by unlike hosts) and the versions of reel, Node.js and ONNX
 * Runtime (the provider a stage asks for is in its engine key; the one it gets follows from the
 * machine and the ONNX Runtime build). It holds the stage's median compute per item and the
 * instances it ended the run with: the plan at the next start is computed afresh from the costs
 * for that run's clip, and no stage starts more instances than it had (its memory was checked
 * then: a replica holds its own chunks, video ones among them). A remembered cost only starts
 * replicas: the run still measures, grows a stage that turns out slower, and remembers what it
 * measured. The file is small (a few hundred entries at most, the least recently used dropped); a
 * missing, unreadable or damaged one is an empty memory, and one that cannot be written is
 * skipped: remembering never fails a run. Two runs that save at the same moment may lose one's
 * entries (no lock): the next run measures.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { cpus, homedir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { canonicalJson } from '../core/canonical-json.ts';
import { versions, type Versions } from '../core/versions.ts';

/** What a stage cost in an earlier run. */
export interface RememberedCost {
  /** Compute of one item on one instance, ms (the median of the run's last items). */
  msPerItem: number;
  /** Instances the stage had at the end of that run. */
  replicas: number;
}

interface Entry extends RememberedCost {
  /** When a run last used or wrote it, ms since the epoch. */
  usedAt: number;
}

interface CostFile {
  version: 1;
  stages: Record<string, Entry>;
}

/** Entries kept at most; the least recently used go first. */
export const MAX_REMEMBERED = 500;

/** Environment variable that turns remembering off (`0`). */
export const REMEMBER_ENV = 'REEL_REMEMBER_COSTS';

/**
 * The file of remembered costs: `$REEL_STATE_DIR`, else `$XDG_STATE_HOME/reel`, else
 * `~/.local/state/reel`, then `stage-costs.json`; undefined when `REEL_REMEMBER_COSTS=0`.
 */
export function costMemoryFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env[REMEMBER_ENV] === '0') return undefined;
  const dir = env.REEL_STATE_DIR || join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'reel');
  return join(dir, 'stage-costs.json');
}

/** The memory in costMemoryFile(), or undefined when remembering is off. */
export async function openCostMemory(env: NodeJS.ProcessEnv = process.env): Promise<CostMemory | undefined> {
  const file = costMemoryFile(env);
  return file ? CostMemory.open(file) : undefined;
}

/** Where costs are measured, beyond the stage and its inputs: part of every key (costKey). */
export interface CostContext {
  /** The run's core budget (availableParallelism or --cores): its instances are planned for them. */
  cores: number;
  /** The machine's kind: `<CPU model> ×<logical CPUs>, ~<memory, a power of two> GiB`. */
  machine: string;
  versions: Versions;
}

/**
 * Memory in GiB as a machine's kind: the nearest power of two, so that a VM whose memory moves a
 * little (ballooning, WSL) stays the same kind.
 */
export const memoryClassGiB = (bytes: number): number => 2 ** Math.round(Math.log2(Math.max(1, bytes / 2 ** 30)));

/** This machine's and this reel's CostContext for a run on `cores`. */
export function costContext(cores: number): CostContext {
  const cpu = cpus();
  const machine = `${cpu[0]?.model.trim() ?? 'unknown CPU'} ×${cpu.length}, ~${memoryClassGiB(totalmem())} GiB`;
  return { cores, machine, versions: versions() };
}

/** The key of a stage's cost: a hash of what sets it. */
export function costKey(parts: unknown): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex');
}

const isCost = (value: unknown): value is Entry => {
  const e = value as Partial<Entry> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    [e.msPerItem, e.usedAt].every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0) &&
    Number.isInteger(e.replicas) &&
    (e.replicas ?? 0) >= 1
  );
};

async function readEntries(file: string): Promise<Map<string, Entry>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<CostFile>;
    if (parsed?.version !== 1 || typeof parsed.stages !== 'object' || parsed.stages === null) return new Map();
    return new Map(Object.entries(parsed.stages).filter(([, e]) => isCost(e)));
  } catch {
    return new Map(); // missing, unreadable or not JSON: nothing remembered
  }
}

export class CostMemory {
  private readonly changed = new Map<string, Entry>();

  private constructor(
    /** The file read and written. */
    readonly file: string,
    private readonly entries: Map<string, Entry>,
  ) {}

  /** The memory in `file` (empty when it is missing or damaged). */
  static async open(file: string): Promise<CostMemory> {
    return new CostMemory(file, await readEntries(file));
  }

  /** Stages remembered (as read, with what this run set). */
  get size(): number {
    return new Set([...this.entries.keys(), ...this.changed.keys()]).size;
  }

  get(key: string): RememberedCost | undefined {
    const entry = this.changed.get(key) ?? this.entries.get(key);
    if (!entry) return undefined;
    const { msPerItem, replicas } = entry;
    // Used: kept ahead of the entries not used for longest.
    this.changed.set(key, { msPerItem, replicas, usedAt: Date.now() });
    return { msPerItem, replicas };
  }

  set(key: string, cost: RememberedCost): void {
    this.changed.set(key, { msPerItem: cost.msPerItem, replicas: cost.replicas, usedAt: Date.now() });
  }

  /**
   * Writes what this run used or measured into the file as it is now (other runs may have written
   * since it was read), keeping the MAX_REMEMBERED most recently used. Atomic: a reader sees the
   * old file or the new one. Returns false when it could not be written (nothing is thrown).
   */
  async save(): Promise<boolean> {
    if (this.changed.size === 0) return true;
    const temp = `${this.file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    // What is written: entries set while it is written stay to be saved next time.
    const saving = new Map(this.changed);
    try {
      const merged = await readEntries(this.file);
      for (const [key, entry] of saving) merged.set(key, entry);
      const kept = [...merged].sort((a, b) => b[1].usedAt - a[1].usedAt).slice(0, MAX_REMEMBERED);
      const body: CostFile = { version: 1, stages: Object.fromEntries(kept) };
      await mkdir(dirname(this.file), { recursive: true });
      await writeFile(temp, `${JSON.stringify(body)}\n`);
      await rename(temp, this.file);
      for (const [key, entry] of saving) {
        this.entries.set(key, entry);
        if (this.changed.get(key) === entry) this.changed.delete(key);
      }
      return true;
    } catch {
      await unlink(temp).catch(() => undefined);
      return false;
    }
  }
}
