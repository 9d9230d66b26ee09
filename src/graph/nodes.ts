/**
 * Pipeline document → graph nodes: each input becomes a source node, each stage a node of its
 * kind with its options checked by the kind's schema, each output a sink node. Model paths are
 * resolved here (relative to the pipeline file; absent = the family's reference model).
 */
import path from 'node:path';
import type { LoadedPipeline } from '../config/load.ts';
import { suggestion } from '../config/did-you-mean.ts';
import { zodIssues } from '../config/zod-issues.ts';
import type { Issue } from '../core/errors.ts';
import type { StageDefinition } from '../core/stage.ts';
import { nodeSettings } from './settings.ts';
import type { GraphNode } from './types.ts';

export interface StageRegistry {
  kinds: Readonly<Record<string, StageDefinition>>;
  sourceFor: Readonly<Record<string, string>>;
  sinkFor: Readonly<Record<string, string>>;
}

/** Where a stage's model comes from when `model:` does not name a file. */
export type ReferenceModelPath = (family: string) => string;

export interface ModelBinding {
  node: string;
  slot: string;
  family: string;
  file: string;
  /** True when the user named the file (it must exist); false for a bundled reference model. */
  explicit: boolean;
  /** The kind loads several models (messages then name the slot). */
  multiSlot: boolean;
  keyPath: string[];
}

const ID = /^[A-Za-z_][\w-]*$/;
const RESERVED = new Set(['inputs']);

export function buildNodes(
  loaded: LoadedPipeline,
  registry: StageRegistry,
  referenceModel: ReferenceModelPath,
): { nodes: Map<string, GraphNode>; models: ModelBinding[]; issues: Issue[]; broken: Set<string> } {
  const { doc, locations } = loaded;
  const nodes = new Map<string, GraphNode>();
  const models: ModelBinding[] = [];
  const issues: Issue[] = [];
  const seen = new Map<string, string>();
  /** Ids already reported as wrong: wiring to or from them is not reported again. */
  const broken = new Set<string>();

  const claimId = (id: string, section: string): boolean => {
    const keyPath = [section, id];
    if (!ID.test(id) || RESERVED.has(id)) {
      issues.push({
        location: locations.key(keyPath),
        message: `"${id}" cannot name ${section === 'stages' ? 'a stage' : section === 'inputs' ? 'an input' : 'an output'} — use letters, digits, "_" or "-", starting with a letter${RESERVED.has(id) ? ' ("inputs" is reserved)' : ''}`,
      });
      return false;
    }
    const other = seen.get(id);
    if (other) {
      issues.push({
        location: locations.key(keyPath),
        message: `"${id}" is already the name of ${other} — names of inputs, stages and outputs must differ`,
      });
      return false;
    }
    seen.set(id, `${section === 'stages' ? 'a stage' : section === 'inputs' ? 'an input' : 'an output'}`);
    return true;
  };

  const parseOptions = (def: StageDefinition, raw: unknown, keyPath: string[]): Record<string, unknown> | undefined => {
    const result = def.options.safeParse(raw ?? {});
    if (result.success) return result.data as Record<string, unknown>;
    issues.push(
      ...zodIssues(result.error, { schema: def.options, value: raw ?? {}, base: keyPath, locations }).map((i) => ({
        ...i,
        message: `${i.message.startsWith('unknown key') ? `${i.message.replace('unknown key', `unknown option`)}` : i.message}`,
      })),
    );
    return undefined;
  };

  for (const [id, input] of Object.entries(doc.inputs)) {
    if (!claimId(id, 'inputs')) continue;
    const def = registry.kinds[registry.sourceFor[input.type]];
    const options = parseOptions(def, input.options, ['inputs', id, 'options']);
    if (!options) {
      broken.add(id);
      continue;
    }
    nodes.set(id, {
      id,
      kind: def.kind,
      role: 'source',
      def,
      options,
      models: {},
      settings: nodeSettings({}, doc.defaults),
      location: locations.key(['inputs', id]),
      binding: id,
      ...(input.from === undefined ? {} : { inputFrom: input.from }),
    });
  }
  for (const [id, input] of Object.entries(doc.inputs)) {
    if (input.from === undefined) continue;
    const other = doc.inputs[input.from];
    const problem =
      input.from === id
        ? 'an input cannot read its own file'
        : !other
          ? `there is no input "${input.from}"${suggestion(input.from, Object.keys(doc.inputs), 'one of')}`
          : other.from !== undefined
            ? `input "${input.from}" itself reads another input's file; name the input that is bound ("${other.from}")`
            : input.type !== other.type && !(input.type === 'audio' && other.type === 'video')
              ? `a ${input.type} input cannot read the file of the ${other.type} input "${input.from}" (an audio input may read a video's sound track; otherwise the types must match)`
              : undefined;
    if (problem) issues.push({ location: locations.key(['inputs', id, 'from']), message: `from: ${problem}` });
  }

  for (const [id, stage] of Object.entries(doc.stages)) {
    if (!claimId(id, 'stages')) {
      broken.add(id);
      continue;
    }
    const def = Object.hasOwn(registry.kinds, stage.use) ? registry.kinds[stage.use] : undefined;
    const kinds = Object.values(registry.kinds)
      .filter((k) => k.role !== 'source' && k.role !== 'sink')
      .map((k) => k.kind);
    if (!def || def.role === 'source' || def.role === 'sink') {
      issues.push({
        location: locations.value(['stages', id, 'use']),
        message: `stage "${id}": unknown stage kind "${stage.use}"${suggestion(stage.use, kinds, 'one of')}`,
      });
      broken.add(id);
      continue;
    }
    const options = parseOptions(def, stage.options, ['stages', id, 'options']);
    if (stage.cache !== undefined && !def.accepts?.cache) {
      const caching = Object.values(registry.kinds)
        .filter((k) => k.accepts?.cache)
        .map((k) => `"${k.kind}"`);
      issues.push({
        location: locations.key(['stages', id, 'cache']),
        message: `stage "${id}": kind "${def.kind}" takes no "cache" setting (only ${caching.join(', ') || 'none'} ${caching.length > 1 ? 'do' : 'does'}) — remove it`,
      });
    }
    const bound = bindModels(id, def, stage.model, loaded, referenceModel, issues);
    models.push(...bound);
    if (!options) {
      broken.add(id);
      continue;
    }
    nodes.set(id, {
      id,
      kind: def.kind,
      role: def.role,
      def,
      options,
      models: Object.fromEntries(bound.map((b) => [b.slot, b.file])),
      settings: nodeSettings(stage, doc.defaults, { cache: def.accepts?.cache ?? false }, loaded.dir),
      location: locations.key(['stages', id]),
    });
  }

  for (const [id, output] of Object.entries(doc.outputs)) {
    if (!claimId(id, 'outputs')) {
      broken.add(id);
      continue;
    }
    const def = registry.kinds[registry.sinkFor[output.write]];
    const options = parseOptions(def, output.options, ['outputs', id, 'options']);
    if (!options) {
      broken.add(id);
      continue;
    }
    nodes.set(id, {
      id,
      kind: def.kind,
      role: 'sink',
      def,
      options,
      models: {},
      settings: nodeSettings({}, doc.defaults),
      location: locations.key(['outputs', id]),
      binding: id,
    });
  }
  return { nodes, models, issues, broken };
}

function bindModels(
  id: string,
  def: StageDefinition,
  model: string | Record<string, string> | undefined,
  loaded: LoadedPipeline,
  referenceModel: ReferenceModelPath,
  issues: Issue[],
): ModelBinding[] {
  const slots = Object.entries(def.models ?? {});
  const keyPath = ['stages', id, 'model'];
  if (model !== undefined && slots.length === 0) {
    issues.push({
      location: loaded.locations.key(keyPath),
      message: `stage "${id}": kind "${def.kind}" loads no model — remove "model"`,
    });
    return [];
  }
  const given: Record<string, string> = typeof model === 'string' ? { [slots[0]?.[0] ?? '']: model } : (model ?? {});
  const slotNames = slots.map(([s]) => s);
  for (const slot of Object.keys(given)) {
    if (!slotNames.includes(slot)) {
      issues.push({
        location: loaded.locations.key([...keyPath, slot]),
        message: `stage "${id}": kind "${def.kind}" has no model slot "${slot}"${suggestion(slot, slotNames, 'one of')}`,
      });
    }
  }
  return slots.map(([slot, spec]) => {
    const file = given[slot];
    const slotPath = typeof model === 'string' ? keyPath : [...keyPath, slot];
    return file === undefined
      ? {
          node: id,
          slot,
          family: spec.family,
          file: referenceModel(spec.family),
          explicit: false,
          multiSlot: slots.length > 1,
          keyPath: slotPath,
        }
      : {
          node: id,
          slot,
          family: spec.family,
          file: path.resolve(loaded.dir, file),
          explicit: true,
          multiSlot: slots.length > 1,
          keyPath: slotPath,
        };
  });
}
