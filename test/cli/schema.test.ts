/**
 * `reel schema` is generated from the loader's own schemas; the committed copy next to the shipped
 * pipelines (which their modelines point to) must be that output, and must accept the shipped
 * pipelines and reject broken ones — as an editor using it would.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { pipelineSchemaText } from '../../src/cli/commands/schema.ts';
import { runCli } from '../helpers/cli.ts';

const SHIPPED = ['pipelines/talking-head.yaml', 'pipelines/text-to-video.yaml', 'pipelines/voice-convert.yaml'];

describe('pipeline JSON Schema', () => {
  it('the committed pipelines/pipeline.schema.json is what `reel schema` prints (run `reel schema -o pipelines/pipeline.schema.json`)', async () => {
    const r = await runCli(['schema']);
    expect(r.code).toBe(0);
    expect(readFileSync('pipelines/pipeline.schema.json', 'utf8')).toBe(r.stdout);
  });

  it('shipped pipelines point to it in their first-line modeline', () => {
    for (const file of SHIPPED) {
      expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./pipeline.schema.json');
    }
  });

  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(pipelineSchemaText()));

  it('accepts the shipped pipelines', () => {
    for (const file of SHIPPED) {
      const ok = validate(parse(readFileSync(file, 'utf8')));
      expect(validate.errors ?? [], file).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('rejects an unknown option of a stage kind and a wrong option type', () => {
    const doc = parse(readFileSync('pipelines/text-to-video.yaml', 'utf8'));
    doc.stages.denoiser.options.stpes = 3;
    expect(validate(doc)).toBe(false);
    const doc2 = parse(readFileSync('pipelines/text-to-video.yaml', 'utf8'));
    doc2.stages.denoiser.options.steps = 'many';
    expect(validate(doc2)).toBe(false);
  });
});
