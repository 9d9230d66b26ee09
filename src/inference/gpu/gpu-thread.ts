/**
 * The main thread's handle on the GPU thread (gpu-thread-main.ts): started on the first request
 * for a GPU session, one per process, kept for the process's life (sessions are shared across
 * runs, clips and jobs), and never keeping the process alive by itself. Each thread that uses a
 * GPU session gets its own port to it.
 */
import { MessageChannel, SHARE_ENV, Worker, type MessagePort } from 'node:worker_threads';
import { creationLockBuffer } from '../creation-lock.ts';
import type { GpuThreadData } from './protocol.ts';

/** The thread entry that loads compiled JavaScript or the sources (shared with stage workers). */
const ENTRY = new URL('../../runtime/stage-worker.js', import.meta.url);

let thread: Worker | undefined;

function start(): Worker {
  const data: GpuThreadData = { main: '../inference/gpu/gpu-thread-main', creationLock: creationLockBuffer() };
  // SHARE_ENV: Vulkan reads VK_DRIVER_FILES (and REEL_GPU_STAND_IN is read there) from the environment.
  const worker = new Worker(ENTRY, { env: SHARE_ENV, workerData: data });
  worker.unref();
  // Its callers learn of its end through their ports ("the GPU thread ended").
  worker.on('error', () => undefined);
  worker.once('exit', () => {
    if (thread === worker) thread = undefined;
  });
  return worker;
}

/** A new port to the GPU thread (starting it if needed), for one thread's calls. */
export function connectGpuThread(): MessagePort {
  thread ??= start();
  const { port1, port2 } = new MessageChannel();
  thread.postMessage({ type: 'connect', port: port2 }, [port2]);
  return port1;
}

/**
 * Starts the GPU thread now and has it open its GPU device (a run that will want it calls this
 * while its stage workers start, so the device is not opened on the first stage's session).
 */
export function prestartGpuThread(): void {
  thread ??= start();
  thread.postMessage({ type: 'warm' });
}

/** Whether the GPU thread has been started in this process. */
export function gpuThreadStarted(): boolean {
  return thread !== undefined;
}

/** Ends the GPU thread (its sessions with it); a later request starts a new one. */
export async function stopGpuThread(): Promise<void> {
  const worker = thread;
  thread = undefined;
  await worker?.terminate();
}
