/**
 * The output of a generating transform (one item in, many chunks out: a TTS, a denoising loop
 * over windows), paced by its consumers: the first packet goes out at once, every further one
 * waits for room downstream (`ctx.outputRoom`), with the generator parked at its `yield`
 * meanwhile. `produce` is called on each subscription, so the Observable is cold like any other;
 * unsubscribing stops the generator (its `finally` blocks run).
 */
import { Observable } from 'rxjs';
import type { PortPacket } from './stage.ts';

export function paced(
  produce: () => AsyncIterable<PortPacket>,
  outputRoom: () => Promise<void>,
): Observable<PortPacket> {
  return new Observable<PortPacket>((subscriber) => {
    const iterator = produce()[Symbol.asyncIterator]();
    let stopped = false;
    void (async () => {
      try {
        let emitted = 0;
        for (;;) {
          const next = await iterator.next();
          if (stopped) return;
          if (next.done) break;
          if (emitted++ > 0) await outputRoom();
          if (stopped) return;
          subscriber.next(next.value);
        }
        subscriber.complete();
      } catch (err) {
        if (!stopped) subscriber.error(err);
      }
    })();
    return () => {
      stopped = true;
      void Promise.resolve(iterator.return?.()).catch(() => undefined);
    };
  });
}
