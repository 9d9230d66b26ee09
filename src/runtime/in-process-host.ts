/**
 * Hosts a transform instance in the main thread: kinds whose work does not block a thread, and
 * every kind in sequential mode.
 */
import { Observable } from 'rxjs';
import { onGpuSpan } from '../inference/gpu/gpu-client.ts';
import { localSegment } from './compute-clock.ts';
import { createInstance, InstanceDriver, type HostEvent, type HostSpec, type TransformHost } from './transform-host.ts';

export async function createInProcessHost(spec: HostSpec): Promise<TransformHost> {
  const abort = new AbortController();
  const driver = new InstanceDriver(spec.outputRoom);
  const instance = await createInstance(spec.def, spec.options, {
    ...spec.context,
    signal: abort.signal,
    log: spec.log,
    progress: spec.progress,
    outputRoom: driver.room,
  });
  let disposed = false;
  return {
    run(ready) {
      return new Observable<HostEvent>((subscriber) => {
        // GPU calls of this stage's models while the item runs (the main thread may host several
        // stages; the stage id tags each call).
        const offGpu = onGpuSpan((span) => {
          if (span.stage === spec.context.id) subscriber.next({ type: 'gpu', span: localSegment(span) });
        });
        // A segment is recorded before the item's completion, so it reaches the runner first.
        const sub = driver
          .run(instance, ready.item, (segment) => subscriber.next({ type: 'compute', segment: localSegment(segment) }))
          .subscribe({
            next: (out) => subscriber.next({ type: 'packet', out }),
            error: (err) => subscriber.error(err),
            complete: () => subscriber.complete(),
          });
        return () => {
          offGpu();
          sub.unsubscribe();
        };
      });
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      abort.abort();
      await instance.dispose();
    },
  };
}
