/**
 * `reel schema`: the JSON Schema of the pipeline format (for yaml-language-server modelines).
 */
import { pipelineJsonSchema } from '../../config/json-schema.ts';
import type { CliIo } from '../io.ts';
import { writeFlagFile } from '../write-plan.ts';
import { BUILTIN_REGISTRY } from '../pipeline.ts';

export function pipelineSchemaText(): string {
  const { kinds, sourceFor, sinkFor } = BUILTIN_REGISTRY;
  return `${JSON.stringify(pipelineJsonSchema(kinds, sourceFor, sinkFor), null, 2)}\n`;
}

export async function schemaCommand(opts: { output?: string }, io: CliIo): Promise<number> {
  const text = pipelineSchemaText();
  if (opts.output) {
    await writeFlagFile('-o', opts.output, text);
  } else io.out(text);
  return 0;
}
