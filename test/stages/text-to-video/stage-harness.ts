/**
 * Creates a text-to-video stage straight from its definition, as the runtime would (same
 * StageCreateContext), and pushes packets through its operator — for what a pipeline run does not
 * isolate: settings, chunk info, errors, cancellation.
 */
import { firstValueFrom, from, toArray } from 'rxjs';
import { referenceModelPath } from '../../../models/reference.ts';
import type { FamilyId } from '../../../models/manifests/index.ts';
import type { NodeSettings } from '../../../src/core/settings.ts';
import type { PortPacket, StageCreateContext, StageDefinition, StageInstance } from '../../../src/core/stage.ts';
import type { ChunkInfo } from '../../../src/core/types.ts';

export const SETTINGS: NodeSettings = {
  queue: 2,
  concurrency: 1,
  provider: ['cpu'],
  strict: false,
  deviceId: 0,
  threads: { intraOp: 1, interOp: 1, spinning: false },
  warmup: 0,
  tensorrt: {},
  cache: false,
};

export interface Created {
  instance: StageInstance;
  logs: string[];
  abort: AbortController;
}

export async function createStage(
  def: StageDefinition,
  slot: { name: string; family: FamilyId },
  options: Record<string, unknown> = {},
  settings: Partial<NodeSettings> = {},
  abort = new AbortController(),
): Promise<Created> {
  const logs: string[] = [];
  const ctx: StageCreateContext = {
    id: def.kind,
    models: { [slot.name]: referenceModelPath(slot.family, 'tiny') },
    signal: abort.signal,
    log: (line) => logs.push(line),
    settings: { ...SETTINGS, ...settings },
  };
  const instance = await def.create!(def.options.parse(options) as never, ctx);
  return { instance, logs, abort };
}

export function runOperator(instance: StageInstance, packets: PortPacket[]): Promise<PortPacket[]> {
  return firstValueFrom(from(packets).pipe(instance.operator, toArray()));
}

export function chunk0(clipId = 'clip'): ChunkInfo {
  return { clipId, index: 0, start: 0, end: 0, last: true };
}
