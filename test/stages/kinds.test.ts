/**
 * Every built-in stage kind is declared completely: ports of known types, options that all have a
 * default and a documented unit/default, a context that is finite and non-negative.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { isPortType } from '../../src/core/types.ts';
import { MANIFESTS } from '../../models/manifests/index.ts';
import { SINK_KIND_FOR_OUTPUT, SOURCE_KIND_FOR_INPUT, STAGE_KINDS } from '../../stages/index.ts';

const kinds = Object.values(STAGE_KINDS);

describe('stage kinds', () => {
  it('declares every kind the shipped pipelines need', () => {
    for (const kind of ['rvc', 'content-encoder', 'vallex', 'fastpitch', 'hifigan', 'wav2lip', 'face-detect', 'text-encoder', 'dit', 'vae']) {
      expect(STAGE_KINDS[kind]?.role, kind).toBe('inference');
    }
    for (const kind of Object.values(SOURCE_KIND_FOR_INPUT)) expect(STAGE_KINDS[kind]?.role).toBe('source');
    for (const kind of Object.values(SINK_KIND_FOR_OUTPUT)) expect(STAGE_KINDS[kind]?.role).toBe('sink');
  });

  it.each(kinds.map((k) => [k.kind, k] as const))('%s: ports have valid types', (_kind, def) => {
    for (const port of [...Object.values(def.inputs), ...Object.values(def.outputs)]) expect(isPortType(port.type)).toBe(true);
    if (def.role === 'source') expect(Object.keys(def.inputs)).toEqual([]);
    if (def.role === 'sink') expect(Object.keys(def.outputs)).toEqual([]);
    if (def.role === 'inference') expect(Object.keys(def.models ?? {}).length).toBeGreaterThan(0);
    for (const slot of Object.values(def.models ?? {})) expect(Object.keys(MANIFESTS), `${def.kind} family`).toContain(slot.family);
  });

  it.each(kinds.map((k) => [k.kind, k] as const))('%s: every option has a default and a documented default', (_kind, def) => {
    expect(() => def.options.parse({})).not.toThrow();
    const parsed = def.options.parse({}) as Record<string, unknown>;
    for (const [name, field] of Object.entries(def.options.shape as Record<string, z.ZodType>)) {
      expect(parsed, `${def.kind}.${name} has no default`).toHaveProperty(name);
      expect(field.description ?? '', `${def.kind}.${name} doc`).toMatch(/Default /);
    }
    expect(() => def.options.parse({ notAnOption: 1 })).toThrow();
  });

  it.each(kinds.filter((k) => k.context).map((k) => [k.kind, k] as const))('%s: context is finite and non-negative', (_kind, def) => {
    const ctx = def.context!(def.options.parse({}));
    for (const v of [ctx.beforeSeconds, ctx.afterSeconds, ctx.granularitySeconds ?? 0, ctx.framesBefore ?? 0, ctx.framesAfter ?? 0]) {
      expect(Number.isFinite(v) && v >= 0).toBe(true);
    }
  });

  it('hifigan context covers its ±13-frame receptive field, in seconds of 22050 Hz audio', () => {
    const ctx = STAGE_KINDS.hifigan.context!(STAGE_KINDS.hifigan.options.parse({}));
    expect(ctx.beforeSeconds * 22050 / 256).toBeGreaterThanOrEqual(13);
    expect(ctx.granularitySeconds! * 22050).toBeCloseTo(256, 9);
  });
});
