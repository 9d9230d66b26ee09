/**
 * SharedHost's scheduling, on hand-made hosts (the real worker hosts are in stage-engine.test.ts):
 * what fails an item and what ends an instance, instances still starting, start-up lines, close.
 */
import { lastValueFrom, Observable, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { DEFAULT_NODE_SETTINGS } from '../../src/core/settings.ts';
import type { LogLevel } from '../../src/core/stage.ts';
import type { ReadyItem } from '../../src/runtime/item-window.ts';
import { SharedHost } from '../../src/runtime/shared-host.ts';
import type { HostEvent, HostSpec, TransformHost } from '../../src/runtime/transform-host.ts';
import { spinStage } from '../fixtures/stages/spin-stage.ts';

/**
 * An item; `ms` is how long the fake instance takes on it; `fail` makes the stage refuse it as bad
 * input ('input') or fail otherwise ('other').
 */
function item(name: string, ms = 5, fail?: 'input' | 'other'): ReadyItem {
  const chunk = { clipId: name, index: 0, start: 0, end: 1, last: true };
  return { item: { chunk, ports: {}, before: [], after: [], whole: {}, ms, fail } as never, lastUse: new Set() };
}

interface FakeInstance extends TransformHost {
  id: number;
  gone: boolean;
  disposed: boolean;
}

/** Starts fake instances: each answers an item with one 'compute' event naming itself. */
function fakeStarts(startMs: (n: number) => number = () => 0, startLine = 'provider: cpu') {
  const made: FakeInstance[] = [];
  const start = async (spec: HostSpec): Promise<TransformHost> => {
    const id = made.length;
    const instance: FakeInstance = {
      id,
      gone: false,
      disposed: false,
      run: (ready) =>
        new Observable<HostEvent>((subscriber) => {
          const { ms, fail } = ready.item as unknown as { ms: number; fail?: 'input' | 'other' };
          const timer = setTimeout(() => {
            const clip = ready.item.chunk.clipId;
            if (fail === 'input') return subscriber.error(new InputError(`no audio stream in ${clip}`));
            if (fail === 'other') return subscriber.error(new Error(`session run failed on ${clip}`));
            subscriber.next({ type: 'compute', segment: { start: id, end: id } });
            subscriber.complete();
          }, ms);
          return () => clearTimeout(timer);
        }),
      dispose: async () => {
        instance.disposed = true;
      },
    };
    made.push(instance);
    // Said while starting, a moment after the start began (as a worker's lines come).
    await new Promise((resolve) => setTimeout(resolve, 1));
    spec.log(startLine);
    await new Promise((resolve) => setTimeout(resolve, startMs(id)));
    return instance;
  };
  return { made, start };
}

/** A lessee's spec: the lines it heard. */
function lessee(): HostSpec & { lines: string[] } {
  const lines: string[] = [];
  return {
    def: spinStage,
    options: {},
    context: { id: 'x', models: {}, settings: DEFAULT_NODE_SETTINGS },
    log: (line: string, _level?: LogLevel) => void lines.push(line),
    outputRoom: async () => {},
    shared: () => false,
    lines,
  };
}

/** The instance that ran the item. */
async function servedBy(host: TransformHost, ready: ReadyItem): Promise<number> {
  const events = await lastValueFrom(host.run(ready).pipe(toArray()));
  const compute = events.find((e) => e.type === 'compute');
  return compute?.type === 'compute' ? compute.segment.start : -1;
}

describe('a shared host', () => {
  it("fails only the item refused as bad input; the instance serves the next item, its own run's or another's", async () => {
    const { made, start } = fakeStarts();
    const shared = new SharedHost(start);
    const [a, b] = [await shared.lease(lessee()), await shared.lease(lessee())];
    await expect(servedBy(a, item('a', 5, 'input'))).rejects.toThrow('no audio stream in a');
    expect([await servedBy(b, item('b')), await servedBy(a, item('a'))]).toEqual([0, 0]);
    expect(made.map((m) => m.disposed)).toEqual([false]);
    // Any other failure may have left the session broken: the instance goes, the next item gets a new one.
    await expect(servedBy(a, item('a', 5, 'other'))).rejects.toThrow('session run failed on a');
    expect(await servedBy(b, item('b'))).toBe(1);
    expect(made.map((m) => m.disposed)).toEqual([true, false]);
    await shared.close();
  });

  it('drops an instance whose worker died between items; the next item goes to a new one', async () => {
    const { made, start } = fakeStarts();
    const shared = new SharedHost(start);
    const a = await shared.lease(lessee());
    expect(await servedBy(a, item('a'))).toBe(0);
    made[0].gone = true; // its thread ended while idle (out of memory, say)
    expect(await servedBy(a, item('a'))).toBe(1);
    expect(made[0].disposed).toBe(true);
    await shared.close();
  });

  it('hands an item to an instance that frees up rather than to one still starting', async () => {
    // The second instance takes 300 ms to start; the first frees up after 60.
    const { start } = fakeStarts((n) => (n === 0 ? 0 : 300));
    const shared = new SharedHost(start, 2);
    const [a, b] = [await shared.lease(lessee()), await shared.lease(lessee())];
    const first = servedBy(a, item('a', 60));
    const waiting = servedBy(b, item('b', 5)); // all busy: a second instance starts
    expect(await waiting).toBe(0);
    expect(await first).toBe(0);
    // Started, the second instance now serves too.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const both = await Promise.all([servedBy(a, item('a', 40)), servedBy(b, item('b', 40))]);
    expect(both.sort()).toEqual([0, 1]);
    await shared.close();
  });

  it('says the start-up lines once to each lessee, including those of an instance added later', async () => {
    const { made, start } = fakeStarts();
    const shared = new SharedHost(start, 2);
    const [first, second] = [lessee(), lessee()];
    const [a, b] = [await shared.lease(first), await shared.lease(second)];
    // The second lessee heard the first instance's line replayed; its item then starts a second instance.
    await Promise.all([servedBy(a, item('a', 50)), servedBy(b, item('b', 5)), servedBy(b, item('b', 5))]);
    expect(made).toHaveLength(2);
    expect(first.lines).toEqual(['provider: cpu']);
    expect(second.lines).toEqual(['provider: cpu']);
    await shared.close();
  });

  it('fails the items waiting and in hand when closed, and refuses a lease after', async () => {
    const { made, start } = fakeStarts();
    const shared = new SharedHost(start);
    const a = await shared.lease(lessee());
    const inHand = servedBy(a, item('a', 1000));
    const queued = servedBy(a, item('a', 5));
    await shared.close();
    await expect(inHand).rejects.toThrow('the stage engine is closed');
    await expect(queued).rejects.toThrow('the stage engine is closed');
    await expect(shared.lease(lessee())).rejects.toThrow('the stage engine is closed');
    await expect(servedBy(a, item('a'))).rejects.toThrow('the stage engine is closed');
    expect(made.map((m) => m.disposed)).toEqual([true]);
  });

  it('fails the items waiting when no instance can start', async () => {
    let starts = 0;
    const shared = new SharedHost(async (spec) => {
      if (starts++ > 0) throw new Error('model file is unreadable');
      return fakeStarts().start(spec);
    });
    const a = await shared.lease(lessee());
    // The instance ends with an abandoned item; the next start fails, and so does the item waiting.
    const sub = a.run(item('a', 1000)).subscribe({ error: () => undefined });
    await new Promise((resolve) => setTimeout(resolve, 10));
    sub.unsubscribe();
    await expect(servedBy(a, item('a'))).rejects.toThrow('model file is unreadable');
    await shared.close();
  });
});
