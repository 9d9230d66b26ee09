/**
 * `reel run <pipeline.yaml> --input NAME=PATH... [--out DIR] [--set K=V]... [--profile NAME]
 *   [--trace FILE.json] [--metrics FILE.json] [--provider cpu|cuda|tensorrt] [--mode pipelined|sequential]`
 * Binds inputs, runs the graph, writes the outputs (atomically) and, on request, the trace and
 * metrics. SIGINT/SIGTERM cancel cleanly (exit 130/143); nothing appears under a final name.
 */
import { rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { BATCH_STATE_DIR } from '../../batch/journal.ts';
import { lockOutputFolder } from '../../batch/lock.ts';
import { suggestion } from '../../config/did-you-mean.ts';
import { fileProblem } from '../../config/file-problem.ts';
import { CancelledError, ConfigError, formatIssue, MediaError, UsageError, type Issue } from '../../core/errors.ts';
import { removePartialOutputs } from '../../media/atomicOutput.ts';
import { probe } from '../../media/probe.ts';
import { readTextInput } from '../../media/text-input.ts';
import { truncatedWavError } from '../../media/wav-truncation.ts';
import type { GraphNode, PipelineGraph } from '../../graph/types.ts';
import type { RunMetrics } from '../../metrics/stage-metrics.ts';
import {
  abortOnSignals,
  openCostMemory,
  runPipeline,
  writeMetrics,
  writeTrace,
  type ExecutionMode,
} from '../../runtime/index.ts';
import { warningLine } from '../../core/warning-line.ts';
import { providerLineFilter } from '../provider-lines.ts';
import { runProgress, type ProgressMode } from '../run-progress.ts';
import type { CliIo } from '../io.ts';
import { type PlannedFile, writePlanIssues } from '../write-plan.ts';
import { loadGraph } from '../pipeline.ts';

export interface RunFlags {
  input?: string[];
  out?: string;
  set?: string[];
  /** `--kinds FILE`: modules of stage kinds of the user's own. */
  kinds?: string[];
  profile?: string;
  trace?: string;
  metrics?: string;
  provider?: 'cpu' | 'cuda' | 'tensorrt' | 'webgpu';
  mode?: ExecutionMode;
  cores?: string;
  /** auto (a line redrawn on a terminal, else nothing), plain, json. */
  progress?: string;
  /** Errors and the files written only. */
  quiet?: boolean;
}

export async function runCommand(file: string, flags: RunFlags, io: CliIo): Promise<number> {
  const { graph, notes } = await loadGraph(file, { profile: flags.profile, set: flags.set, kinds: flags.kinds });
  // Notes (pruned branches) are for `validate`; a run mentions them only when asked.
  if (io.verbose) for (const note of notes) io.err(`note: ${formatIssue(note)}`);
  const cores = parseCores(flags.cores);
  const mode = progressMode(flags, io);
  await checkOutputPlaces(flags, graph);
  // The inputs are probed while the run starts its workers (the run waits for them before reading).
  const inputs = bindInputs(graph, flags.input ?? []);
  inputs.catch(() => undefined); // the run rethrows it
  for (const node of graph.nodes.values()) {
    // On the GPU thread a stage's replicas' calls meet, so there batch: can gather several.
    if (node.settings.batch && !node.settings.provider.includes('webgpu'))
      io.err(
        `note: stage "${node.id}": batch: gathers chunks of several clips; a single-clip run has one, so it has no effect here`,
      );
  }
  const outDir = path.resolve(flags.out ?? 'out');
  const run = flags.provider ? withProvider(graph, flags.provider) : graph;

  // Two runs (or a run and a batch) writing into one folder would both report success while the
  // later one's files win: the folder is held for the run.
  const folder = await holdOutputFolder(outDir);
  const signals = abortOnSignals();
  const providerLine = providerLineFilter(io.verbose);
  const progress = runProgress(run, mode, (line) => io.err(line));
  const say = (line: string) => {
    if (!flags.quiet) progress.say(line);
  };
  try {
    const runMode = flags.mode ?? 'pipelined';
    const result = await runPipeline(run, {
      inputs,
      outDir,
      mode: runMode,
      cores,
      // A pipelined run plans its replicas from the costs the last run of the same stages measured.
      costMemory: runMode === 'pipelined' ? await openCostMemory() : undefined,
      signal: signals.signal,
      onEvent: (event) => {
        progress.onEvent(event);
        if (event.type === 'budget') say(event.line);
        if (event.type !== 'log') return;
        // Which provider each stage got is news only when it was not the first choice.
        const line = providerLine(event.line);
        if (line !== undefined) say(event.level === 'warning' ? warningLine(event.stage, line) : line);
      },
    });
    progress.stop();
    if (flags.trace) await writeTrace(flags.trace, result.trace);
    if (flags.metrics) await writeMetrics(flags.metrics, result.metrics);
    for (const [name, files] of Object.entries(result.files)) for (const f of files) io.out(`${name}: ${f}`);
    say(runSummary(result.metrics));
    return 0;
  } catch (err) {
    progress.stop();
    if (signals.received() && err instanceof CancelledError) {
      io.err(`${graph.name}: cancelled by ${signals.received()}; no output was written`);
      return signals.exitCode();
    }
    throw err;
  } finally {
    signals.dispose();
    await folder.release();
  }
}

/**
 * Locks `outDir` for this run (batch/lock.ts); on release the lock's folder goes, and `outDir` too
 * when the run made it and left nothing in it (a run refused for a bad input leaves no folder).
 */
async function holdOutputFolder(outDir: string): Promise<{ release(): Promise<void> }> {
  const existed = await stat(outDir).then(
    () => true,
    () => false,
  );
  const lock = await lockOutputFolder(outDir, 'run');
  // Held: a partial output left at the top of it (a run killed with SIGKILL) is nobody's now.
  await removePartialOutputs(outDir);
  return {
    async release() {
      await lock.release();
      await rmdir(path.join(outDir, BATCH_STATE_DIR)).catch(() => undefined); // kept when a batch's journal is there
      if (!existed) await rmdir(outDir).catch(() => undefined); // kept when the run wrote into it
    },
  };
}

/** `--cores N`: a whole number of cores, at least one. */
export function parseCores(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const cores = Number(text);
  if (!Number.isInteger(cores) || cores < 1)
    throw new UsageError(`--cores ${text}: expected a whole number of cores, at least 1, e.g. --cores 4`);
  return cores;
}

/** `--jobs N|auto`: a whole number of jobs at once, at least one; `auto` is the caller's choice. */
export function parseJobs(text: string, auto: number): number {
  if (text === 'auto') return auto;
  const jobs = Number(text);
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new UsageError(`--jobs ${text}: expected auto or a whole number ≥ 1, e.g. --jobs 2`);
  return jobs;
}

/**
 * The run's last line: its time and memory, the stage that bounds it and how close it came to
 * that bound (start-up + max(the busiest stage's compute ÷ its instances, all compute ÷ cores)).
 */
export function runSummary(metrics: RunMetrics): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const busiest = metrics.stages.find((s) => s.stage === metrics.bottleneck);
  const bound = busiest
    ? `; busiest stage ${busiest.stage} (${seconds(busiest.busyMs)} compute on ${busiest.replicas} instance${busiest.replicas === 1 ? '' : 's'}), bound ${seconds(metrics.boundMs)}, efficiency ${Math.round(metrics.efficiency * 100)}%`
    : '';
  const gpu = metrics.gpuBusy === undefined ? '' : `; GPU busy ${Math.round(metrics.gpuBusy * 100)}%`;
  return `done in ${seconds(metrics.wallMs)} (start-up ${seconds(metrics.startupMs ?? 0)}), peak RSS ${(metrics.processPeakRssBytes / 2 ** 20).toFixed(0)} MiB${bound}${gpu}`;
}

/** What `--progress` and `--quiet` ask for, on this output. */
function progressMode(flags: RunFlags, io: CliIo): ProgressMode {
  const mode = flags.progress ?? 'auto'; // one of auto, plain, json: the CLI parser checked it
  if (flags.quiet) return 'none';
  if (mode !== 'auto') return mode as ProgressMode;
  // Redrawn in place only where a person watches: both streams on a terminal.
  return io.terminal && process.stderr.isTTY ? 'auto' : 'none';
}

/** `--input NAME=PATH` → absolute paths, checked before anything runs (exit 2 on a mistake). */
/** `NAME=PATH` as [name, path]; undefined when either is missing. */
function splitInputFlag(flag: string): [string, string] | undefined {
  const eq = flag.indexOf('=');
  return eq > 0 && eq < flag.length - 1 ? [flag.slice(0, eq), flag.slice(eq + 1)] : undefined;
}

/** bindInputs for files given by input name (a batch sample, a queue job). */
export function bindInputFiles(
  graph: PipelineGraph,
  files: Readonly<Record<string, string>>,
): Promise<Record<string, string>> {
  return bindInputs(
    graph,
    Object.entries(files).map(([name, file]) => `${name}=${file}`),
  );
}

export async function bindInputs(graph: PipelineGraph, flags: readonly string[]): Promise<Record<string, string>> {
  const names = [...graph.nodes.values()].filter((n) => n.role === 'source').map((n) => n.binding ?? n.id);
  const issues: Issue[] = [];
  const bound: Record<string, string> = {};
  for (const flag of flags) {
    const [name, file] = splitInputFlag(flag) ?? ['', ''];
    if (!name) {
      issues.push({
        message: `--input ${flag}: expected NAME=PATH, e.g. --input ${names[0] ?? 'voice'}=samples/voice.wav`,
      });
      continue;
    }
    if (!names.includes(name)) {
      issues.push({
        message: `--input ${flag}: pipeline "${graph.name}" has no input "${name}"${suggestion(name, names, 'one of')}`,
      });
      continue;
    }
    if (Object.hasOwn(bound, name)) {
      issues.push({ message: `--input ${name} is given twice (${bound[name]} and ${file}) — give each input once` });
      continue;
    }
    const missing = await fileProblem(file);
    const problem = missing ? `${file}: ${missing}` : await mediaProblem(graph, name, file);
    if (problem) issues.push({ message: `--input ${name}: ${problem}` });
    bound[name] = path.resolve(file);
  }
  const fromOf = (name: string) => graph.nodes.get(name)?.inputFrom;
  const troubled = (name: string) =>
    issues.some((i) => i.message.includes(`--input ${name}`) || i.message.startsWith(`input "${name}"`));
  // Inputs that may read another input's file come last, once that input is known to be bound.
  for (const name of [...names].sort((a, b) => Number(fromOf(a) !== undefined) - Number(fromOf(b) !== undefined))) {
    if (name in bound || troubled(name)) continue;
    const from = fromOf(name);
    if (from !== undefined && troubled(from)) continue; // said for the input it reads
    if (from !== undefined && from in bound) {
      // Reads the file of another input (`from:`), e.g. the voice from the video's audio track.
      const problem = await mediaProblem(graph, name, bound[from]);
      if (problem)
        issues.push({
          message: `input "${name}" reads the file of input "${from}": ${problem} — add --input ${name}=PATH`,
        });
      bound[name] = bound[from];
    } else {
      issues.push({ message: `input "${name}" is not bound — add --input ${name}=PATH` });
    }
  }
  if (issues.length) throw new ConfigError(issues);
  return bound;
}

/** Media inputs are probed while the stages start: a wrong or corrupt file fails the run before any chunk is read. */
async function mediaProblem(graph: PipelineGraph, name: string, file: string): Promise<string | undefined> {
  const node = graph.nodes.get(name);
  const kind = node?.kind;
  if (kind === 'text-source') {
    // The same reading the text source does, so an unreadable script fails before any model loads.
    return readTextInput(file, Number(node!.options.maxBytes)).then(
      () => undefined,
      (err: unknown) => (err instanceof MediaError ? err.message : String(err)),
    );
  }
  if (kind !== 'audio-source' && kind !== 'video-source' && kind !== 'image-source') return undefined;
  try {
    const info = await probe(file);
    if (kind === 'audio-source' && !info.audio)
      return `${file}: has no audio stream — this input wants speech or other sound`;
    if (kind === 'audio-source' && info.truncated) return truncatedWavError(file, info.truncated).message;
    if (kind === 'audio-source' && info.duration !== undefined && info.duration <= 0)
      return `${file}: holds no audio (0 s)`;
    if (kind !== 'audio-source' && !info.video) return `${file}: has no picture — this input wants a video or an image`;
    return undefined;
  } catch (err) {
    return err instanceof MediaError ? err.message : String(err);
  }
}

/** `--provider X`: every inference stage prefers X, then CPU. */
function withProvider(graph: PipelineGraph, provider: 'cpu' | 'cuda' | 'tensorrt' | 'webgpu'): PipelineGraph {
  const preference = provider === 'cpu' ? (['cpu'] as const) : ([provider, 'cpu'] as const);
  const nodes = new Map<string, GraphNode>();
  for (const [id, node] of graph.nodes) {
    nodes.set(
      id,
      Object.keys(node.def.models ?? {}).length > 0
        ? { ...node, settings: { ...node.settings, provider: preference } }
        : node,
    );
  }
  return { ...graph, nodes };
}

/** Extensions of the file sinks (stages/media/*-sink.ts), to know their files before they exist. */
const SINK_EXTENSIONS: Readonly<Record<string, string>> = { 'wav-sink': 'wav', 'mp4-sink': 'mp4' };

/** The files the pipeline's sinks will write into `outDir`, by output name. */
function plannedOutputs(graph: PipelineGraph, outDir: string): PlannedFile[] {
  return [...graph.nodes.values()].flatMap((node) => {
    const ext = SINK_EXTENSIONS[node.kind];
    if (node.role !== 'sink' || !ext) return [];
    const name = node.binding ?? node.id;
    const file = (node.options.file as string | null | undefined) ?? `${name}.${ext}`;
    return [{ what: `output "${name}"`, file: path.resolve(outDir, file) }];
  });
}

/** Where the run will write, checked before anything runs: a missing folder is exit 2, not a lost trace. */
async function checkOutputPlaces(flags: RunFlags, graph: PipelineGraph): Promise<void> {
  const issues: Issue[] = [];
  if (flags.out) {
    const s = await stat(flags.out).catch(() => undefined);
    if (s && !s.isDirectory())
      issues.push({
        message: `--out ${flags.out}: is a file, not a folder — give a folder (it is created if missing)`,
      });
  }
  const pairs = (flags.input ?? []).map(splitInputFlag);
  const inputs = Object.fromEntries(pairs.filter((pair) => pair !== undefined));
  const extras = (['trace', 'metrics'] as const).flatMap((key) =>
    flags[key] ? [{ what: `--${key}`, file: flags[key]! }] : [],
  );
  issues.push(...(await writePlanIssues(extras, plannedOutputs(graph, path.resolve(flags.out ?? 'out')), inputs)));
  if (issues.length) throw new ConfigError(issues);
}
