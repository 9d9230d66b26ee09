// A stage kind of your own: scale audio by a gain in decibels. A pipeline uses it by file:
// `use: ./gain.ts` (relative to the YAML file).
import { defer, of } from 'rxjs';
import { z } from 'zod';
import { defineTransform } from '../../src/core/stage.ts';

export const gain = defineTransform({
  kind: 'gain',
  summary: 'Scales audio by a gain in decibels.',
  inputs: { audio: { type: 'audio', doc: 'Any rate, any channels.' } },
  outputs: { audio: { type: 'audio', doc: 'Same rate and channels, scaled.' } },
  options: z.strictObject({
    db: z.number().min(-60).max(24).default(-6).describe('Gain, dB. Default -6.'),
  }),
  // item: { neighbours: { before: 1, after: 1 } } would hand each item its neighbouring chunks;
  // thread: 'worker' would run it on a worker thread (for work that blocks, like an ONNX session).
  create: async (options) => {
    const factor = 10 ** (options.db / 20);
    return {
      process: (item) =>
        defer(() => {
          const input = item.audio('audio'); // a typed accessor: a wrong packet kind is a clear error
          const data = input.data.map((sample) => sample * factor); // a new buffer: inputs are shared
          return of({ port: 'audio', packet: { ...input, data } });
        }),
      dispose: async () => {},
    };
  },
});
