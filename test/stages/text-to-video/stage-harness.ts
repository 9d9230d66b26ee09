/**
 * Creates a text-to-video stage straight from its definition, as the runtime would (the shared
 * test/helpers/stage-harness.ts context, with the kind as stage id), keeps its log, and runs one
 * item through it — for what a pipeline run does not isolate: settings, chunk info, errors,
 * cancellation.
 */
import { itemOf, type StageItem } from '../../../src/core/item.ts';
import type { NodeSettings } from '../../../src/core/settings.ts';
import type { PortPacket, TransformDefinition, TransformInstance } from '../../../src/core/stage.ts';
import type { ChunkInfo, Packet } from '../../../src/core/types.ts';
import { createTransform, processAll } from '../../helpers/stage-harness.ts';

export interface Created {
  instance: TransformInstance;
  logs: string[];
  abort: AbortController;
}

export async function createStage(
  def: TransformDefinition,
  options: Record<string, unknown> = {},
  settings: Partial<NodeSettings> = {},
  abort = new AbortController(),
): Promise<Created> {
  const logs: string[] = [];
  const instance = await createTransform(def, options, {
    id: def.kind,
    signal: abort.signal,
    log: (line) => logs.push(line),
    settings,
  });
  return { instance, logs, abort };
}

/** The item of a clip whose only chunk carries `packet` on `port`. */
export function chunkItem(port: string, packet: Packet): StageItem {
  return itemOf(packet.chunk, { [port]: packet });
}

/** The item of a clip whose input `port` is taken whole (the prompt of the text encoder). */
export function wholeItem(port: string, packet: Packet): StageItem {
  return itemOf(packet.chunk, {}, { whole: { [port]: packet } });
}

export function runItem(instance: TransformInstance, item: StageItem): Promise<PortPacket[]> {
  return processAll(instance, [item]);
}

export function chunk0(clipId = 'clip'): ChunkInfo {
  return { clipId, index: 0, start: 0, end: 0, last: true };
}
