/**
 * Loaded pipeline → validated PipelineGraph. Checks, in order: node names, stage kinds and
 * options, wiring and port types, cycles, reachability (stages no output needs are pruned with a
 * note — how a profile switches a branch off), unused inputs, and model files. All problems are
 * reported together; notes go back to the caller to print.
 */
import { fileProblem } from '../config/file-problem.ts';
import { onnxModelProblem } from '../onnx/model-file-problem.ts';
import type { LoadedPipeline } from '../config/load.ts';
import { ConfigError, type Issue } from '../core/errors.ts';
import { itemSpecOf } from '../core/stage.ts';
import { buildNodes, type ModelBinding, type ReferenceModelPath, type StageRegistry } from './nodes.ts';
import { findCycle, reachingAny, topologicalOrder } from './order.ts';
import type { ChunkingSpec, GraphEdge, GraphNode, PipelineGraph } from './types.ts';
import { buildEdges } from './wiring.ts';

export interface BuildOptions {
  registry: StageRegistry;
  referenceModel: ReferenceModelPath;
}

export interface BuiltGraph {
  graph: PipelineGraph;
  /** Things worth saying that are not errors (pruned stages, inputs a profile leaves unused). */
  notes: Issue[];
}

export async function buildGraph(loaded: LoadedPipeline, options: BuildOptions): Promise<BuiltGraph> {
  const { nodes, models, issues, broken } = buildNodes(loaded, options.registry, options.referenceModel);
  const { edges, issues: wiringIssues } = buildEdges(loaded, nodes, broken);
  issues.push(...wiringIssues);
  const { locations, doc } = loaded;

  const ids = [...nodes.keys()];
  const next = adjacency(edges, (e) => [e.from.node, e.to.node]);
  const previous = adjacency(edges, (e) => [e.to.node, e.from.node]);
  const cycle = findCycle(ids, next);
  if (cycle) {
    issues.push({
      location: locations.key(['stages', cycle[0]]),
      message: `cycle: ${cycle.join(' → ')} — a stage cannot consume its own output, directly or through others`,
    });
  }
  if (Object.keys(doc.outputs).length === 0) {
    issues.push({
      location: locations.key(['outputs']),
      message: 'the pipeline declares no outputs — add one under "outputs:" (write: wav or mp4)',
    });
  }

  const notes: Issue[] = [];
  const sinks = ids.filter((id) => nodes.get(id)?.role === 'sink');
  const needed = reachingAny(sinks, previous);
  for (const id of Object.keys(doc.inputs)) {
    if (!nodes.has(id)) continue;
    if (!referencesInput(loaded, id)) {
      issues.push({
        location: locations.key(['inputs', id]),
        message: `input "${id}" is never used — wire it into a stage ("inputs.${id}") or remove it`,
      });
    } else if (!needed.has(id) && issues.length === 0) {
      notes.push({
        location: locations.key(['inputs', id]),
        message: `input "${id}" is not needed by any output${profileWords(loaded)} and will be ignored`,
        severity: 'note',
      });
    }
  }
  for (const id of Object.keys(doc.stages)) {
    if (nodes.has(id) && !needed.has(id)) {
      notes.push({
        location: locations.key(['stages', id]),
        message: `stage "${id}" feeds no output${profileWords(loaded)}; pruned`,
        severity: 'note',
      });
    }
  }

  notes.push(...chunkingNotes(loaded));
  issues.push(...concurrencyIssues(nodes, loaded));
  issues.push(
    ...(await precisionIssues(
      [...nodes.values()].filter((n) => needed.has(n.id)),
      loaded,
    )),
  );
  issues.push(
    ...(await checkModelFiles(
      models.filter((m) => needed.has(m.node)),
      loaded,
    )),
  );
  if (issues.length) throw new ConfigError(issues);

  const kept = new Map([...nodes].filter(([id]) => needed.has(id)));
  const keptEdges = edges.filter((e) => kept.has(e.from.node) && kept.has(e.to.node));
  const graph: PipelineGraph = {
    name: doc.name,
    file: loaded.file,
    nodes: kept as ReadonlyMap<string, GraphNode>,
    edges: keptEdges,
    order: topologicalOrder(
      [...kept.keys()],
      adjacency(keptEdges, (e) => [e.from.node, e.to.node]),
    ),
    chunking: chunkingSpec(doc.chunking),
  };
  return { graph, notes };
}

/** Whether any `in:` entry names the input, valid or not (a bad wire is reported on its own). */
function referencesInput(loaded: LoadedPipeline, id: string): boolean {
  const wirings = [...Object.values(loaded.doc.stages), ...Object.values(loaded.doc.outputs)].map((s) => s.in ?? {});
  return wirings.some((w) => Object.values(w).some((ref) => ref === `inputs.${id}` || ref === id));
}

/**
 * `calibration:` holds the activation ranges of a static INT8 variant: it needs `precision: int8`
 * (said at the key, not ignored) and a file that is there.
 */
async function precisionIssues(nodes: readonly GraphNode[], loaded: LoadedPipeline): Promise<Issue[]> {
  const issues: Issue[] = [];
  for (const node of nodes) {
    const file = node.settings.calibration;
    if (!file) continue;
    const location = loaded.locations.value(['stages', node.id, 'calibration']);
    if (node.settings.precision !== 'int8')
      issues.push({
        location,
        message: `stage "${node.id}": calibration ranges are for precision: int8, but the stage runs at ${node.settings.precision}; set precision: int8 or drop calibration`,
      });
    const problem = await fileProblem(file);
    if (problem)
      issues.push({
        location,
        message: `stage "${node.id}" calibration file: ${problem}: ${file} — paths are relative to the pipeline file; write one with reel models quantize --calibrate`,
      });
  }
  return issues;
}

/**
 * `concurrency: N` runs up to N items of a stage at once. The runtime hands every item its
 * neighbours and whole inputs, so any stateless kind may; a stateful one (a conv cache, a sentence
 * loop carried from chunk to chunk) must take its chunks one at a time, in order.
 */
function concurrencyIssues(nodes: ReadonlyMap<string, GraphNode>, loaded: LoadedPipeline): Issue[] {
  const issues: Issue[] = [];
  for (const node of nodes.values()) {
    if (node.settings.concurrency <= 1 || !itemSpecOf(node.def).stateful) continue;
    issues.push({
      location: loaded.locations.value(['stages', node.id, 'concurrency']),
      message:
        `stage "${node.id}": kind "${node.kind}" cannot run with concurrency ${node.settings.concurrency}: ` +
        'it carries state from each chunk to the next, so its chunks run one at a time, in order — use concurrency: 1',
    });
  }
  return issues;
}

/** `chunking.overlap` once set a seam crossfade; chunks are exact ranges now, so it does nothing. */
function chunkingNotes(loaded: LoadedPipeline): Issue[] {
  if (loaded.doc.chunking?.overlap === undefined) return [];
  return [
    {
      location: loaded.locations.key(['chunking', 'overlap']),
      message: 'chunking.overlap no longer has an effect (chunks are exact, stages read their neighbours) — remove it',
      severity: 'note',
    },
  ];
}

function profileWords(loaded: LoadedPipeline): string {
  return loaded.profile ? ` under profile "${loaded.profile}"` : '';
}

function adjacency(edges: readonly GraphEdge[], pick: (e: GraphEdge) => [string, string]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const e of edges) {
    const [a, b] = pick(e);
    const list = map.get(a) ?? [];
    if (!list.includes(b)) list.push(b);
    map.set(a, list);
  }
  return map;
}

export function chunkingSpec(c: LoadedPipeline['doc']['chunking']): ChunkingSpec {
  return {
    seconds: c?.seconds ?? 10,
    silenceSearchSeconds: c?.splitAtSilence === false ? 0 : (c?.splitAtSilence ?? 1),
    // Only when set: the default leaves the spec (and batch journals' pipeline hashes) as before.
    ...(c?.splitAt === 'vad' ? { splitAt: 'vad' as const } : {}),
  };
}

/** Named model files must exist and read as ONNX models (checked without loading them); reference models are built on demand. */
async function checkModelFiles(models: readonly ModelBinding[], loaded: LoadedPipeline): Promise<Issue[]> {
  const issues: Issue[] = [];
  await Promise.all(
    models
      .filter((m) => m.explicit)
      .map(async (m) => {
        const location = loaded.locations.value(m.keyPath);
        const what = `stage "${m.node}" model${m.multiSlot ? ` "${m.slot}"` : ''} file`;
        const problem = await fileProblem(m.file);
        if (problem) {
          issues.push({
            location,
            message: `${what}: ${problem}: ${m.file} — paths are relative to the pipeline file; omit "model" to use the bundled reference model`,
          });
          return;
        }
        const damaged = await onnxModelProblem(m.file).catch(
          (err: NodeJS.ErrnoException) => `cannot read (${err.code})`,
        );
        if (damaged)
          issues.push({
            location,
            message: `${what} ${m.file}: ${damaged} — export the model again (torch.onnx.export) or omit "model" to use the bundled reference model`,
          });
      }),
  );
  return issues;
}
