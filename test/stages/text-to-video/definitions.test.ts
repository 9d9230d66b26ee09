/** What the text-to-video kinds declare to the runtime: threads, items, and who takes `cache:`. */
import { describe, expect, it } from 'vitest';
import { itemSpecOf } from '../../../src/core/stage.ts';
import { dit } from '../../../stages/dit/index.ts';
import { textEncoder } from '../../../stages/text-encoder/index.ts';
import { vae } from '../../../stages/vae/index.ts';

describe('text-to-video kind definitions', () => {
  it('run every ONNX kind on a worker thread', () => {
    for (const def of [textEncoder, dit, vae])
      expect([def.kind, def.role, def.thread]).toEqual([def.kind, 'transform', 'worker']);
  });

  it('take the prompt whole; only the VAE carries state from item to item; no neighbours', () => {
    expect(textEncoder.inputs.prompt.whole).toBe(true);
    expect(itemSpecOf(vae)).toEqual({ neighbours: { before: 0, after: 0 }, stateful: true, evenCost: false });
    for (const def of [textEncoder, dit])
      expect(itemSpecOf(def)).toEqual({ neighbours: { before: 0, after: 0 }, stateful: false, evenCost: false });
  });

  it('let only the text encoder take the `cache:` setting', () => {
    expect(textEncoder.accepts?.cache).toBe(true);
    expect(dit.accepts?.cache).toBeFalsy();
    expect(vae.accepts?.cache).toBeFalsy();
  });
});
