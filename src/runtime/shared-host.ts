/**
 * Stateless stage instances shared by several runs at once: a batch's samples in flight lease
 * them instead of each starting their own worker, session and memory. Items are served first come
 * first served, whichever run sent them, each on a free instance; what an instance says (its log
 * lines, its progress, its wait for downstream room, whether a packet is shared) goes to the run
 * whose item it has in hand. Only kinds without state across items may be shared: their output
 * depends on the item alone, so it is the same whichever runs' items came before.
 *
 * It starts with one instance and adds one whenever, all of them busy, at least as many items wait
 * as there are instances, up to `maxInstances` and never past the runs leasing it: a light stage
 * keeps one instance for every sample in flight, the slowest gets about one for every two.
 *
 * An instance that failed an item, or whose item was abandoned mid-way (a cancelled or failed
 * run), is ended and replaced when needed: a worker never runs two items at once.
 */
import { Observable, type Subscriber, type Subscription } from 'rxjs';
import type { LogLevel } from '../core/stage.ts';
import type { ReadyItem } from './item-window.ts';
import type { HostEvent, HostSpec, TransformHost } from './transform-host.ts';

interface Pending {
  lease: HostSpec;
  ready: ReadyItem;
  subscriber: Subscriber<HostEvent>;
  running?: Subscription;
}

interface Instance {
  host: Promise<TransformHost>;
  /** The item in hand. */
  current?: Pending;
  /** The run that started it (it hears the start-up lines live). */
  starter: HostSpec;
  starting: boolean;
}

export class SharedHost {
  private readonly instances: Instance[] = [];
  private readonly waiting: Pending[] = [];
  private readonly leases = new Set<HostSpec>();
  /** What the first instance said while it started (its provider, its model): each lessee hears it. */
  private startLines: { line: string; level?: LogLevel }[] = [];
  private closed = false;

  /**
   * @param start Starts an instance on `spec`, whose callbacks reach the run of the item in hand.
   * @param maxInstances Instances at most. @defaultValue 1
   */
  constructor(
    private readonly start: (spec: HostSpec) => Promise<TransformHost>,
    private readonly maxInstances = 1,
  ) {}

  /** A host for one run: its items queue for the shared instances. Resolves once one is up. */
  async lease(spec: HostSpec): Promise<TransformHost> {
    const abandoned = new Promise<never>((_, reject) => {
      const abandon = () => reject(new Error('start abandoned: the run failed first'));
      if (spec.startAbort?.aborted) abandon();
      spec.startAbort?.addEventListener('abort', abandon, { once: true });
    });
    abandoned.catch(() => undefined);
    const first = this.instances[0] ?? this.add(spec);
    await Promise.race([first.host, abandoned]);
    if (first.starter !== spec) for (const { line, level } of this.startLines) spec.log(line, level);
    this.leases.add(spec);
    return {
      run: (ready) => this.run(spec, ready),
      // The run is done with it: its waiting items go; an item of its still in hand (a failed or
      // cancelled run, a hung item) takes its instance with it. Other runs' items are untouched.
      dispose: async () => {
        this.leases.delete(spec);
        for (const pending of this.waiting.filter((p) => p.lease === spec)) this.drop(pending);
        for (const instance of this.instances.filter((i) => i.current?.lease === spec)) this.end(instance);
      },
    };
  }

  /** Ends every instance (the batch's end). */
  async close(): Promise<void> {
    this.closed = true;
    const all = this.instances.splice(0);
    await Promise.all(all.map((i) => i.host.then((host) => host.dispose()).catch(() => undefined)));
  }

  /** Starts one more instance for `spec`'s run. */
  private add(spec: HostSpec): Instance {
    const first = this.instances.length === 0;
    if (first) this.startLines = [];
    let instance: Instance | undefined;
    const owner = () => instance?.current?.lease ?? spec;
    const host = this.closed
      ? Promise.reject(new Error('the stage engine is closed'))
      : this.start({
          def: spec.def,
          options: spec.options,
          context: spec.context,
          log: (line, level) => {
            if (first && instance?.starting) this.startLines.push({ line, level });
            owner().log(line, level);
          },
          progress: (done, total, of) => owner().progress?.(done, total, of),
          outputRoom: () => owner().outputRoom(),
          shared: (packet) => owner().shared(packet),
        });
    const added: Instance = { host, starter: spec, starting: true };
    instance = added;
    this.instances.push(added);
    host.then(
      () => {
        added.starting = false;
      },
      () => this.forget(added), // a start that failed: the next lease or item tries again
    );
    return added;
  }

  private run(lease: HostSpec, ready: ReadyItem): Observable<HostEvent> {
    return new Observable<HostEvent>((subscriber) => {
      const pending: Pending = { lease, ready, subscriber };
      this.waiting.push(pending);
      this.pump();
      return () => {
        const instance = this.instances.find((i) => i.current === pending);
        if (instance) {
          // Abandoned mid-item: the worker may still be computing it, so it cannot take another.
          pending.running?.unsubscribe();
          this.end(instance);
          this.pump();
        } else this.drop(pending);
      };
    });
  }

  private drop(pending: Pending): void {
    const at = this.waiting.indexOf(pending);
    if (at >= 0) this.waiting.splice(at, 1);
  }

  /** Hands waiting items to free instances, adding one while the queue outgrows them. */
  private pump(): void {
    if (this.closed) return;
    const free = this.instances.filter((i) => !i.current);
    const cap = Math.min(this.maxInstances, Math.max(1, this.leases.size));
    if (free.length === 0 && this.instances.length < cap && this.waiting.length >= this.instances.length)
      free.push(this.add(this.waiting[0].lease));
    for (const instance of free) {
      const pending = this.waiting.shift();
      if (!pending) return;
      this.dispatch(instance, pending);
    }
  }

  private dispatch(instance: Instance, pending: Pending): void {
    instance.current = pending;
    const settle = () => {
      if (instance.current !== pending) return false;
      instance.current = undefined;
      queueMicrotask(() => this.pump());
      return true;
    };
    instance.host.then(
      (host) => {
        if (instance.current !== pending) return;
        pending.running = host.run(pending.ready).subscribe({
          next: (event) => pending.subscriber.next(event),
          error: (err: unknown) => {
            // Whatever failed, the next items get a fresh instance.
            const ours = settle();
            this.end(instance);
            if (ours) pending.subscriber.error(err);
          },
          complete: () => {
            if (settle()) pending.subscriber.complete();
          },
        });
      },
      (err: unknown) => {
        if (settle()) pending.subscriber.error(err);
      },
    );
  }

  /** Ends an instance now (not asked to clean up: it may be mid-item). */
  private end(instance: Instance): void {
    this.forget(instance);
    instance.current = undefined;
    void instance.host.then((host) => host.dispose(true)).catch(() => undefined);
  }

  private forget(instance: Instance): void {
    const at = this.instances.indexOf(instance);
    if (at >= 0) this.instances.splice(at, 1);
  }
}
