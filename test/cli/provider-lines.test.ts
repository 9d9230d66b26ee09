/**
 * What a run prints about providers: nothing for a stage that got its first choice (all with
 * --verbose), the reasons in full the first time, and a short back-reference for a later stage
 * that fell back for the same reasons.
 */
import { describe, expect, it } from 'vitest';
import { providerLineFilter } from '../../src/cli/provider-lines.ts';
import { warningLine } from '../../src/core/warning-line.ts';

const reasons =
  'not tensorrt: libonnxruntime_providers_tensorrt.so not installed; not webgpu: no Vulkan loader (libvulkan.so.1 not found): install a Vulkan loader';

describe('provider lines of a run', () => {
  it('hides first choices, says the reasons once, and points back to them after', () => {
    const filter = providerLineFilter(false);
    expect(filter('stage "voice": provider cpu')).toBeUndefined();
    expect(filter(`stage "content": provider cpu (${reasons})`)).toBe(`stage "content": provider cpu (${reasons})`);
    expect(filter(`stage "convert": provider cpu (${reasons})`)).toBe(
      'stage "convert": provider cpu (not tensorrt, webgpu: as for stage "content")',
    );
    // Other reasons are news: said in full.
    const other = 'stage "lipsync": provider cpu (not cuda: libonnxruntime_providers_cuda.so not installed)';
    expect(filter(other)).toBe(other);
    // Not a provider line at all: passed through.
    expect(filter('prompt embeddings from cache (/tmp/c)')).toBe('prompt embeddings from cache (/tmp/c)');
  });

  it('prints every line whole with --verbose', () => {
    const filter = providerLineFilter(true);
    expect(filter('stage "voice": provider cpu')).toBe('stage "voice": provider cpu');
    expect(filter(`stage "content": provider cpu (${reasons})`)).toContain(reasons);
    expect(filter(`stage "convert": provider cpu (${reasons})`)).toContain(reasons);
  });

  it('keeps a stand-in note and still folds repeated reasons', () => {
    const filter = providerLineFilter(false);
    const a = 'stage "a": provider webgpu (on the GPU thread, the CPU standing in: REEL_GPU_STAND_IN) (not cuda: x)';
    const b = 'stage "b": provider webgpu (on the GPU thread, the CPU standing in: REEL_GPU_STAND_IN) (not cuda: x)';
    expect(filter(a)).toBe(a);
    expect(filter(b)).toBe(
      'stage "b": provider webgpu (on the GPU thread, the CPU standing in: REEL_GPU_STAND_IN) (not cuda: as for stage "a")',
    );
  });

  it('prefixes a warning and names its stage once', () => {
    expect(warningLine('faces', 'no face found in 1 frame of 1; using the fallback box [1, 2, 3, 4]')).toBe(
      'warning: stage "faces": no face found in 1 frame of 1; using the fallback box [1, 2, 3, 4]',
    );
    const fallback = 'stage "content": provider cpu (not webgpu: no WebGPU adapter)';
    expect(warningLine('content', fallback)).toBe(`warning: ${fallback}`);
  });
});
