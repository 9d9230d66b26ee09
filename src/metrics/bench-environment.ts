/**
 * What machine a bench ran on, for the report's header: figures are only comparable with the
 * cores, memory, Node.js and ONNX Runtime they were taken with, and the providers the stages asked for.
 */
import { createRequire } from 'node:module';
import os from 'node:os';

export interface BenchEnvironment {
  /** `os.availableParallelism()`: the cores this process may use (a container's limit, not the host's). */
  cores: number;
  memoryBytes: number;
  cpu: string;
  platform: string;
  node: string;
  onnxruntime: string;
  /** Execution providers per model stage, from the pipeline's settings (preference order). */
  providers: string;
}

export function benchEnvironment(providers: string): BenchEnvironment {
  const require = createRequire(import.meta.url);
  return {
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    platform: `${os.platform()} ${os.arch()}`,
    node: process.version,
    onnxruntime: (require('onnxruntime-node/package.json') as { version: string }).version,
    providers,
  };
}
