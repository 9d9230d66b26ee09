/**
 * The TypeScript side of a stage worker: loads the stage definition by kind, creates the instance
 * (its ONNX session lives and runs on this thread), and drives its operator item by item.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { useCreationLockBuffer } from '../inference/creation-lock.ts';
import { reclaimBuffersIfGrown, startBufferReclaim } from './buffer-reclaim.ts';
import type { StageDefinition, StageInstance } from '../core/stage.ts';
import { OperatorDriver } from './operator-driver.ts';
import { prepareTransfer } from './transfer.ts';
import { serializeError, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.ts';

const port = parentPort!;
if (workerData?.creationLock) useCreationLockBuffer(workerData.creationLock as SharedArrayBuffer);
// Each worker has its own heap: reclaim its chunk buffers promptly too.
startBufferReclaim();
const abort = new AbortController();
let instance: StageInstance | undefined;
let driver: OperatorDriver | undefined;

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function isDefinition(value: unknown, kind: string): value is StageDefinition {
  return typeof value === 'object' && value !== null && (value as StageDefinition).kind === kind;
}

async function loadDefinition(init: WorkerInit): Promise<StageDefinition> {
  if (init.module) {
    const exported = Object.values(await import(init.module));
    const def = exported.find((value) => isDefinition(value, init.kind));
    if (def) return def as StageDefinition;
    throw new Error(`module ${init.module} exports no stage of kind "${init.kind}"`);
  }
  const builtins = (await import('../../stages/index.ts')) as { STAGE_KINDS?: Record<string, StageDefinition> };
  const def = builtins.STAGE_KINDS?.[init.kind];
  if (!def) throw new Error(`unknown stage kind "${init.kind}" (not in stages/index.ts)`);
  return def;
}

async function start(init: WorkerInit): Promise<void> {
  const def = await loadDefinition(init);
  if (!def.create) throw new Error(`stage kind "${def.kind}" is declared but not implemented yet`);
  const log = (line: string) => send({ type: 'log', line });
  instance = await def.create(init.options as never, { ...init.context, signal: abort.signal, log, outputRoom });
  const files = () => instance?.files?.() ?? [];
  driver = new OperatorDriver(instance, init.outputPorts, {
    packet(seq, out) {
      const prepared = prepareTransfer([out]);
      send({ type: 'packet', seq, out: prepared.packets[0] }, prepared.transfer);
    },
    done: (seq) => {
      send({ type: 'done', seq });
      // A chunk's processing is synchronous: the reclaim timer cannot fire inside it.
      reclaimBuffersIfGrown();
    },
    complete: () => send({ type: 'complete', files: files() }),
    error: (err, seq) => send({ type: 'error', seq, error: serializeError(err) }),
  });
  send({ type: 'ready' });
}

async function dispose(): Promise<void> {
  abort.abort();
  driver?.stop();
  try {
    await instance?.dispose();
  } finally {
    send({ type: 'disposed' });
  }
}

const roomWaiters = new Map<number, () => void>();
let roomRequests = 0;
/** Asks the main thread, which knows the downstream queues, to answer once they have room. */
function outputRoom(): Promise<void> {
  const id = ++roomRequests;
  return new Promise<void>((resolve) => {
    roomWaiters.set(id, resolve);
    send({ type: 'await-room', id });
  });
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'room':
      roomWaiters.get(message.id)?.();
      roomWaiters.delete(message.id);
      break;
    case 'init':
      start(message).catch((err) => send({ type: 'error', error: serializeError(err) }));
      break;
    case 'item':
      driver?.submit({ seq: message.seq, packets: message.packets });
      break;
    case 'end':
      driver?.end();
      break;
    case 'dispose':
      dispose().catch((err) => send({ type: 'error', error: serializeError(err) }));
      break;
  }
});
