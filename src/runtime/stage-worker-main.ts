/**
 * The TypeScript side of a stage worker: loads the kind's create (from the module its createIn
 * names, else from its definition's module), creates the instance (its ONNX session lives and runs
 * on this thread), and runs the items it is sent, one at a time, reporting packets, compute
 * segments and completion. A worker kept warm by a batch hosts one instance after another (one
 * per clip); their sessions stay open between them.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Subscription } from 'rxjs';
import { nonFiniteOutput } from '../core/finite.ts';
import { importModule } from '../core/import-module.ts';
import { importFunction } from '../core/module-export.ts';
import { useCreationLockBuffer } from '../inference/creation-lock.ts';
import { onGpuSpan, useGpuPortSource } from '../inference/gpu/gpu-client.ts';
import type { ItemData } from '../core/item.ts';
import type { LogLevel, StageDefinition, TransformDefinition, TransformInstance } from '../core/stage.ts';
import type { Packet } from '../core/types.ts';
import { noteSharedBytes, reclaimBuffersIfGrown, startBufferReclaim } from './buffer-reclaim.ts';
import { creatorOf } from './runner.ts';
import { InstanceDriver } from './transform-host.ts';
import { prepareOutput, sharedPayloadBytes } from './transfer.ts';
import { serializeError, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.ts';

const port = parentPort!;
if (workerData?.creationLock) useCreationLockBuffer(workerData.creationLock as SharedArrayBuffer);
// A spare worker loads ONNX Runtime and the kinds it may be given while it waits for one; the
// stage's own import then finds them loaded (or loading: Node shares a pending import). A kind that
// fails to load here fails again, with its error, when it is asked for.
for (const name of (workerData?.preload ?? []) as string[]) void importModule(name).catch(() => undefined);
// Each worker has its own heap: reclaim its chunk buffers promptly too.
startBufferReclaim();
/** Aborted when the current instance is disposed; a new one per instance. */
let abort = new AbortController();
let instance: TransformInstance | undefined;
let running: Subscription | undefined;

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function isDefinition(value: unknown, kind: string): value is StageDefinition {
  return typeof value === 'object' && value !== null && (value as StageDefinition).kind === kind;
}

type Create = NonNullable<TransformDefinition['create']>;

/** The kind's `create`: from its createIn when it names one, else from its definition's module. */
async function loadCreate(init: WorkerInit): Promise<Create> {
  // A user's kind may be a .ts file while this worker runs compiled: importModule brings tsx then.
  if (init.createIn) return importFunction<Create>(init.createIn, `the createIn of stage kind "${init.kind}"`);
  if (!init.module) throw new Error(`stage kind "${init.kind}" has no module URL to load in a worker`);
  const exported = Object.values(await importModule(init.module));
  const def = exported.find((value) => isDefinition(value, init.kind));
  if (def?.role !== 'transform') throw new Error(`module ${init.module} exports no transform of kind "${init.kind}"`);
  return creatorOf(def);
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

const driver = new InstanceDriver(outputRoom);

// GPU sessions live on the process's GPU thread; the main thread, which owns it, hands this
// worker a port to it when its first GPU session is made.
useGpuPortSource(
  () =>
    new Promise<MessagePort>((resolve) => {
      const answer = (message: ToWorker) => {
        if (message.type !== 'gpu-port') return;
        port.off('message', answer);
        resolve(message.port);
      };
      port.on('message', answer);
      send({ type: 'gpu-port' });
    }),
);
/** The item being run (GPU calls are reported against it). */
let currentSeq: number | undefined;
onGpuSpan((span) => {
  if (currentSeq !== undefined) send({ type: 'gpu', seq: currentSeq, span });
});

/** Whether this thread keeps its sessions open between instances (see WorkerInit.pooled). */
let keepingSessions = false;

/** Loaded only by pooled workers: a stage without a model never loads ONNX Runtime for it. */
async function keepSessions(keep: boolean): Promise<void> {
  if (keep === keepingSessions) return;
  keepingSessions = keep;
  const { keepIdleSessions } = await import('../inference/model.ts');
  await keepIdleSessions(keep);
}

/** The instance's output ports whose packets go out in shared memory (WorkerInit.sharedOutputs). */
let sharedOutputs = new Set<string>();

async function start(init: WorkerInit): Promise<void> {
  await keepSessions(init.pooled === true);
  sharedOutputs = new Set(init.sharedOutputs);
  abort = new AbortController();
  const create = await loadCreate(init);
  const log = (line: string, level?: LogLevel) => send({ type: 'log', line, level });
  instance = await create(init.options as never, {
    ...init.context,
    signal: abort.signal,
    log,
    progress: (done, total, of) => send({ type: 'progress', done, total, of }),
    outputRoom: driver.room,
  });
  send({ type: 'ready' });
}

/** Whole inputs of the current clip, by id (see WholeRefs). */
const wholes = new Map<number, Packet>();

/** The item with every whole packet in place: the ones just sent are kept, the others looked up. */
function withWholes(message: ToWorker & { type: 'item' }): ItemData {
  if (message.wholes.reset) wholes.clear();
  const whole: Record<string, Packet> = {};
  for (const [port, id] of Object.entries(message.wholes.ids)) {
    const sent = message.item.whole[port];
    if (sent) wholes.set(id, sent);
    const packet = wholes.get(id);
    if (!packet) throw new Error(`whole input "${port}" (id ${id}) was never sent to this worker`);
    whole[port] = packet;
  }
  for (const id of message.wholes.release) wholes.delete(id);
  return { ...message.item, whole };
}

function runItem(seq: number, message: ToWorker & { type: 'item' }): void {
  let item: ItemData;
  try {
    if (!instance) throw new Error('no instance');
    item = withWholes(message);
    noteSharedBytes(sharedPayloadBytes(message.item));
  } catch (err) {
    send({ type: 'error', seq, error: serializeError(err) });
    return;
  }
  currentSeq = seq;
  running = driver
    .run(instance, item, (segment) => send({ type: 'segment', seq, segment }))
    .subscribe({
      next(out) {
        // Audio is checked here, off the main thread, which would otherwise read every sample
        // again; the main thread acts on the verdict where it would have checked.
        const verdict = out.packet.kind === 'audio' ? { finite: nonFiniteOutput(out.port, out.packet) ?? null } : {};
        const prepared = prepareOutput(out, sharedOutputs.has(out.port));
        send({ type: 'packet', seq, out: prepared.packet, ...verdict }, prepared.transfer);
      },
      error: (err) => {
        currentSeq = undefined;
        send({ type: 'error', seq, error: serializeError(err) });
      },
      complete() {
        currentSeq = undefined;
        send({ type: 'done', seq });
        // An item's processing is synchronous: the reclaim timer cannot fire inside it.
        reclaimBuffersIfGrown();
      },
    });
}

async function dispose(keep: boolean): Promise<void> {
  abort.abort();
  running?.unsubscribe();
  running = undefined;
  try {
    await instance?.dispose();
    instance = undefined;
    wholes.clear();
    if (!keep) await keepSessions(false);
  } finally {
    send({ type: 'disposed' });
  }
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
      runItem(message.seq, message);
      break;
    case 'dispose':
      dispose(message.keep === true).catch((err) => send({ type: 'error', error: serializeError(err) }));
      break;
  }
});
