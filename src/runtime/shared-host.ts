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
 * Items go only to instances that have started. An instance whose item was abandoned mid-way (a
 * cancelled or failed run) is ended and replaced when needed: a worker never runs two items at
 * once. One whose thread died (out of memory, a native crash) is dropped, between items too. An
 * item refused as bad input fails that item only, and the instance serves the next; any other
 * error ends the instance too (its session may be broken, or the stage still busy).
 */
import { Observable, type Subscriber, type Subscription } from 'rxjs';
import { InputError } from '../core/errors.ts';
import type { LogLevel } from '../core/stage.ts';
import type { ReadyItem } from './item-window.ts';
import type { HostEvent, HostSpec, TransformHost } from './transform-host.ts';

interface Pending {
  lease: HostSpec;
  ready: ReadyItem;
  subscriber: Subscriber<HostEvent>;
  running?: Subscription;
}

/** Whether an instance that failed an item with `err` is still fit for the next. */
const fitAfter = (err: unknown) => err instanceof InputError || (err as { code?: string })?.code === 'INPUT_ERROR';

interface Instance {
  host: Promise<TransformHost>;
  /** The host, once started: only then does the instance take items. */
  started?: TransformHost;
  /** The item in hand. */
  current?: Pending;
}

/** What a lease, an item or a start meets once the engine has closed. */
export const closedError = () => new Error('the stage engine is closed');

export class SharedHost {
  private readonly instances: Instance[] = [];
  private readonly waiting: Pending[] = [];
  private readonly leases = new Set<HostSpec>();
  /** The clips each lease's items belonged to: their whole inputs go from the instances at its end. */
  private readonly clipsOf = new Map<HostSpec, Set<string>>();
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
    if (this.closed) throw closedError();
    const abandoned = new Promise<never>((_, reject) => {
      const abandon = () => reject(new Error('start abandoned: the run failed first'));
      if (spec.startAbort?.aborted) abandon();
      spec.startAbort?.addEventListener('abort', abandon, { once: true });
    });
    abandoned.catch(() => undefined);
    // The run that starts the first instance hears its start-up lines live; the others, replayed.
    const startsIt = this.instances.length === 0;
    const first = this.instances[0] ?? this.add(spec);
    await Promise.race([first.host, abandoned]);
    if (this.closed) throw closedError();
    if (!startsIt) for (const { line, level } of this.startLines) spec.log(line, level);
    this.leases.add(spec);
    return {
      run: (ready) => this.run(spec, ready),
      // The run is done with it: its waiting items go; an item of its still in hand (a failed or
      // cancelled run, a hung item) takes its instance with it. Other runs' items are untouched.
      dispose: async () => {
        this.leases.delete(spec);
        const clips = this.clipsOf.get(spec) ?? new Set();
        this.clipsOf.delete(spec);
        for (const instance of this.instances) for (const clip of clips) instance.started?.forget?.(clip);
        for (const pending of this.waiting.filter((p) => p.lease === spec)) this.drop(pending);
        for (const instance of this.instances.filter((i) => i.current?.lease === spec)) this.end(instance);
        this.pump();
      },
    };
  }

  /** Ends every instance (the batch's end); items still waiting or in hand fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.waiting.splice(0)) pending.subscriber.error(closedError());
    const all = this.instances.splice(0);
    const busy = all.filter((i) => i.current);
    for (const instance of busy) {
      const pending = instance.current!;
      instance.current = undefined;
      pending.running?.unsubscribe();
      pending.subscriber.error(closedError());
    }
    await Promise.all(all.map((i) => i.host.then((host) => host.dispose(busy.includes(i))).catch(() => undefined)));
  }

  /** Starts one more instance for `spec`'s run. */
  private add(spec: HostSpec): Instance {
    const first = this.instances.length === 0;
    if (first) this.startLines = [];
    // Who hears what the instance says outside an item: the run that asked for it while it starts
    // (then dropped, so that the instance does not keep that run reachable), later any lessee.
    let asker: HostSpec | undefined = spec;
    const instance: Instance = { host: Promise.resolve(undefined as never) };
    const owner = () => instance.current?.lease ?? asker ?? this.leases.values().next().value;
    instance.host = this.closed
      ? Promise.reject(closedError())
      : this.start({
          def: spec.def,
          options: spec.options,
          context: spec.context,
          log: (line, level) => {
            if (!instance.started && first) this.startLines.push({ line, level });
            // An instance added later says what the first said; its asker heard that at its lease.
            else if (!instance.started && this.startLines.some((l) => l.line === line)) return;
            owner()?.log(line, level);
          },
          progress: (done, total, of) => owner()?.progress?.(done, total, of),
          outputRoom: () => owner()?.outputRoom() ?? Promise.resolve(),
          shared: (packet) => owner()?.shared(packet) ?? false,
        });
    this.instances.push(instance);
    instance.host.then(
      (host) => {
        asker = undefined;
        instance.started = host;
        this.pump();
      },
      (err: unknown) => {
        asker = undefined;
        this.forget(instance);
        // With no other instance to serve them, the items waiting fail with the start's error
        // (the next lease tries again).
        if (this.instances.length === 0) for (const pending of this.waiting.splice(0)) pending.subscriber.error(err);
      },
    );
    return instance;
  }

  private run(lease: HostSpec, ready: ReadyItem): Observable<HostEvent> {
    return new Observable<HostEvent>((subscriber) => {
      if (this.closed) return subscriber.error(closedError());
      const clips = this.clipsOf.get(lease) ?? new Set<string>();
      clips.add(ready.item.chunk.clipId);
      this.clipsOf.set(lease, clips);
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
    for (const instance of this.instances.filter((i) => i.started?.gone && !i.current)) this.end(instance);
    if (this.waiting.length === 0) return;
    const free = this.instances.filter((i) => i.started && !i.current);
    // An instance still starting will take the first item waiting.
    const starting = this.instances.filter((i) => !i.started).length;
    const cap = Math.min(this.maxInstances, Math.max(1, this.leases.size));
    if (free.length === 0 && this.instances.length < cap && this.waiting.length - starting >= this.instances.length)
      this.add(this.waiting[starting].lease);
    for (const instance of free) {
      // (A subscriber called back during a dispatch may have taken or ended it.)
      if (instance.current || !this.instances.includes(instance)) continue;
      const pending = this.waiting.shift();
      if (!pending) return;
      this.dispatch(instance, pending);
    }
  }

  private dispatch(instance: Instance, pending: Pending): void {
    const host = instance.started!;
    instance.current = pending;
    const settle = (fit: boolean) => {
      if (instance.current !== pending) return false;
      instance.current = undefined;
      if (host.gone || !fit) this.end(instance);
      queueMicrotask(() => this.pump());
      return true;
    };
    pending.running = host.run(pending.ready).subscribe({
      next: (event) => pending.subscriber.next(event),
      error: (err: unknown) => {
        if (settle(fitAfter(err))) pending.subscriber.error(err);
      },
      complete: () => {
        if (settle(true)) pending.subscriber.complete();
      },
    });
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
