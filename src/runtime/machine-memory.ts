/**
 * The memory a run may plan for: what the machine (or its cgroup) has, or `REEL_MEMORY_BYTES` where
 * a container does not say. Frames and replicas plan within a share of it; the models, audio and
 * the runtime need the rest.
 */
import os from 'node:os';

/** Environment variable: bytes of memory the run may plan for. */
export const MEMORY_ENV = 'REEL_MEMORY_BYTES';
/** Share of the memory that planned buffers (video chunks, replicas) may take. */
export const MEMORY_SHARE = 0.75;

/** Memory this process may use, bytes: `REEL_MEMORY_BYTES`, else the machine's, or its cgroup's limit when lower. */
export function machineMemoryBytes(env: NodeJS.ProcessEnv = process.env): number {
  const set = Number(env[MEMORY_ENV]);
  if (Number.isFinite(set) && set > 0) return set;
  const constrained = process.constrainedMemory?.() ?? 0;
  return constrained > 0 ? Math.min(constrained, os.totalmem()) : os.totalmem();
}
