/**
 * `reel kinds [KIND]` — what `gst-inspect` is to GStreamer: every stage kind with its one-line
 * summary; for one kind its ports and packet types, model slots and families, what an item holds,
 * and every option with its type, range, default and description — read from the same zod schema
 * the loader validates with, so it cannot drift from what a pipeline accepts.
 */
import { z } from 'zod';
import { suggestion } from '../../config/did-you-mean.ts';
import { UsageError } from '../../core/errors.ts';
import { itemSpecOf, type PortSpec, type StageDefinition } from '../../core/stage.ts';
import type { CliIo } from '../io.ts';
import { commandLineKinds } from '../module-kinds.ts';
import { BUILTIN_REGISTRY } from '../pipeline.ts';

interface OptionSchema {
  type?: string | string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  default?: unknown;
  description?: string;
  anyOf?: OptionSchema[];
}

export async function kindsCommand(
  kind: string | undefined,
  io: CliIo,
  modules: readonly string[] = [],
): Promise<number> {
  const builtIn = BUILTIN_REGISTRY.kinds;
  const own = modules.length ? await commandLineKinds(modules, builtIn) : {};
  const kinds = { ...builtIn, ...own };
  if (kind === undefined) {
    const width = Math.max(...Object.keys(kinds).map((k) => k.length));
    for (const def of Object.values(kinds)) {
      const mine = Object.hasOwn(own, def.kind) ? ` (${def.module})` : '';
      io.out(`${def.kind.padEnd(width)}  ${def.role.padEnd(9)}  ${def.summary}${mine}`);
    }
    io.out('(reel kinds KIND: its ports, models and options)');
    return 0;
  }
  const def = Object.hasOwn(kinds, kind) ? kinds[kind] : undefined;
  if (!def) throw new UsageError(`unknown stage kind "${kind}"${suggestion(kind, Object.keys(kinds))}`);
  for (const line of describeKind(def)) io.out(line);
  return 0;
}

/** The lines `reel kinds KIND` prints. */
export function describeKind(def: StageDefinition): string[] {
  const lines = [`${def.kind} — ${def.summary}`];
  const thread = def.role === 'transform' && def.thread === 'worker' ? ' (on a worker thread of its own)' : '';
  lines.push(`role: ${def.role}${thread}`);
  const ports = (title: string, specs: Readonly<Record<string, PortSpec>>) => {
    if (Object.keys(specs).length === 0) return;
    lines.push(`${title}:`);
    for (const [name, spec] of Object.entries(specs)) {
      const flags = [spec.whole ? 'whole' : '', spec.loop ? 'looped' : '', spec.optional ? 'optional' : '']
        .filter(Boolean)
        .join(', ');
      lines.push(`  ${name}  ${spec.type}${flags ? ` (${flags})` : ''} — ${spec.doc}`);
    }
  };
  ports('inputs', def.inputs);
  ports('outputs', def.outputs);
  if (def.models && Object.keys(def.models).length > 0) {
    lines.push('models:');
    for (const [slot, m] of Object.entries(def.models))
      lines.push(`  ${slot}  family ${m.family} (contract: models/manifests) — ${m.doc}`);
  }
  if (def.role !== 'source') {
    const item = itemSpecOf(def);
    const { before, after } = item.neighbours;
    lines.push(
      `item: ${before} chunk(s) before and ${after} after; ${item.stateful ? 'stateful (one instance, chunks in order)' : 'stateless (may run as replicas)'}${item.evenCost && !item.stateful ? '; items of even cost (replicas may start during the first)' : ''}`,
    );
  }
  const schema = z.toJSONSchema(def.options, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, OptionSchema>;
  };
  const options = Object.entries(schema.properties ?? {});
  lines.push(options.length > 0 ? 'options:' : 'options: none');
  for (const [name, option] of options) lines.push(`  ${name}  ${describeOption(option)}`);
  return lines;
}

/** `integer 1–128, default 32 — Frames per …` */
function describeOption(o: OptionSchema): string {
  const variants = o.anyOf ?? [o];
  const type = variants
    .map((v) => {
      if (v.enum) return v.enum.map((e) => JSON.stringify(e)).join(' | ');
      const t = Array.isArray(v.type) ? v.type.join(' | ') : (v.type ?? 'any');
      const low = v.minimum ?? v.exclusiveMinimum;
      const range =
        low !== undefined || v.maximum !== undefined
          ? ` ${low ?? '…'}${v.exclusiveMinimum !== undefined ? ' (exclusive)' : ''}–${v.maximum ?? '…'}`
          : '';
      return `${t}${range}`;
    })
    .join(' or ');
  const fallback = o.default === undefined ? '' : `, default ${JSON.stringify(o.default)}`;
  return `${type}${fallback}${o.description ? ` — ${o.description}` : ''}`;
}
