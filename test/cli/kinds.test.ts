/** `reel kinds`: every kind with its summary; for one kind its ports, models and options, as the schema has them. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STAGE_KINDS } from '../../stages/index.ts';
import { runCli } from '../helpers/cli.ts';

interface JsonNode {
  properties?: Record<string, JsonNode & { const?: unknown; default?: unknown }>;
  [key: string]: unknown;
}

/** The `options` properties of the stage entry whose `use` is `kind`, in the committed JSON Schema. */
function optionsInSchema(node: unknown, kind: string): Record<string, { default?: unknown }> | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const n = node as JsonNode;
  if (n.properties?.use?.const === kind) return n.properties.options?.properties ?? {};
  for (const value of Object.values(n)) {
    const found = optionsInSchema(value, kind);
    if (found) return found;
  }
  return undefined;
}

describe('reel kinds', () => {
  it('lists every kind once with its summary', async () => {
    const r = await runCli(['kinds']);
    expect(r.code).toBe(0);
    for (const def of Object.values(STAGE_KINDS)) {
      const lines = r.stdout.split('\n').filter((l) => l.startsWith(`${def.kind} `));
      expect(lines, def.kind).toHaveLength(1);
      expect(lines[0]).toContain(def.summary);
    }
  });

  it('shows wav2lip: ports, model family, item, and every option of the schema with its default', async () => {
    const r = await runCli(['kinds', 'wav2lip']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^role: transform \(on a worker thread of its own\)$/m);
    expect(r.stdout).toMatch(/^ {2}frames {2}video \(looped\) — /m);
    expect(r.stdout).toMatch(/^ {2}generator {2}family wav2lip /m);
    expect(r.stdout).toMatch(
      /^item: 1 chunk\(s\) before and 1 after; stateless \(may run as replicas\); items of even cost \(replicas may start during the first\)$/m,
    );
    // The face detector's first frame is a search, the others track: not of even cost.
    const faces = await runCli(['kinds', 'face-detect']);
    expect(faces.stdout).toMatch(/^item: 1 chunk\(s\) before and 1 after; stateless \(may run as replicas\)$/m);
    const schema = JSON.parse(readFileSync('pipelines/pipeline.schema.json', 'utf8'));
    const options = optionsInSchema(schema, 'wav2lip')!;
    expect(Object.keys(options).length).toBeGreaterThan(0);
    for (const [name, option] of Object.entries(options)) {
      const line = r.stdout.split('\n').find((l) => l.startsWith(`  ${name}  `));
      expect(line, name).toBeDefined();
      expect(line).toContain(`default ${JSON.stringify(option.default)}`);
    }
  });

  it('names the nearest kind for a misspelt one, exit 2', async () => {
    const r = await runCli(['kinds', 'wav2lp']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('unknown stage kind "wav2lp" — did you mean "wav2lip"?');
  });
});
