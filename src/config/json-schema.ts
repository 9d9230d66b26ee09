/**
 * JSON Schema of the pipeline format for editors (yaml-language-server), generated from the very
 * schemas the loader validates with: the file schema, with each stage's `options` narrowed to its
 * kind's own options schema (chosen by `use`), and `cache` only on the kinds that take it.
 */
import { z } from 'zod';
import type { StageDefinition } from '../core/stage.ts';
import { InputEntry, OutputEntry, PipelineFile, StageEntry } from './schema.ts';

export function pipelineJsonSchema(
  kinds: Readonly<Record<string, StageDefinition>>,
  sourceFor: Readonly<Record<string, string>>,
  sinkFor: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const stageKinds = Object.values(kinds).filter((k) => k.role !== 'source' && k.role !== 'sink');
  const stage = z.discriminatedUnion(
    'use',
    stageKinds.map((k) =>
      // A setting the kind does not take is an error in the loader, so the editor flags it too.
      (k.accepts?.cache ? StageEntry : StageEntry.omit({ cache: true })).extend({
        use: z.literal(k.kind).describe(k.summary),
        options: k.options.optional(), // every option has a default: optional in the input schema
      }),
    ) as unknown as [z.ZodObject, ...z.ZodObject[]],
  );
  const input = z.discriminatedUnion(
    'type',
    Object.entries(sourceFor).map(([type, kind]) =>
      InputEntry.extend({ type: z.literal(type), options: kinds[kind].options.optional() }),
    ) as unknown as [z.ZodObject, ...z.ZodObject[]],
  );
  const output = z.discriminatedUnion(
    'write',
    Object.entries(sinkFor).map(([format, kind]) =>
      OutputEntry.extend({ write: z.literal(format), options: kinds[kind].options.optional() }),
    ) as unknown as [z.ZodObject, ...z.ZodObject[]],
  );
  const file = PipelineFile.extend({
    inputs: z.record(z.string(), input),
    stages: z.record(z.string(), stage),
    outputs: z.record(z.string(), output),
  });
  const schema = z.toJSONSchema(file, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'reel pipeline' };
}
