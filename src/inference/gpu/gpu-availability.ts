/**
 * Whether the WebGPU provider can reach a GPU here, said before ONNX Runtime is asked: Dawn, built
 * into onnxruntime-node, reaches an NVIDIA GPU through Vulkan, and without a Vulkan loader it
 * prints a native warning on stderr before failing. Also the stand-in that lets a machine without
 * a GPU exercise the GPU thread: `REEL_GPU_STAND_IN=cpu` serves `webgpu` sessions on the GPU
 * thread with the CPU provider (tests, and a check of the routing on any machine).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Where the README tells a user how to give reel a GPU. */
export const GPU_SETUP_HINT =
  'install a Vulkan loader (Debian: libvulkan1) and the GPU driver\'s Vulkan ICD; see the README section "GPU (WebGPU)"';

/**
 * The WebGPU provider as reel asks for it. NCHW: onnxruntime-node 1.30's default NHWC layout gives
 * wrong results for some convolutions (a 3×3 stride-2 Conv from 6 channels at 96×96, Wav2Lip's
 * first layer: off by up to 1.3 on an H200; scripts/bench/webgpu-op-check.mjs); NCHW matches the
 * CPU within 4e-6 on every reference family. No deviceId: the provider refuses it (one adapter).
 */
export const WEBGPU_PROVIDER = { name: 'webgpu', preferredLayout: 'NCHW' } as const;

/** The provider serving `webgpu` sessions: the GPU through WebGPU, or the CPU standing in for it. */
export function gpuStandIn(): 'cpu' | undefined {
  return process.env.REEL_GPU_STAND_IN === 'cpu' ? 'cpu' : undefined;
}

let loader: string | undefined | null = null;

/**
 * Why the Vulkan loader cannot be loaded, or undefined when it can (it is then loaded into the
 * process, as Dawn would load it). Linux only: elsewhere Dawn uses the platform's own API.
 */
export function vulkanLoaderProblem(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  if (loader !== null) return loader;
  try {
    // dlopen through Node's addon loader: a library that loads but is no addon fails later, with
    // "did not self-register"; one that is missing fails with "cannot open shared object file".
    process.dlopen({ exports: {} } as NodeJS.Module, 'libvulkan.so.1');
    loader = undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    loader = /cannot open shared object|No such file/i.test(message)
      ? `no Vulkan loader (libvulkan.so.1 not found): ${GPU_SETUP_HINT}`
      : undefined;
  }
  return loader;
}

/** ONNX Runtime's reason a WebGPU session was not created, said for a user. */
export function webgpuFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const adapter = /Failed to get a WebGPU adapter: ([^\n]*)/.exec(message);
  if (adapter)
    return `no WebGPU adapter (${adapter[1].trim()}): the GPU driver's Vulkan ICD is missing or not found (VK_DRIVER_FILES); ${GPU_SETUP_HINT}`;
  return message.replace(/^\/onnxruntime_src\/\S+ [^\n]*?(?=[A-Z][a-z])/, '');
}

/** The GPU a user has, named from the driver's own files (NVIDIA), for `reel doctor`. */
export function describeGpu(): string | undefined {
  try {
    const root = '/proc/driver/nvidia/gpus';
    const gpus = readdirSync(root).map((bus) => {
      const info = readFileSync(`${root}/${bus}/information`, 'utf8');
      return /^Model:\s*(.+)$/m.exec(info)?.[1].trim() ?? bus;
    });
    const driver = /Kernel Module\s+([\d.]+)/.exec(readFileSync('/proc/driver/nvidia/version', 'utf8'))?.[1];
    const icd = process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES;
    return `${gpus.join(', ')} (NVIDIA${driver ? ` driver ${driver}` : ''}, Vulkan${icd ? ` ICD ${icd}` : ''})`;
  } catch {
    return undefined;
  }
}
