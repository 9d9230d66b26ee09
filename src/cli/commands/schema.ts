/**
 * `reel schema`: the JSON Schema of the pipeline format (for yaml-language-server modelines).
 */
import { writeFile } from 'node:fs/promises';
import { ConfigError, UsageError } from '../../core/errors.ts';
import { pipelineJsonSchema } from '../../config/json-schema.ts';
import type { CliIo } from '../io.ts';
import { writePlanIssues } from '../write-plan.ts';
import { BUILTIN_REGISTRY } from '../pipeline.ts';

export function pipelineSchemaText(): string {
  const { kinds, sourceFor, sinkFor } = BUILTIN_REGISTRY;
  return `${JSON.stringify(pipelineJsonSchema(kinds, sourceFor, sinkFor), null, 2)}\n`;
}

export async function schemaCommand(opts: { output?: string }, io: CliIo): Promise<number> {
  const text = pipelineSchemaText();
  if (opts.output) {
    const issues = await writePlanIssues([{ what: '-o', file: opts.output }], [], {});
    if (issues.length > 0) throw new ConfigError(issues);
    await writeFile(opts.output, text).catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`-o ${opts.output}: cannot write (${err.code ?? err.message}) — give another path`);
    });
  } else io.out(text);
  return 0;
}
