import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/config/load.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { formatLocation } from '../../src/core/types.ts';
import { loadGraph } from '../../src/cli/pipeline.ts';

const BASE = 'test/fixtures/pipelines/tts-minimal.yaml';

describe('loadPipeline', () => {
  it('keeps file:line:col of every value and key', async () => {
    const loaded = await loadPipeline(BASE);
    expect(formatLocation(loaded.locations.value(['stages', 'vocoder', 'use']))).toBe(`${BASE}:11:10`);
    expect(formatLocation(loaded.locations.key(['stages', 'vocoder']))).toBe(`${BASE}:10:3`);
    expect(formatLocation(loaded.locations.value(['outputs', 'speech', 'in', 'audio']))).toBe(`${BASE}:16:18`);
  });

  it('applies a profile, then --set on top of it (the flag wins)', async () => {
    const viaProfile = await loadPipeline(BASE, { profile: 'fast' });
    expect(viaProfile.doc.stages.acoustic.options).toEqual({ pace: 1.5 });
    const both = await loadPipeline(BASE, { profile: 'fast', set: ['stages.acoustic.options.pace=2'] });
    expect(both.doc.stages.acoustic.options).toEqual({ pace: 2 });
    expect(formatLocation(both.locations.value(['stages', 'acoustic', 'options', 'pace']))).toBe(
      '--set stages.acoustic.options.pace=2',
    );
  });

  it('refuses chunking.splitAt: vad with the search turned off, at the splitAt value', async () => {
    const err = await loadPipeline(BASE, {
      set: ['chunking.splitAt=vad', 'chunking.splitAtSilence=false'],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as ConfigError).message)).toMatch(/chunking\.splitAt.*splitAtSilence turns the search off/);
    const zero = await loadPipeline(BASE, { set: ['chunking.splitAt=vad', 'chunking.splitAtSilence=0'] }).catch(
      (e: unknown) => e,
    );
    expect(zero).toBeInstanceOf(ConfigError);
    const fine = await loadPipeline(BASE, { set: ['chunking.splitAt=vad'] });
    expect(fine.doc.chunking?.splitAt).toBe('vad');
  });

  it('reads --set values as YAML: numbers, lists, mappings, strings', async () => {
    const loaded = await loadPipeline(BASE, {
      set: [
        'stages.acoustic.provider=[cuda, cpu]',
        'stages.acoustic.threads={intraOp: 2}',
        'stages.acoustic.doc=hello world',
      ],
    });
    expect(loaded.doc.stages.acoustic.provider).toEqual(['cuda', 'cpu']);
    expect(loaded.doc.stages.acoustic.threads).toEqual({ intraOp: 2 });
    expect(loaded.doc.stages.acoustic.doc).toBe('hello world');
  });

  it('accepts a file whose name has spaces, unicode and a leading dash', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reel load '));
    const file = path.join(dir, '-ünïcode pipeline ✓.yaml');
    await writeFile(file, (await import('node:fs')).readFileSync(BASE, 'utf8'));
    const loaded = await loadPipeline(file);
    expect(loaded.doc.name).toBe('tts-minimal');
    expect(loaded.dir).toBe(dir);
  });

  it('resolves model paths against the pipeline folder, not the working directory', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reel-models-'));
    await mkdir(path.join(dir, 'my models'));
    // The least that reads as an ONNX model at validate time: ir_version 8 and an empty graph.
    await writeFile(path.join(dir, 'my models', 'voc.onnx'), Buffer.from([0x08, 0x08, 0x3a, 0x00]));
    const yaml = (await import('node:fs'))
      .readFileSync(BASE, 'utf8')
      .replace('use: hifigan', 'use: hifigan\n    model: my models/voc.onnx');
    const file = path.join(dir, 'p.yaml');
    await writeFile(file, yaml);
    const { graph } = await loadGraph(file);
    expect(graph.nodes.get('vocoder')?.models.vocoder).toBe(path.join(dir, 'my models', 'voc.onnx'));
    // Without `model:`, the stage takes the bundled reference model of its family.
    expect(path.basename(graph.nodes.get('acoustic')?.models.acoustic ?? '')).toBe('fastpitch.onnx');
  });

  it('throws ConfigError with exit code 2 and all issues', async () => {
    const err = await loadPipeline('test/fixtures/pipelines/broken/unknown-key.yaml', { set: ['version=3'] }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.exitCode).toBe(2);
    expect(err.issues.map((i: { message: string }) => i.message)).toEqual([
      '"version": number 3 is not allowed — expected 1',
      'unknown key "stagse" — did you mean "stages"?',
    ]);
  });
});
