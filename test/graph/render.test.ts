/**
 * `reel graph` output must be real Mermaid / dot: parsed here by mermaid itself (in jsdom) and by a
 * structural check of the dot text.
 */
import { JSDOM } from 'jsdom';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

type Mermaid = { parse(text: string): Promise<{ diagramType: string }> };
let mermaid: Mermaid;

beforeAll(async () => {
  // mermaid sanitises labels with DOMPurify, which needs a DOM.
  const dom = new JSDOM('<!doctype html><html><body></body></html>');
  Object.assign(globalThis, { window: dom.window, document: dom.window.document });
  mermaid = ((await import('mermaid')) as unknown as { default: Mermaid }).default;
});

describe('reel graph', () => {
  for (const [file, profile] of [
    ['pipelines/talking-head.yaml', undefined],
    ['pipelines/talking-head.yaml', 'fast'],
    ['pipelines/text-to-video.yaml', undefined],
  ] as const) {
    it(`renders ${file}${profile ? ` --profile ${profile}` : ''} as Mermaid that parses`, async () => {
      const r = await runCli(['graph', file, ...(profile ? ['--profile', profile] : [])]);
      expect(r.code).toBe(0);
      const parsed = await mermaid.parse(r.stdout);
      expect(parsed.diagramType).toMatch(/flowchart/);
      const edges = r.stdout.split('\n').filter((l) => l.includes('-->'));
      expect(edges.length).toBeGreaterThan(3);
    });
  }

  it('a broken Mermaid text is rejected by the same parser (the check can fail)', async () => {
    await expect(mermaid.parse('flowchart LR\n  a -->| b')).rejects.toThrow();
  });

  it('renders dot with one node line per node and one edge line per edge', async () => {
    const r = await runCli(['graph', 'pipelines/text-to-video.yaml', '--format', 'dot']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('digraph "text-to-video" {')).toBe(true);
    expect(r.stdout.trimEnd().endsWith('}')).toBe(true);
    expect(r.stdout.match(/ -> /g)).toHaveLength(4);
    expect(r.stdout.match(/shape=/g)).toHaveLength(5);
    expect(r.stdout).toContain('"denoiser" -> "decoder" [label="latents → latents\\ntensor:latents"]');
  });

  it('rejects an unknown format with exit 2', async () => {
    const r = await runCli(['graph', 'pipelines/text-to-video.yaml', '--format', 'svg']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument 'svg' is invalid");
  });
});
