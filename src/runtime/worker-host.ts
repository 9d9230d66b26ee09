/**
 * Hosts a transform instance on its own worker thread. onnxruntime-node's `session.run()` blocks
 * the thread that calls it, so an inference stage in the main thread would stall every other
 * stage; on a worker, stage i runs chunk k+1 while stage i+1 runs chunk k.
 */
import { SHARE_ENV, Worker } from 'node:worker_threads';
import { Observable, type Subscriber } from 'rxjs';
import { creationLockBuffer, releaseCreationLockOf } from '../inference/creation-lock.ts';
import { localSegment } from './compute-clock.ts';
import { noteSharedBytes } from './buffer-reclaim.ts';
import { noteFiniteVerdict } from './runner.ts';
import { prepareItem, sharedBytesOf } from './transfer.ts';
import type { HostEvent, HostSpec, TransformHost } from './transform-host.ts';
import type { ItemData } from '../core/item.ts';
import type { Packet } from '../core/types.ts';
import type { ReadyItem } from './item-window.ts';
import { deserializeError, type FromWorker, type ToWorker, type WholeRefs } from './worker-protocol.ts';

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
/**
 * Clips whose whole inputs a worker keeps at once. A clip's wholes go at its last item, or when
 * its run is over (SharedHost calls forget); this is a backstop above a batch's samples in flight.
 */
const WHOLE_CLIPS_KEPT = 16;

const liveWorkers = new Set<Worker>();

/** Stage workers currently alive in this process (tests check that none leak). */
export function liveStageWorkers(): number {
  return liveWorkers.size;
}

/** A stage worker thread, started before it is given a stage (see createWorkerHost). */
export interface StageWorker {
  worker: Worker;
  /** Resolves with the exit code once the thread is gone. */
  exited: Promise<number>;
  /** The exit code, once the thread is gone (read where a promise reaction would outlive its host). */
  readonly exitCode?: number;
}

/**
 * Starts a stage worker thread with no stage yet: it loads the runtime, ONNX Runtime and the kind
 * modules in `preload` at once, so that a replica started from it later only creates its session.
 */
export function spawnStageWorker(preload: readonly string[] = []): StageWorker {
  // SHARE_ENV: TensorRT settings travel in ORT_TENSORRT_* variables that native code reads with
  // getenv; a worker's private copy of process.env would never reach it. The creation lock keeps
  // two workers from creating sessions (under different variables) at the same time.
  const worker = new Worker(WORKER_ENTRY, {
    stdout: false,
    stderr: false,
    env: SHARE_ENV,
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    workerData: { creationLock: creationLockBuffer(), preload: ['onnxruntime-node', ...preload] },
  });
  liveWorkers.add(worker);
  // A spare that fails before it is given a stage is found out by the host it would have become
  // (through `exited`); until then its error must not go unhandled.
  worker.on('error', () => undefined);
  const workerThreadId = worker.threadId;
  let exitCode: number | undefined;
  const exited = new Promise<number>((resolve) =>
    worker.once('exit', (code) => {
      exitCode = code;
      liveWorkers.delete(worker);
      releaseCreationLockOf(workerThreadId);
      resolve(code);
    }),
  );
  return {
    worker,
    exited,
    get exitCode() {
      return exitCode;
    },
  };
}

/** Ends a stage worker thread; resolves once it is gone. */
export async function endStageWorker({ worker, exited }: StageWorker): Promise<void> {
  await worker.terminate();
  await exited;
}

/**
 * Hosts a transform instance on `started` (a spare worker, or one kept warm), or on a worker
 * started now. With `recycle`, a clean dispose hands the thread back (its sessions still open)
 * instead of ending it; a worker that was mid-item, hung or failing is ended as always.
 */
export function createWorkerHost(
  spec: HostSpec,
  started?: StageWorker,
  recycle?: (worker: StageWorker) => void,
): Promise<TransformHost> {
  if (!spec.def.module && !spec.def.createIn)
    throw new Error(`stage kind "${spec.def.kind}" has no module URL to load in a worker`);
  const stageWorker = started ?? spawnStageWorker();
  const { worker, exited } = stageWorker;
  let state: 'starting' | 'running' | 'disposing' | 'gone' = 'starting';
  let onDisposed: (() => void) | undefined;
  let nextSeq = 0;
  /**
   * Whole packets this worker holds, by clip (the latest used last), each by the id the worker
   * knows it by. Several clips: a shared instance (SharedHost) takes items of a batch's samples
   * in flight in turns, and sending their wholes again at each turn would cost a copy each.
   */
  const sentWholes = new Map<string, Map<Packet, number>>();
  let nextWholeId = 0;
  /** Ids of forgotten clips' wholes, released with the next item. */
  const forgotten: number[] = [];
  /** The item in progress (one at a time). */
  let current: { seq: number; subscriber: Subscriber<HostEvent> } | undefined;

  /** The item with only the whole packets the worker lacks, and the ids of all of them. */
  const wholeRefs = (ready: ReadyItem): { item: ItemData; wholes: WholeRefs } => {
    const reset = nextWholeId === 0;
    const clip = ready.item.chunk.clipId;
    const release = forgotten.splice(0);
    const sent = sentWholes.get(clip) ?? new Map<Packet, number>();
    if (sent.size > 0 || Object.keys(ready.item.whole).length > 0) {
      sentWholes.delete(clip); // kept again as the latest used
      sentWholes.set(clip, sent);
    }
    for (const [old, held] of sentWholes) {
      if (sentWholes.size <= WHOLE_CLIPS_KEPT) break;
      sentWholes.delete(old);
      release.push(...held.values());
    }
    const ids: Record<string, number> = {};
    const fresh: Record<string, Packet> = {};
    for (const [port, packet] of Object.entries(ready.item.whole)) {
      let id = sent.get(packet);
      if (id === undefined) {
        id = nextWholeId++;
        sent.set(packet, id);
        fresh[port] = packet;
      }
      ids[port] = id;
      if (ready.lastUse.has(packet)) {
        sent.delete(packet);
        release.push(id);
      }
    }
    if (sent.size === 0) sentWholes.delete(clip);
    return { item: { ...ready.item, whole: fresh }, wholes: { ids, reset, release } };
  };

  const post = (message: ToWorker, transfer: ArrayBuffer[] = []) => {
    if (state !== 'gone') worker.postMessage(message, transfer);
  };

  return new Promise<TransformHost>((resolveReady, rejectReady) => {
    const failStart = (err: Error) => {
      state = 'gone';
      // Settle only once the thread is gone, so that a failed start leaves nothing behind.
      void worker
        .terminate()
        .then(() => exited)
        .then(() => rejectReady(err));
    };
    /** `fatal`: the thread itself failed (it ends); else the stage failed the item in hand. */
    const fail = (err: Error, fatal: boolean) => {
      if (state === 'starting') return failStart(err);
      if (state !== 'running') return;
      if (fatal) state = 'gone';
      const item = current;
      current = undefined;
      if (item) item.subscriber.error(err);
      else spec.log(`worker error outside an item: ${err.message}`, 'warning');
    };
    const forCurrent = (seq: number, action: (s: Subscriber<HostEvent>) => void) => {
      if (current?.seq === seq) action(current.subscriber);
    };

    const onMessage = (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          state = 'running';
          spec.startAbort?.removeEventListener('abort', abandon);
          resolveReady(host);
          break;
        case 'packet':
          // Shared-memory payloads do not count as this thread's buffers, nor do they prompt a
          // collection: counted for reclaiming (a chunk passed straight through twice, harmlessly).
          noteSharedBytes(sharedBytesOf(message.out.packet));
          if (message.finite !== undefined) noteFiniteVerdict(message.out.packet, message.finite);
          forCurrent(message.seq, (s) => s.next({ type: 'packet', out: message.out }));
          break;
        case 'segment':
          forCurrent(message.seq, (s) => s.next({ type: 'compute', segment: localSegment(message.segment) }));
          break;
        case 'done':
          forCurrent(message.seq, (s) => {
            current = undefined;
            s.complete();
          });
          break;
        case 'error':
          fail(deserializeError(message.error), false);
          break;
        case 'log':
          spec.log(message.line, message.level);
          break;
        case 'progress':
          spec.progress?.(message.done, message.total, message.of);
          break;
        case 'await-room': {
          const id = message.id;
          void spec.outputRoom().then(() => post({ type: 'room', id }));
          break;
        }
        case 'disposed':
          onDisposed?.();
          break;
        case 'gpu-port':
          void import('../inference/gpu/gpu-thread.ts').then(({ connectGpuThread }) => {
            const gpuPort = connectGpuThread();
            if (state === 'gone') return gpuPort.close();
            worker.postMessage({ type: 'gpu-port', port: gpuPort } satisfies ToWorker, [gpuPort]);
          });
          break;
        case 'gpu':
          forCurrent(message.seq, (s) => s.next({ type: 'gpu', span: localSegment(message.span) }));
          break;
      }
    };
    // An uncaught error ends the thread: the host can take no more items.
    const onError = (err: Error) => fail(err, true);
    worker.on('message', onMessage);
    worker.on('error', onError);
    const abandon = () => state === 'starting' && failStart(new Error('start abandoned: the run failed first'));
    if (spec.startAbort?.aborted) abandon();
    spec.startAbort?.addEventListener('abort', abandon, { once: true });
    // An 'exit' listener, not a reaction on `exited`: a worker kept warm by a batch's engine lives
    // for the whole batch, and a reaction per host would keep every earlier clip's host (and the
    // packets it saw) reachable until then. The listener goes with the host when the thread is recycled.
    const onExit = (code: number) => {
      fail(new Error(`its worker exited unexpectedly (code ${code})`), true);
      state = 'gone';
    };
    if (stageWorker.exitCode !== undefined) onExit(stageWorker.exitCode);
    else worker.once('exit', onExit);

    const host: TransformHost = {
      get gone() {
        return state === 'gone' || state === 'disposing';
      },
      forget(clip) {
        forgotten.push(...(sentWholes.get(clip)?.values() ?? []));
        sentWholes.delete(clip);
      },
      run(ready) {
        return new Observable<HostEvent>((subscriber) => {
          // Posted to a thread that is gone, the item would never be answered.
          if (state !== 'running') return subscriber.error(new Error(`its worker is ${state}: it takes no more items`));
          const seq = nextSeq++;
          current = { seq, subscriber };
          const { item, wholes } = wholeRefs(ready);
          const prepared = prepareItem(item, (p) => ready.lastUse.has(p) && !spec.shared(p));
          post({ type: 'item', seq, item: prepared.item, wholes }, prepared.transfer);
          return () => {
            if (current?.seq === seq) current = undefined;
          };
        });
      },
      async dispose(hung = false) {
        if (state === 'gone' || state === 'disposing') return void (await exited);
        if (hung) {
          state = 'gone';
          await worker.terminate();
          return void (await exited);
        }
        // Only an idle, healthy instance leaves a thread fit for the next clip.
        const keep = recycle !== undefined && state === 'running' && current === undefined;
        state = 'disposing';
        let answered = false;
        const disposed = new Promise<void>((resolve) => (onDisposed = resolve)).then(() => (answered = true));
        worker.postMessage({ type: 'dispose', keep } satisfies ToWorker);
        // A stage stuck in a synchronous loop (or a hung session) never answers: terminate it.
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, DISPOSE_GRACE_MS)));
        await Promise.race([disposed, grace, exited]);
        clearTimeout(timer);
        state = 'gone';
        if (keep && answered) {
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
          return recycle(stageWorker);
        }
        await worker.terminate();
        await exited;
      },
    };

    post({
      type: 'init',
      kind: spec.def.kind,
      module: spec.def.module,
      createIn: spec.def.createIn,
      sharedOutputs: spec.sharedOutputs,
      options: spec.options,
      context: spec.context,
      pooled: recycle !== undefined,
    });
  });
}
