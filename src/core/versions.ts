/**
 * The versions a run's results depend on — reel's, Node.js's and ONNX Runtime's — read from the
 * package files (nothing is loaded), once per process.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PROJECT_ROOT } from './project-root.ts';

export interface Versions {
  reel: string;
  node: string;
  /** onnxruntime-node's, `?` when it is not installed. */
  onnxruntime: string;
}

let cached: Versions | undefined;

/** The `version` of a package.json, `?` when it cannot be read. */
const versionIn = (file: () => string): string => {
  try {
    return (JSON.parse(readFileSync(file(), 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return '?';
  }
};

export function versions(): Versions {
  cached ??= {
    reel: versionIn(() => join(PROJECT_ROOT, 'package.json')),
    node: process.version,
    // As reel resolves it: beside reel, or hoisted above it when reel is a dependency.
    onnxruntime: versionIn(() =>
      createRequire(join(PROJECT_ROOT, 'package.json')).resolve('onnxruntime-node/package.json'),
    ),
  };
  return cached;
}
