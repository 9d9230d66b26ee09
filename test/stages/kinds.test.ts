/**
 * Every built-in stage kind is declared completely under contract v2: a role, ports of known
 * types, options that all have a default and a documented unit/default, what an item holds
 * (finite neighbours, a positive grid), and — for kinds run on a worker — the module URL a worker
 * loads it from (the runtime never imports stages/).
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { itemSpecOf } from '../../src/core/stage.ts';
import { isPortType } from '../../src/core/types.ts';
import { MANIFESTS } from '../../models/manifests/index.ts';
import { SINK_KIND_FOR_OUTPUT, SOURCE_KIND_FOR_INPUT, STAGE_KINDS } from '../../stages/index.ts';

const kinds = Object.values(STAGE_KINDS);
const ONNX_KINDS = [
  'rvc',
  'content-encoder',
  'vallex',
  'fastpitch',
  'hifigan',
  'wav2lip',
  'face-detect',
  'text-encoder',
  'dit',
  'vae',
];

describe('stage kinds', () => {
  it('declares every kind the shipped pipelines need, each ONNX kind a transform on a worker thread', () => {
    for (const kind of ONNX_KINDS) {
      const def = STAGE_KINDS[kind];
      expect(def?.role, kind).toBe('transform');
      expect(def?.role === 'transform' && def.thread, `${kind} thread`).toBe('worker');
    }
    for (const kind of Object.values(SOURCE_KIND_FOR_INPUT)) expect(STAGE_KINDS[kind]?.role).toBe('source');
    for (const kind of Object.values(SINK_KIND_FOR_OUTPUT)) expect(STAGE_KINDS[kind]?.role).toBe('sink');
  });

  it.each(kinds.map((k) => [k.kind, k] as const))('%s: ports have valid types', (_kind, def) => {
    for (const port of [...Object.values(def.inputs), ...Object.values(def.outputs)])
      expect(isPortType(port.type)).toBe(true);
    if (def.role === 'source') expect(Object.keys(def.inputs)).toEqual([]);
    if (def.role === 'sink') expect(Object.keys(def.outputs)).toEqual([]);
    if (ONNX_KINDS.includes(def.kind)) expect(Object.keys(def.models ?? {}).length).toBeGreaterThan(0);
    for (const slot of Object.values(def.models ?? {}))
      expect(Object.keys(MANIFESTS), `${def.kind} family`).toContain(slot.family);
  });

  it.each(kinds.map((k) => [k.kind, k] as const))(
    '%s: every option has a default and a documented default',
    (_kind, def) => {
      expect(() => def.options.parse({})).not.toThrow();
      const parsed = def.options.parse({}) as Record<string, unknown>;
      for (const [name, field] of Object.entries((def.options as z.ZodObject).shape as Record<string, z.ZodType>)) {
        expect(parsed, `${def.kind}.${name} has no default`).toHaveProperty(name);
        expect(field.description ?? '', `${def.kind}.${name} doc`).toMatch(/Default /);
      }
      expect(() => def.options.parse({ notAnOption: 1 })).toThrow();
    },
  );

  it.each(kinds.map((k) => [k.kind, k] as const))(
    '%s: an item holds finitely many neighbours, on a positive grid',
    (_kind, def) => {
      const item = itemSpecOf(def);
      for (const n of [item.neighbours.before, item.neighbours.after]) expect(Number.isInteger(n) && n >= 0).toBe(true);
      if (item.granularitySeconds !== undefined)
        expect(Number.isFinite(item.granularitySeconds) && item.granularitySeconds > 0).toBe(true);
    },
  );

  it.each(kinds.filter((k) => k.role === 'transform' && k.thread === 'worker').map((k) => [k.kind, k] as const))(
    '%s: carries the module URL a worker loads it from',
    (_kind, def) => {
      expect(def.module).toMatch(/^file:\/\/.*\.ts$/);
    },
  );

  it('accepts `cache:` on the text encoder only', () => {
    expect(kinds.filter((k) => k.accepts?.cache).map((k) => k.kind)).toEqual(['text-encoder']);
  });

  it('hifigan reaches its ±13-frame receptive field from a neighbour each side, on its hop grid', () => {
    const def = STAGE_KINDS.hifigan;
    const item = itemSpecOf(def);
    expect(item.neighbours.before).toBeGreaterThanOrEqual(1);
    expect(item.neighbours.after).toBeGreaterThanOrEqual(1);
    expect((def.options.parse({}) as { contextFrames: number }).contextFrames).toBeGreaterThanOrEqual(13);
    expect(item.granularitySeconds! * 22050).toBeCloseTo(256, 9);
  });
});
