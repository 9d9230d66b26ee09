/**
 * Dynamic batching (Triton's rule): requests queue until `max` are waiting or `delayMs` has passed
 * since the oldest arrived, then run together; one batch runs at a time (a session runs
 * synchronously). Each caller gets its own result back, in its own order.
 */
export interface BatcherOptions<I, O> {
  /** Largest batch, requests. */
  max: number;
  /** Longest wait for a fuller batch after the first request arrives, ms. */
  delayMs: number;
  /** Runs one batch; must return one result per item, in order. */
  run: (items: I[]) => Promise<O[]>;
  /** Called with the size of every batch dispatched (metrics). */
  onBatch?: (size: number) => void;
}

interface Pending<I, O> {
  item: I;
  /** performance.now() when submitted: the batch is due delayMs after its oldest request. */
  arrived: number;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

export class DynamicBatcher<I, O> {
  private readonly queue: Pending<I, O>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private deadlinePassed = false;

  constructor(private readonly options: BatcherOptions<I, O>) {
    if (!(options.max >= 1)) throw new RangeError(`batch max must be ≥ 1, got ${options.max}`);
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject, arrived: performance.now() });
      if (this.queue.length === 1 && !this.running) this.armTimer();
      this.maybeDispatch();
    });
  }

  /** Requests waiting (not yet in a running batch). */
  get waiting(): number {
    return this.queue.length;
  }

  private armTimer(): void {
    clearTimeout(this.timer);
    const left = this.options.delayMs - (performance.now() - (this.queue[0]?.arrived ?? performance.now()));
    this.deadlinePassed = left <= 0;
    if (this.deadlinePassed) return;
    this.timer = setTimeout(() => {
      this.deadlinePassed = true;
      this.maybeDispatch();
    }, left);
  }

  private maybeDispatch(): void {
    if (this.running || this.queue.length === 0) return;
    if (this.queue.length < this.options.max && !this.deadlinePassed) return;
    clearTimeout(this.timer);
    const batch = this.queue.splice(0, this.options.max);
    this.running = true;
    this.options.onBatch?.(batch.length);
    this.options
      .run(batch.map((p) => p.item))
      .then(
        (results) => {
          if (results.length !== batch.length)
            throw new Error(`batch run returned ${results.length} results for ${batch.length} requests`);
          batch.forEach((p, i) => p.resolve(results[i]));
        },
        (err) => batch.forEach((p) => p.reject(err)),
      )
      .catch((err) => batch.forEach((p) => p.reject(err)))
      .finally(() => {
        this.running = false;
        // Requests that arrived during the run have waited at least that long: the oldest may be due.
        if (this.queue.length > 0) this.armTimer();
        this.maybeDispatch();
      });
  }
}
