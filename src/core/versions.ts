/**
 * The versions a run's results depend on — reel's, Node.js's and ONNX Runtime's — read from the
 * package files (nothing is loaded), once per process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './project-root.ts';

export interface Versions {
  reel: string;
  node: string;
  /** onnxruntime-node's, `?` when it is not installed. */
  onnxruntime: string;
}

let read: Versions | undefined;

const versionIn = (file: string): string => {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return '?';
  }
};

export function versions(): Versions {
  read ??= {
    reel: versionIn(join(PROJECT_ROOT, 'package.json')),
    node: process.version,
    onnxruntime: versionIn(join(PROJECT_ROOT, 'node_modules', 'onnxruntime-node', 'package.json')),
  };
  return read;
}
