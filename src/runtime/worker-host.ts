/**
 * Hosts a stage instance in its own worker thread. onnxruntime-node's `session.run()` blocks the
 * thread that calls it, so an inference stage in the main thread would stall every other stage;
 * in a worker, stage i runs chunk k+1 while stage i+1 runs chunk k.
 */
import { SHARE_ENV, Worker } from 'node:worker_threads';
import { creationLockBuffer, releaseCreationLockOf } from '../inference/creation-lock.ts';
import { prepareTransfer } from './transfer.ts';
import type { HostEvents, HostSpec, StageHost } from './stage-host.ts';
import { deserializeError, type FromWorker, type ToWorker } from './worker-protocol.ts';

const WORKER_ENTRY = new URL('./stage-worker.js', import.meta.url);
/** How long a worker gets to dispose its instance before it is terminated. */
const DISPOSE_GRACE_MS = 1000;
/**
 * A worker's young generation, MB. V8 grows it from 1 to 16 MB per semi-space as a thread allocates;
 * a stage worker's short-lived objects are small (chunk data lives in ArrayBuffers outside the
 * heap), so the growth only adds ~16–30 MB per worker to peak RSS, reached a few seconds into a
 * run: a long clip then peaks above a short one that ended sooner.
 */
const WORKER_YOUNG_GENERATION_MB = 6;

const liveWorkers = new Set<Worker>();

/** Stage workers currently alive in this process (tests check that none leak). */
export function liveStageWorkers(): number {
  return liveWorkers.size;
}

export function createWorkerHost(spec: HostSpec, events: HostEvents): Promise<StageHost> {
  // SHARE_ENV: TensorRT settings travel in ORT_TENSORRT_* variables that native code reads with
  // getenv; a worker's private copy of process.env would never reach it. The creation lock keeps
  // two workers from creating sessions (under different variables) at the same time.
  const worker = new Worker(WORKER_ENTRY, { stdout: false, stderr: false, env: SHARE_ENV, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB }, workerData: { creationLock: creationLockBuffer() } });
  liveWorkers.add(worker);
  const workerThreadId = worker.threadId;
  const exited = new Promise<number>((resolve) =>
    worker.once('exit', (code) => {
      liveWorkers.delete(worker);
      releaseCreationLockOf(workerThreadId);
      resolve(code);
    }),
  );
  const pending: number[] = [];
  let files: readonly string[] = [];
  let state: 'starting' | 'running' | 'disposing' | 'gone' = 'starting';
  let onDisposed: (() => void) | undefined;

  const post = (message: ToWorker, transfer: ArrayBuffer[] = []) => {
    if (state !== 'gone') worker.postMessage(message, transfer);
  };

  return new Promise<StageHost>((resolveReady, rejectReady) => {
    const failStart = (err: Error) => {
      state = 'gone';
      // Settle only once the thread is gone, so that a failed start leaves nothing behind.
      void worker.terminate().then(() => exited).then(() => rejectReady(err));
    };
    const fail = (err: Error) => {
      if (state === 'starting') return failStart(err);
      if (state !== 'running') return;
      events.error(err, pending[0]);
    };

    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          state = 'running';
          resolveReady(host);
          break;
        case 'packet':
          events.packet(message.seq, message.out);
          break;
        case 'done':
          // An item already dropped (the host completed) must not take a newer one with it.
          if (pending.includes(message.seq)) pending.splice(pending.indexOf(message.seq), 1);
          events.done(message.seq);
          break;
        case 'complete':
          files = message.files;
          pending.length = 0;
          events.complete();
          break;
        case 'error':
          fail(deserializeError(message.error));
          break;
        case 'log':
          spec.log(message.line);
          break;
        case 'await-room': {
          const id = message.id;
          void (spec.outputRoom?.() ?? Promise.resolve()).then(() => post({ type: 'room', id }));
          break;
        }
        case 'disposed':
          onDisposed?.();
          break;
      }
    });
    worker.on('error', (err) => fail(err));
    void exited.then((code) => {
      const wasRunning = state === 'running' || state === 'starting';
      if (wasRunning) fail(new Error(`its worker exited unexpectedly (code ${code})`));
      state = 'gone';
    });

    const host: StageHost = {
      get inflight() {
        return pending.length;
      },
      submit(item) {
        pending.push(item.seq);
        const prepared = prepareTransfer(item.packets, spec.shared);
        post({ type: 'item', seq: item.seq, packets: prepared.packets }, prepared.transfer);
      },
      end: () => post({ type: 'end' }),
      files: () => files,
      // Worker stages write no outputs of their own (sinks run in the main thread).
      commit: async () => {},
      async dispose(hung = false) {
        if (state === 'gone' || state === 'disposing') return void (await exited);
        if (hung) {
          state = 'gone';
          await worker.terminate();
          return void (await exited);
        }
        state = 'disposing';
        const disposed = new Promise<void>((resolve) => (onDisposed = resolve));
        worker.postMessage({ type: 'dispose' } satisfies ToWorker);
        // A stage stuck in a synchronous loop (or a hung session) never answers: terminate it.
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, DISPOSE_GRACE_MS)));
        await Promise.race([disposed, grace, exited]);
        clearTimeout(timer);
        state = 'gone';
        await worker.terminate();
        await exited;
      },
    };

    post({
      type: 'init',
      kind: spec.def.kind,
      module: spec.def.module,
      options: spec.options,
      context: spec.context,
      outputPorts: spec.outputPorts,
    });
  });
}
