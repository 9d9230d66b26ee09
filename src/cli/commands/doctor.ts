/**
 * `reel doctor`: what this machine gives reel — Node and onnxruntime versions, ffmpeg/ffprobe
 * (path and version), which execution providers actually load, and the stage costs runs remember.
 */
import { createRequire } from 'node:module';
import { buildReferenceModel } from '../../../models/generate.ts';
import { describeGpu } from '../../inference/gpu/gpu-availability.ts';
import { probeProviders } from '../../inference/provider-probe.ts';
import { CostMemory, costMemoryFile, REMEMBER_ENV } from '../../runtime/cost-memory.ts';
import { mediaToolVersions, type ToolVersion } from '../../media/binaries.ts';
import type { CliIo } from '../io.ts';

const require = createRequire(import.meta.url);

export async function doctorCommand(io: CliIo): Promise<number> {
  const ortVersion = (require('onnxruntime-node/package.json') as { version: string }).version;
  const [tools, providers] = await Promise.all([
    mediaToolVersions(),
    probeProviders(buildReferenceModel('hifigan', 'tiny')),
  ]);
  const tool = (name: string, t: ToolVersion) =>
    'version' in t ? `  ok    ${name.padEnd(9)} ${t.version}  (${t.path})` : `  MISS  ${name.padEnd(9)} ${t.error}`;
  io.out(
    [
      `node       ${process.version} (${process.platform}-${process.arch})`,
      `onnxruntime-node ${ortVersion}`,
      'media tools:',
      tool('ffmpeg', tools.ffmpeg),
      tool('ffprobe', tools.ffprobe),
      'execution providers:',
      ...providers.map((p) => {
        if (!p.ok) return `  MISS  ${p.provider.padEnd(9)} ${p.reason}`;
        const gpu = p.provider === 'webgpu' ? describeGpu() : undefined;
        return `  ok    ${p.provider}${gpu ? `${' '.repeat(9 - p.provider.length)} ${gpu}` : ''}`;
      }),
    ].join('\n'),
  );
  io.out(await rememberedCosts());
  const gpuMissing = providers.some((p) => (p.provider === 'cuda' || p.provider === 'tensorrt') && !p.ok);
  if (gpuMissing) {
    io.out(
      'CUDA and TensorRT need the CUDA libraries of onnxruntime-node: ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js (on a machine that can reach NuGet).',
    );
  }
  const essential =
    'version' in tools.ffmpeg && 'version' in tools.ffprobe && providers.some((p) => p.provider === 'cpu' && p.ok);
  return essential ? 0 : 1;
}

/** Where runs remember their stages' costs (cost-memory.ts), and how many. */
async function rememberedCosts(): Promise<string> {
  const file = costMemoryFile();
  if (!file) return `stage costs: not remembered (${REMEMBER_ENV}=0)`;
  const count = (await CostMemory.open(file)).size;
  const what = count === 0 ? 'none remembered yet, to be kept' : `${count} remembered`;
  return `stage costs: ${what} in ${file} (delete it to measure afresh; ${REMEMBER_ENV}=0 turns it off)`;
}
