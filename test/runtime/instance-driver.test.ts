/**
 * InstanceDriver times what an instance computes on an item: from the start of `process` to its
 * completion, less the time it is parked in `outputRoom` (a generator waiting for room between
 * two chunks). Each stretch of work is one segment; waiting never shows as compute.
 */
import { defer, lastValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ItemData } from '../../src/core/item.ts';
import { paced } from '../../src/core/paced.ts';
import type { PortPacket, TransformInstance } from '../../src/core/stage.ts';
import type { ComputeSegment } from '../../src/runtime/compute-clock.ts';
import { InstanceDriver } from '../../src/runtime/transform-host.ts';

const spin = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function packet(index: number): PortPacket {
  const chunk = { clipId: 'c', index, start: index, end: index + 1, last: false };
  return { port: 'out', packet: { kind: 'text', chunk, text: String(index) } };
}

const item: ItemData = { chunk: packet(0).packet.chunk, ports: {}, before: [], after: [], whole: {} };

async function drive(instance: TransformInstance) {
  const driver = new InstanceDriver(async () => {});
  const segments: ComputeSegment[] = [];
  const out = await lastValueFrom(driver.run(instance, item, (s) => segments.push(s)).pipe(toArray()));
  return { out, segments };
}

describe('InstanceDriver', () => {
  it('times a one-shot item as one segment of its compute', async () => {
    const { out, segments } = await drive({
      process: () =>
        defer(() => {
          spin(20);
          return of(packet(0));
        }),
      dispose: async () => {},
    });
    expect(out).toHaveLength(1);
    expect(segments).toHaveLength(1);
    expect(segments[0].end - segments[0].start).toBeGreaterThanOrEqual(19);
  });

  it('leaves the waits for room downstream out of a generating item’s segments', async () => {
    let parkedDuringWait = false;
    let driverRef: InstanceDriver | undefined;
    const outputRoom = async () => {
      await sleep(40);
      parkedDuringWait = driverRef?.parked ?? false;
    };
    const driver = new InstanceDriver(outputRoom);
    driverRef = driver;
    const instance: TransformInstance = {
      process: () =>
        paced(async function* () {
          for (let k = 0; k < 3; k++) {
            spin(10);
            yield packet(k);
          }
        }, driver.room),
      dispose: async () => {},
    };
    const segments: ComputeSegment[] = [];
    const started = performance.timeOrigin + performance.now();
    const out = await lastValueFrom(driver.run(instance, item, (s) => segments.push(s)).pipe(toArray()));
    const wall = performance.timeOrigin + performance.now() - started;
    expect(out.map((o) => o.packet.chunk.index)).toEqual([0, 1, 2]);
    expect(parkedDuringWait).toBe(true);
    expect(driver.parked).toBe(false);
    // Two waits for room (before chunks 1 and 2) split the work into three segments …
    expect(segments).toHaveLength(3);
    for (let i = 1; i < segments.length; i++)
      expect(segments[i].start - segments[i - 1].end).toBeGreaterThanOrEqual(35);
    // … labelled by the chunk each emitted, and summing to the compute, not the wall time.
    expect(segments.map((s) => s.emitted)).toEqual([0, 1, 2]);
    const compute = segments.reduce((sum, s) => sum + s.end - s.start, 0);
    expect(compute).toBeGreaterThanOrEqual(29);
    expect(compute).toBeLessThan(wall - 70);
  });
});
