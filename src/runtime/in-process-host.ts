/**
 * Hosts a stage instance in the main thread. Right for I/O-bound stages (ffmpeg sources and
 * sinks, whose work happens in child processes) and for sequential mode.
 */
import type { StageInstance } from '../core/stage.ts';
import { OperatorDriver } from './operator-driver.ts';
import type { HostEvents, HostSpec, SourceHost, StageHost } from './stage-host.ts';

async function createInstance(spec: HostSpec, signal: AbortSignal): Promise<StageInstance> {
  if (!spec.def.create) {
    throw new Error(`stage kind "${spec.def.kind}" is declared but not implemented yet`);
  }
  return spec.def.create(spec.options as never, { ...spec.context, signal, log: spec.log, outputRoom: spec.outputRoom });
}

export async function createInProcessHost(spec: HostSpec, events: HostEvents): Promise<StageHost> {
  const abort = new AbortController();
  const instance = await createInstance(spec, abort.signal);
  const driver = new OperatorDriver(instance, spec.outputPorts, events);
  let disposed = false;
  return {
    get inflight() {
      return driver.inflight;
    },
    submit: (item) => driver.submit(item),
    end: () => driver.end(),
    files: () => instance.files?.() ?? [],
    commit: async () => instance.commit?.(),
    async dispose() {
      if (disposed) return;
      disposed = true;
      abort.abort();
      driver.stop();
      await instance.dispose();
    },
  };
}

export async function createSourceHost(spec: HostSpec): Promise<SourceHost> {
  const abort = new AbortController();
  const instance = await createInstance(spec, abort.signal);
  if (!instance.packets) {
    throw new Error(`source kind "${spec.def.kind}" gives no \`packets\` to pull from`);
  }
  const iterator = instance.packets[Symbol.asyncIterator]();
  let disposed = false;
  return {
    async pull() {
      const next = await iterator.next();
      return next.done ? undefined : next.value;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      abort.abort();
      // return() lets a generator run its finally blocks (kill its ffmpeg child) — but a
      // generator parked in an await would make it wait, so it is not awaited past dispose().
      void Promise.resolve(iterator.return?.()).catch(() => undefined);
      await instance.dispose();
    },
  };
}
