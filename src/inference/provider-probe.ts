/**
 * Which execution providers load on this machine: a session is created on a tiny model with each
 * provider alone. onnxruntime-node throws (it does not fall back) when a GPU provider's shared
 * libraries are missing; the error is kept, shortened, as the reason.
 */
import { vulkanLoaderProblem, webgpuFailure } from './gpu/gpu-availability.ts';

export type ProviderName = 'tensorrt' | 'cuda' | 'webgpu' | 'cpu';

export interface ProviderProbe {
  provider: ProviderName;
  ok: boolean;
  /** Why it did not load (ORT's own message, first line). */
  reason?: string;
}

export async function probeProviders(
  model: Uint8Array,
  providers: readonly ProviderName[] = ['tensorrt', 'cuda', 'webgpu', 'cpu'],
): Promise<ProviderProbe[]> {
  const ort = await import('onnxruntime-node');
  // A failed GPU provider also logs a multi-line native error; the reason below says it once.
  ort.env.logLevel = 'fatal';
  const results: ProviderProbe[] = [];
  for (const provider of providers) {
    // Without a Vulkan loader Dawn prints a native warning before failing: say why first.
    const noLoader = provider === 'webgpu' ? vulkanLoaderProblem() : undefined;
    if (noLoader) {
      results.push({ provider, ok: false, reason: noLoader });
      continue;
    }
    try {
      // One WebGPU session at a time on this thread (doctor's), released at once: no second thread uses one.
      const session = await ort.InferenceSession.create(model, { executionProviders: [provider], logSeverityLevel: 4 });
      await session.release();
      results.push({ provider, ok: true });
    } catch (err) {
      results.push({ provider, ok: false, reason: provider === 'webgpu' ? webgpuFailure(err) : shortReason(err) });
    }
  }
  return results;
}

export function shortReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message
    .split('\n')[0]
    .replace(/^\[ONNXRuntimeError\] : \d+ : \w+ : /, '')
    .slice(0, 200);
}
