/**
 * A sliding stretch of a unit-major signal (`stride` elements per unit): blocks are appended at the
 * end, consumed units dropped from the front. Storage is one Float32Array reused in place, so a
 * 1-hour stream costs one chunk window of memory, not one allocation per block.
 */
export class UnitBuffer {
  private store: Float32Array;
  /** Element offsets of the held stretch inside `store`. */
  private head = 0;
  private tail = 0;
  /** Clip index of the first held unit. */
  private first = 0;

  constructor(
    readonly stride: number,
    initialUnits = 4096,
  ) {
    this.store = new Float32Array(Math.max(1, initialUnits) * stride);
  }

  /** Clip index of the first held unit. */
  get startUnit(): number {
    return this.first;
  }

  /** Clip index one past the last held unit (= units received so far). */
  get endUnit(): number {
    return this.first + (this.tail - this.head) / this.stride;
  }

  get heldUnits(): number {
    return (this.tail - this.head) / this.stride;
  }

  append(block: Float32Array): void {
    if (this.tail + block.length > this.store.length) {
      const held = this.tail - this.head;
      if (held + block.length <= this.store.length / 2) {
        this.store.copyWithin(0, this.head, this.tail);
      } else {
        const grown = new Float32Array(Math.max(this.store.length * 2, held + block.length));
        grown.set(this.store.subarray(this.head, this.tail));
        this.store = grown;
      }
      this.head = 0;
      this.tail = held;
    }
    this.store.set(block, this.tail);
    this.tail += block.length;
  }

  /** Forget every unit before clip index `unit` (no-op for units already dropped). */
  dropBefore(unit: number): void {
    const n = Math.min(Math.max(0, unit - this.first), this.heldUnits);
    this.head += n * this.stride;
    this.first += n;
  }

  /** A view (no copy) of the whole held stretch, for read-only scans. */
  view(): Float32Array {
    return this.store.subarray(this.head, this.tail);
  }

  /** A copy of units [from, to) written into `out` at element `at`; the range must be held. */
  copyInto(out: Float32Array, at: number, from: number, to: number): void {
    if (from < this.first || to > this.endUnit) {
      // Dropped units may still sit in `store`; reading them would hide a release bug.
      throw new RangeError(`units [${from}, ${to}) requested, but only [${this.first}, ${this.endUnit}) are held`);
    }
    const a = this.head + (from - this.first) * this.stride;
    out.set(this.store.subarray(a, a + (to - from) * this.stride), at);
  }
}
