/**
 * Runs a stage kind's instance directly, without the runtime: create it with a test context,
 * feed it items built the way the runtime builds them (neighbours of the same clip, whole inputs),
 * and collect what it emits. For unit tests of a kind; the runtime's own tests use fixture graphs.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { referenceModelPath } from '../../models/reference.ts';
import { DEFAULT_NODE_SETTINGS, type NodeSettings } from '../../src/core/settings.ts';
import { StageItem, type ChunkPackets } from '../../src/core/item.ts';
import type {
  PortPacket,
  SinkInstance,
  StageCreateContext,
  StageDefinition,
  TransformDefinition,
  TransformInstance,
  SinkDefinition,
} from '../../src/core/stage.ts';
import type { Packet } from '../../src/core/types.ts';

export interface TestContext extends Partial<Omit<StageCreateContext, 'settings'>> {
  settings?: Partial<NodeSettings>;
}

/** A create context as the runtime gives it: reference models (tiny) for every slot, no warm-up. */
export function testContext(def: StageDefinition, extra: TestContext = {}): StageCreateContext & { logs: string[] } {
  const logs: string[] = [];
  const models = Object.fromEntries(
    Object.entries(def.models ?? {}).map(([slot, m]) => [slot, referenceModelPath(m.family as never, 'tiny')]),
  );
  return {
    id: 'test',
    models,
    signal: new AbortController().signal,
    log: (line) => logs.push(line),
    outputRoom: async () => {},
    ...extra,
    settings: { ...DEFAULT_NODE_SETTINGS, warmup: 0, ...extra.settings },
    logs,
  };
}

export async function createTransform<D extends TransformDefinition>(
  def: D,
  options: Record<string, unknown> = {},
  ctx: TestContext = {},
): Promise<TransformInstance> {
  if (!def.create) throw new Error(`${def.kind} has no create`);
  return def.create(def.options.parse(options) as never, testContext(def, ctx));
}

export async function createSink<D extends SinkDefinition>(
  def: D,
  options: Record<string, unknown> = {},
  ctx: TestContext = {},
): Promise<SinkInstance> {
  if (!def.create) throw new Error(`${def.kind} has no create`);
  return def.create(def.options.parse(options) as never, testContext(def, ctx));
}

/**
 * The items of one clip as the runtime makes them: item k holds chunk k, up to `before` earlier
 * and `after` later chunks, and the whole inputs.
 */
export function clipItems(
  chunks: readonly ChunkPackets[],
  neighbours: { before: number; after: number } = { before: 0, after: 0 },
  whole: Readonly<Record<string, Packet>> = {},
): StageItem[] {
  return chunks.map(
    (c, k) =>
      new StageItem({
        ...c,
        before: chunks.slice(Math.max(0, k - neighbours.before), k),
        after: chunks.slice(k + 1, k + 1 + neighbours.after),
        whole,
      }),
  );
}

/** Processes the items one after another, as a stateful or single-instance stage would run them. */
export async function processAll(instance: TransformInstance, items: readonly StageItem[]): Promise<PortPacket[]> {
  const out: PortPacket[] = [];
  for (const item of items) out.push(...(await lastValueFrom(instance.process(item).pipe(toArray()))));
  return out;
}
