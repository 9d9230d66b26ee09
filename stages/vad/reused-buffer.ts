/**
 * A Float32Array lent to one user at a time and reused from call to call, grown as asked. The VAD
 * joins ~12 s of signal and builds ~0.9 MB of model input for every 10 s chunk: allocated anew,
 * those buffers (and the collections they bring on) cost as much as a third of the model's time.
 * A borrow while the buffer is out gets an array of its own, so overlapping calls never share one.
 */
export class ReusedFloat32 {
  private buffer = new Float32Array(0);
  private out = false;

  /**
   * `length` samples for `use`, zeroed unless `zeroed` is false (a user that writes every one);
   * the buffer is back once `use` has settled.
   */
  async with<T>(length: number, use: (data: Float32Array) => Promise<T>, zeroed = true): Promise<T> {
    if (this.out) return use(new Float32Array(length));
    if (this.buffer.length < length) this.buffer = new Float32Array(Math.ceil(length * 1.25));
    const data = this.buffer.subarray(0, length);
    if (zeroed) data.fill(0);
    this.out = true;
    try {
      return await use(data);
    } finally {
      this.out = false;
    }
  }
}
