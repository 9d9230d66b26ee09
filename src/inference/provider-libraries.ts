/**
 * Which shared libraries a GPU execution provider needs next to onnxruntime-node's binding, and
 * which of them are missing — ORT itself only says "Failed to load shared library".
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ProviderName } from './provider-probe.ts';

const require = createRequire(import.meta.url);

const LIBRARIES: Readonly<Record<ProviderName, readonly string[]>> = {
  cpu: [],
  // Built into onnxruntime-node's own library (Dawn, statically linked); it needs a Vulkan loader.
  webgpu: [],
  cuda: ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'],
  tensorrt: ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_tensorrt.so'],
};

/** onnxruntime-node's folder of native binaries for this platform. */
export function ortBinaryDir(): string | undefined {
  try {
    const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const dir = path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Provider libraries absent from onnxruntime-node's binary folder (Linux names). */
export function missingProviderLibraries(provider: ProviderName): string[] {
  const dir = ortBinaryDir();
  if (!dir || process.platform !== 'linux') return [];
  return LIBRARIES[provider].filter((lib) => !existsSync(path.join(dir, lib)));
}
