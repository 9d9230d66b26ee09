/**
 * The `reel` command line. Parses arguments (commander), runs one command, and turns any failure
 * into readable lines on stderr plus the exit code of the CLI contract. The only code that prints
 * (through CliIo) or decides an exit status.
 */
import { versions } from '../core/versions.ts';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { closest } from '../config/did-you-mean.ts';
import { EXIT, ReelError } from '../core/errors.ts';

// Commands are imported when they run: `reel --help` then loads none of the runtime (rxjs, zod,
// yaml, ONNX Runtime), which is most of its start-up.
import type { BatchFlags } from './commands/batch.ts';
import type { WorkerFlags } from './commands/worker.ts';
import type { BenchFlags } from './commands/bench.ts';
import type { CacheCleanFlags } from './commands/cache.ts';
import type { RunFlags } from './commands/run.ts';
import { processIo, type CliIo } from './io.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** An option whose value is one of `values`: the help lists them, and a typo gets a did-you-mean. */
function choiceOption(flags: string, description: string, values: readonly string[]): Option {
  return new Option(flags, description).choices(values).argParser((value: string) => {
    if (values.includes(value)) return value;
    const near = closest(value, values);
    const listed = `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
    throw new InvalidArgumentError(`expected ${listed}${near ? ` — did you mean "${near}"?` : ''}`);
  });
}

function program(io: CliIo, result: { code: number }): Command {
  const run = (fn: () => Promise<number>) => async () => {
    result.code = await fn();
  };
  const root = new Command('reel')
    .description('Streaming DAG engine for multi-stage ML media pipelines (ONNX Runtime + ffmpeg).')
    .version(reelVersion(), '-V, --version', 'print the version of reel, Node.js and ONNX Runtime')
    .option('--verbose', "print stack traces and causes with errors, and every stage's provider line")
    .showHelpAfterError('(run "reel --help" for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });

  const pipelineFlags = (cmd: Command) =>
    cmd
      .option('--profile <names>', 'apply named override sets declared under profiles: (fast,gpu: each in turn)')
      .option('--set <key=value>', 'override any YAML value, e.g. stages.dit.options.steps=24 (repeatable)', collect)
      .option('--kinds <module>', 'a module of stage kinds of your own, for use: by name (repeatable)', collect);

  pipelineFlags(
    root
      .command('validate')
      .description('check a pipeline (YAML, schema, graph, model files); loads no weights, runs nothing')
      .argument('<pipeline>', 'pipeline YAML file'),
  ).action((file: string, opts: { profile?: string; set?: string[] }) =>
    run(async () => (await import('./commands/validate.ts')).validateCommand(file, opts, io))(),
  );

  pipelineFlags(
    root
      .command('graph')
      .description('render a pipeline graph')
      .argument('<pipeline>', 'pipeline YAML file')
      .addOption(choiceOption('--format <format>', 'output format', ['mermaid', 'dot']).default('mermaid'))
      .option('-o, --output <file>', 'write to a file instead of stdout'),
  ).action((file: string, opts: { format: 'mermaid' | 'dot'; output?: string; profile?: string; set?: string[] }) =>
    run(async () => (await import('./commands/graph.ts')).graphCommand(file, opts, io))(),
  );

  pipelineFlags(
    root
      .command('run')
      .description('run a pipeline over one clip')
      .argument('<pipeline>', 'pipeline YAML file')
      .option('--input <name=path>', 'bind a pipeline input to a file (repeatable)', collect)
      .option('--out <dir>', 'output folder', 'out')
      .option('--trace <file.json>', 'write a Chrome trace (open in Perfetto): one span per stage per chunk')
      .option('--metrics <file.json>', 'write per-stage metrics')
      .option('--cores <n>', 'cores the run may keep busy: split across stages as replicas and threads (default: all)')
      .addOption(
        choiceOption(
          '--progress <mode>',
          'auto: a status line redrawn on a terminal, else nothing; plain: a line per chunk written; json: a JSON event per chunk (stderr)',
          ['auto', 'plain', 'json'],
        ).default('auto'),
      )
      .option('--quiet', 'print only errors and the files written')
      .addOption(
        choiceOption('--provider <name>', 'prefer this execution provider for every stage', [
          'cpu',
          'cuda',
          'tensorrt',
          'webgpu',
        ]),
      )
      .addOption(
        choiceOption('--mode <mode>', 'pipelined (stages overlap) or sequential (baseline)', [
          'pipelined',
          'sequential',
        ]).default('pipelined'),
      )
      .addHelpText(
        'after',
        '\nA pipelined run starts the replicas that the last run of the same stages measured for (stage costs\n' +
          'are kept in $REEL_STATE_DIR, else $XDG_STATE_HOME/reel, else ~/.local/state/reel); REEL_REMEMBER_COSTS=0\n' +
          'measures afresh.',
      ),
  ).action((file: string, opts: RunFlags) =>
    run(async () => (await import('./commands/run.ts')).runCommand(file, opts, io))(),
  );

  pipelineFlags(
    root
      .command('batch')
      .description('render a folder (or CSV/JSONL manifest) of samples, resumably; exit 3 if any failed')
      .argument('<pipeline>', 'pipeline YAML file')
      .argument('<samples>', 'folder of samples (subfolders or files named after the inputs) or a manifest')
      .requiredOption('--out <dir>', 'output folder: <dir>/<sample>/…, the journal, report.csv and report.json')
      .option('--jobs <n>', 'samples rendered at once: a number, or auto (one per 3 cores, 2 at least)', 'auto')
      .option('--retries <n>', 'runs again after a runtime failure (never after a bad input)', '1')
      .option('--force', 'redo every sample, even those done and verified')
      .option('--queue <url>', 'render on `reel worker` processes through this Redis: redis://HOST:PORT[/DB]')
      .option('--cores <n>', 'cores the batch may keep busy, shared by its jobs (default: all)')
      .addOption(
        choiceOption(
          '--progress <mode>',
          'auto: status redrawn in place on a terminal, else plain; plain: one line per finished sample; json: one JSON event per line',
          ['auto', 'plain', 'json'],
        ).default('auto'),
      ),
  ).action((file: string, samples: string, opts: BatchFlags) =>
    run(async () => (await import('./commands/batch.ts')).batchCommand(file, samples, opts, io))(),
  );

  root
    .command('worker')
    .description('render jobs queued by `reel batch --queue` until SIGTERM; several machines can run one each')
    .requiredOption(
      '--queue <url>',
      'the Redis the batches queue on: redis://HOST:PORT[/DB] (password: URL or REEL_REDIS_PASSWORD)',
    )
    .option('--jobs <n>', 'jobs rendered at once: a number, or auto (one per 3 cores, 2 at least)', 'auto')
    .option('--cores <n>', 'cores the jobs in hand share (default: all)')
    .option(
      '--drain-timeout <s>',
      'on SIGTERM, how long jobs in hand may finish before they go back to the queue',
      '60',
    )
    .option(
      '--pipelines <dir>',
      "where to look for a job's pipeline by content when its file is not where the job says",
    )
    .action((opts: WorkerFlags) => run(async () => (await import('./commands/worker.ts')).workerCommand(opts, io))());

  pipelineFlags(
    root
      .command('bench')
      .description('measure a pipeline at several clip lengths, pipelined vs sequential (each run in a fresh process)')
      .argument('<pipeline>', 'pipeline YAML file')
      .option(
        '--input <name=path>',
        'bind a pipeline input; audio and video are looped/cut to each clip length (repeatable)',
        collect,
      )
      .option('--clip-seconds <list>', 'clip lengths, seconds', '5,10,30')
      .option('--repeat <n>', 'runs per clip length and mode', '1')
      .option('--mode <list>', 'pipelined and/or sequential', 'pipelined,sequential')
      .option('--cores <n>', 'cores each run may keep busy (default: all)')
      .option('--csv <file>', 'write one row per run')
      .option('--html <file>', 'write a report with stage timelines')
      .option(
        '--compare-precision',
        "also run each model's FP16 and INT8 variants on its stage's recorded feeds: speed and difference (CSV: FILE.precision.csv, and the HTML report)",
      ),
  ).action((file: string, opts: BenchFlags) =>
    run(async () => (await import('./commands/bench.ts')).benchCommand(file, opts, io))(),
  );

  root
    .command('kinds')
    .description('list the stage kinds; with KIND: its ports, models, item and every option with default and range')
    .argument('[kind]', 'a stage kind, e.g. wav2lip')
    .option('--kinds <module>', 'list the kinds of this module of your own too (repeatable)', collect)
    .action((kind: string | undefined, opts: { kinds?: string[] }) =>
      run(async () => (await import('./commands/kinds.ts')).kindsCommand(kind, io, opts.kinds))(),
    );

  root
    .command('schema')
    .description('print the JSON Schema of the pipeline format (for editors)')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action((opts: { output?: string }) =>
      run(async () => (await import('./commands/schema.ts')).schemaCommand(opts, io))(),
    );

  root
    .command('doctor')
    .description('report what is installed: ffmpeg, ffprobe, execution providers, versions')
    .action(() => run(async () => (await import('./commands/doctor.ts')).doctorCommand(io))());

  const models = root.command('models').description('reference models, and precision variants of any model');
  models
    .command('build')
    .description('write the reference models (deterministic)')
    .addOption(choiceOption('--scale <scale>', 'model size', ['tiny', 'medium']).default('tiny'))
    .option('--out <dir>', 'output folder (default: models/build/<scale>)')
    .action((opts: { scale: 'tiny' | 'medium'; out?: string }) =>
      run(async () => (await import('./commands/models.ts')).modelsBuildCommand(opts, io))(),
    );
  models
    .command('inspect')
    .description("print an ONNX model's inputs, outputs, opset, parameters and size")
    .argument('<model>', 'ONNX file')
    .option(
      '--family <family>',
      "also check the file against this family's contract (what to change if it does not fit)",
    )
    .action((file: string, opts: { family?: string }) =>
      run(async () => (await import('./commands/models.ts')).modelsInspectCommand(file, io, opts))(),
    );

  const sampleFlags = (cmd: Command) =>
    pipelineFlags(
      cmd
        .option('--input <name=path>', 'bind an input of the pipeline (repeatable)', collect)
        .option('--stage <id>', 'the stage that runs the model (default: the stage whose model file it is)')
        .option(
          '--runs <n>',
          'model runs recorded at most, spread evenly over the clip (a token-by-token model runs many times per chunk)',
          '32',
        ),
    );
  sampleFlags(
    models
      .command('quantize')
      .description("write an INT8 variant: static (QDQ) from ranges measured on a pipeline's own feeds, or dynamic")
      .argument('<model>', 'ONNX file (float32)')
      .requiredOption(
        '--out <file>',
        'the INT8 model to write; with --calibrate also FILE.ranges.json and FILE.calibration.cache',
      )
      .option('--calibrate <pipeline>', 'measure activation ranges by running this pipeline on --input samples')
      .addOption(
        choiceOption('--method <method>', 'how a range is taken from the values seen', [
          'minmax',
          'percentile',
          'entropy',
        ]).default('minmax'),
      )
      .option('--per-channel', 'one weight scale per output column of MatMul/Gemm (Conv always has per-channel scales)')
      .option(
        '--family <family>',
        "check the result against this family's contract (known from the stage with --calibrate)",
      )
      .addHelpText(
        'after',
        '\nExamples:\n  reel models quantize models/build/medium/hifigan.onnx --out hifigan.int8.onnx \\\n' +
          '    --calibrate pipelines/talking-head.yaml --profile fast --input script=samples/talking-head/long/script.txt \\\n' +
          '    --input face=samples/talking-head/long/face.png --set stages.vocoder.model=models/build/medium/hifigan.onnx\n' +
          '  reel models quantize vallex-ar.onnx --out vallex-ar.int8.onnx          # dynamic: MatMul weights only',
      ),
  ).action((file: string, opts: Record<string, unknown>) =>
    run(async () =>
      (await import('./commands/models-precision.ts')).modelsQuantizeCommand(
        file,
        { ...opts, pipeline: opts.calibrate } as never,
        io,
      ),
    )(),
  );
  models
    .command('convert')
    .description('write a float16 variant: weights and compute in float16, float32 inputs and outputs kept')
    .argument('<model>', 'ONNX file (float32)')
    .requiredOption('--out <file>', 'the model to write')
    .option('--fp16', 'convert to float16 (the one conversion there is)')
    .option('--family <family>', "check the result against this family's contract")
    .action((file: string, opts: { out: string; fp16?: boolean; family?: string }) =>
      run(async () => (await import('./commands/models-precision.ts')).modelsConvertCommand(file, opts, io))(),
    );
  sampleFlags(
    models
      .command('compare')
      .description(
        'run two variants of a model on the same recorded feeds of a pipeline: time per run and output difference',
      )
      .argument('<a>', 'the reference model (float32), as the stage runs it')
      .argument('<b>', 'the variant to judge')
      .requiredOption('--pipeline <pipeline>', 'the pipeline whose stage feeds both models')
      .option('--csv <file>', 'also write the figures as CSV'),
  ).action((a: string, b: string, opts: Record<string, unknown>) =>
    run(async () => (await import('./commands/models-precision.ts')).modelsCompareCommand(a, b, opts as never, io))(),
  );

  const cache = root
    .command('cache')
    .description('the disk cache of computed tensors (prompt embeddings): size, cap, cleaning')
    .addHelpText(
      'after',
      '\nThe folder: $REEL_CACHE_DIR, else $XDG_CACHE_HOME/reel, else ~/.cache/reel. Its cap: REEL_CACHE_MAX\n' +
        '(bytes or 500M, 2G; default 2G; 0 turns the cache off); past it the least recently used entries go.\n\n' +
        'Examples:\n  reel cache ls\n  reel cache clean --older-than 7d\n  reel cache clean --max-size 500M',
    );
  cache
    .command('ls')
    .description('print the cache folder, its entries and size, the cap, and the oldest and newest use')
    .option('--json', 'one JSON object instead of text')
    .action((opts: { json?: boolean }) =>
      run(async () => (await import('./commands/cache.ts')).cacheLsCommand(opts, io))(),
    );
  cache
    .command('clean')
    .description('remove cache entries (all by default) and the fan-out folders left empty')
    .option('--older-than <duration>', 'only entries unused for this long: 90s, 30m, 12h, 7d, 2w')
    .option('--max-size <size>', 'remove the least recently used until at most this is left: 500M, 1G, bytes')
    .option('--json', 'print what was removed as one JSON object')
    .addHelpText(
      'after',
      '\nRefuses (exit 2) a folder that is /, the home folder, or holds anything but its fan-out folders.\n\n' +
        'Examples:\n  reel cache clean\n  reel cache clean --older-than 7d --max-size 1G',
    )
    .action((opts: CacheCleanFlags) =>
      run(async () => (await import('./commands/cache.ts')).cacheCleanCommand(opts, io))(),
    );

  return root;
}

/** `reel 0.1.0 (node v20.20.2, onnxruntime-node 1.30.0)`: read from the package files, nothing loaded. */
function reelVersion(): string {
  const v = versions();
  return `reel ${v.reel} (node ${v.node}, onnxruntime-node ${v.onnxruntime})`;
}

export { removeOwnDebugLogAtExit } from '../inference/ort-debug-files.ts';

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const verbose = argv.includes('--verbose');
  const ioWithVerbose = { ...io, verbose };
  const result = { code: EXIT.ok as number };
  try {
    await program(ioWithVerbose, result).parseAsync([...argv], { from: 'user' });
    return result.code;
  } catch (err) {
    return reportFailure(err, ioWithVerbose);
  }
}

function reportFailure(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    // Help and version end with a "success" CommanderError; their text is already printed.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
      return EXIT.ok;
    if (err.code === 'commander.help') return EXIT.ok;
    return EXIT.usage; // commander already printed "error: ..." through io.err
  }
  if (err instanceof ReelError) {
    for (const line of err.lines()) io.err(line);
    if (io.verbose) io.err(String(err.stack ?? err));
    if (io.verbose && err.cause) io.err(`cause: ${String((err.cause as Error).stack ?? err.cause)}`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.err(`reel: internal error: ${message}${io.verbose ? '' : ' (run with --verbose for details)'}`);
  if (io.verbose && err instanceof Error) io.err(String(err.stack));
  return EXIT.runtime;
}
