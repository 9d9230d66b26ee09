/**
 * The pipeline file format as zod schemas: the single source the loader validates with and
 * `reel schema` turns into JSON Schema. Stage `options:` are checked per kind (each kind's own
 * schema in stages/); here they are an open mapping.
 */
import { z } from 'zod';

/**
 * Most threads one session may ask for: more than any machine reel runs on has cores (ORT starts
 * them all at once; 10,000 started ~20,000 threads and the process could not exit).
 */
export const MAX_SESSION_THREADS = 256;

export const PROVIDERS = ['tensorrt', 'cuda', 'webgpu', 'cpu'] as const;
export const Provider = z.enum(PROVIDERS);
export type Provider = z.infer<typeof Provider>;

/** `[tensorrt, cuda, webgpu, cpu]` or a single name. */
export const ProviderList = z
  .union([Provider, z.array(Provider).min(1)])
  .describe(
    "Execution provider preference, tried in order: tensorrt, cuda, webgpu, cpu. Default [cpu]. webgpu runs on the GPU through onnxruntime-node's WebGPU provider (Vulkan), on one GPU thread per process.",
  );

/**
 * TensorRT settings. The node binding passes only deviceId, so these are applied through
 * ONNX Runtime's ORT_TENSORRT_* environment variables while the session is created.
 */
export const TensorRtSettings = z
  .strictObject({
    fp16: z.boolean().optional().describe('Allow FP16 kernels (ORT_TENSORRT_FP16_ENABLE). Default false.'),
    int8: z
      .boolean()
      .optional()
      .describe('Allow INT8 kernels (ORT_TENSORRT_INT8_ENABLE); needs calibrationTable. Default false.'),
    calibrationTable: z
      .string()
      .optional()
      .describe('INT8 calibration table file, relative to the pipeline (ORT_TENSORRT_INT8_CALIBRATION_TABLE_NAME).'),
    engineCache: z
      .string()
      .optional()
      .describe('Folder for built engines, relative to the pipeline (ORT_TENSORRT_CACHE_PATH); enables the cache.'),
    timingCache: z
      .string()
      .optional()
      .describe('Folder for the timing cache, relative to the pipeline (ORT_TENSORRT_GLOBAL_CACHE_PATH); enables it.'),
    maxWorkspaceBytes: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Builder workspace, bytes (ORT_TENSORRT_MAX_WORKSPACE_SIZE).'),
    minSubgraphSize: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Smallest subgraph given to TensorRT, nodes (ORT_TENSORRT_MIN_SUBGRAPH_SIZE).'),
    profileShapes: z
      .strictObject({ min: z.string(), opt: z.string(), max: z.string() })
      .optional()
      .describe('Optimization profile, e.g. min "mel:1x80x64" (ORT_TENSORRT_PROFILE_MIN_SHAPES etc.).'),
  })
  .describe('TensorRT execution provider settings.');

export const ThreadSettings = z
  .strictObject({
    intraOp: z
      .number()
      .int()
      .min(0)
      .max(MAX_SESSION_THREADS)
      .optional()
      .describe(`Threads inside one operator (0 = ORT default), at most ${MAX_SESSION_THREADS}. Default 1.`),
    interOp: z
      .number()
      .int()
      .min(0)
      .max(MAX_SESSION_THREADS)
      .optional()
      .describe(`Threads across operators (0 = ORT default), at most ${MAX_SESSION_THREADS}. Default 1.`),
    spinning: z.boolean().optional().describe('Let idle ORT threads spin (burns a core while waiting). Default false.'),
  })
  .describe('CPU threading of the stage session.');

/** Execution settings a stage may set and the pipeline may default. */
const executionFields = {
  provider: ProviderList.optional(),
  strict: z
    .boolean()
    .optional()
    .describe('Fail when the first provider does not load instead of falling back. Default false.'),
  deviceId: z.number().int().min(0).optional().describe('GPU index for cuda/tensorrt. Default 0.'),
  threads: z
    .union([z.literal('auto'), ThreadSettings])
    .optional()
    .describe(
      'CPU threading of the stage session; "auto" (the default) lets the run\'s core budget choose intra-op threads.',
    ),
  queue: z.number().int().min(1).max(64).optional().describe('Packets buffered on each input edge, chunks. Default 2.'),
  warmup: z.number().int().min(0).max(100).optional().describe('Warm-up runs before the first chunk. Default 1.'),
  tensorrt: TensorRtSettings.optional(),
  precision: z
    .enum(['fp32', 'fp16', 'int8'])
    .optional()
    .describe(
      "Numeric precision of the stage's models: fp16 (weights and compute in float16, float32 at the edges) or int8 (static QDQ from the stage's calibration ranges, else dynamic INT8 of MatMul/Gemm), built from the model on first use and cached. Default fp32 (the model as it is).",
    ),
};

export const Defaults = z.strictObject(executionFields).describe('Execution settings every stage inherits.');

/** `stage.port` or `inputs.name`. */
export const WireRef = z
  .string()
  .regex(/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)?$/, 'expected "stage.port" or "inputs.name"')
  .describe('Where the port reads from: "inputs.<name>" or "<stage>.<port>".');

const ModelRef = z
  .union([z.string().min(1), z.record(z.string(), z.string().min(1))])
  .describe(
    'ONNX model file (relative to this YAML file), or a mapping slot → file. Default: the bundled reference model.',
  );

const OptionsMap = z.record(z.string(), z.unknown()).describe("Options of the stage kind; see the kind's docs.");

export const StageEntry = z
  .strictObject({
    use: z.string().min(1).describe('Stage kind (`reel kinds` lists them; `reel kinds KIND` shows one).'),
    doc: z.string().optional().describe('Free text shown by `reel graph`.'),
    model: ModelRef.optional(),
    options: OptionsMap.optional(),
    in: z.record(z.string(), WireRef).optional().describe('Input port → source.'),
    concurrency: z
      .union([z.literal('auto'), z.number().int().min(1).max(64)])
      .optional()
      .describe(
        'Parallel instances (workers), outputs kept in order. "auto" (the default): one to start, more while the run measures this stage as the one that holds the others back and the core budget has room.',
      ),
    batch: z
      .strictObject({
        max: z.number().int().min(1).max(1024).describe('Largest batch, packets.'),
        delayMs: z.number().min(0).max(10_000).optional().describe('Longest wait for a fuller batch, ms. Default 5.'),
      })
      .optional()
      .describe('Dynamic batching across concurrent clips.'),
    cache: z
      .boolean()
      .optional()
      .describe(
        'Cache outputs on disk, content-addressed; only kinds that cache (text-encoder) take it. Default true there.',
      ),
    calibration: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Activation ranges for precision: int8 (a .ranges.json written by reel models quantize --calibrate), relative to this file: the stage gets a static INT8 variant calibrated on your samples.',
      ),
    ...executionFields,
  })
  .describe('One stage instance.');

export const INPUT_TYPES = ['audio', 'video', 'image', 'text'] as const;

export const InputEntry = z
  .strictObject({
    type: z
      .enum(INPUT_TYPES)
      .describe('What the input file holds. An image bound to a video input becomes a still video.'),
    doc: z.string().optional(),
    from: z
      .string()
      .optional()
      .describe(
        'Another input whose file this one reads when --input NAME is not given (e.g. a voice prompt from the audio track of the input "video").',
      ),
    options: OptionsMap.optional(),
  })
  .describe('A pipeline input, bound at run time with --input NAME=PATH.');

export const OUTPUT_FORMATS = ['wav', 'mp4'] as const;

export const OutputEntry = z
  .strictObject({
    write: z.enum(OUTPUT_FORMATS).describe('Container written: wav (audio) or mp4 (H.264 + AAC).'),
    doc: z.string().optional(),
    in: z
      .record(z.string(), WireRef)
      .describe('Sink port → source, e.g. {frames: lipsync.frames, audio: voice.audio}.'),
    options: OptionsMap.optional(),
  })
  .describe('A pipeline output, written to --out DIR.');

export const Chunking = z
  .strictObject({
    seconds: z.number().positive().max(3600).optional().describe('Length of one chunk, seconds. Default 10.'),
    // Accepted so that old pipelines still load; the graph builder notes that it does nothing.
    overlap: z
      .unknown()
      .optional()
      .meta({ deprecated: true })
      .describe('No longer has an effect: chunks are exact ranges and stages read their neighbouring chunks.'),
    splitAtSilence: z
      .union([z.literal(false), z.number().min(0).max(60)])
      .optional()
      .describe(
        'Move each cut within ± this many seconds (to the point splitAt names); false = cut exactly. Default 1.',
      ),
    splitAt: z
      .enum(['quietest', 'vad'])
      .optional()
      .describe(
        'Where a cut moves to within the search: quietest = the least loud 10 ms (RVC); vad = the middle of the longest pause that Silero VAD finds (the quietest point where it finds none). Default quietest.',
      ),
  })
  .refine((c) => !(c.splitAt === 'vad' && (c.splitAtSilence === false || c.splitAtSilence === 0)), {
    message:
      'splitAt: vad moves cuts within the search, but splitAtSilence turns the search off; give splitAtSilence seconds (e.g. 1) or drop splitAt',
    path: ['splitAt'],
  })
  .describe('How long inputs are cut into chunks.');

export const Profile = z
  .strictObject({
    doc: z.string().optional(),
    set: z.record(z.string(), z.unknown()).describe('Overrides, keyed like --set: "stages.dit.options.steps": 24.'),
  })
  .describe('A named override set, applied with --profile NAME.');

export const PipelineFile = z
  .strictObject({
    version: z.literal(1).describe('Pipeline format version.'),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][\w.-]*$/, 'letters, digits, "-", "_" or "."')
      .describe('Pipeline name.'),
    doc: z.string().optional(),
    inputs: z.record(z.string(), InputEntry),
    stages: z.record(z.string(), StageEntry).default({}),
    outputs: z.record(z.string(), OutputEntry),
    chunking: Chunking.optional(),
    defaults: Defaults.optional(),
    profiles: z.record(z.string(), Profile).optional(),
    kinds: z
      .array(z.string().min(1))
      .optional()
      .describe(
        'Modules of stage kinds of your own, relative to this file: every transform each exports (defineTransform) is a kind that use: names. reel kinds --kinds FILE lists them.',
      ),
  })
  .describe('A reel pipeline.');

export type PipelineFile = z.infer<typeof PipelineFile>;
export type StageEntry = z.infer<typeof StageEntry>;
export type InputEntry = z.infer<typeof InputEntry>;
export type OutputEntry = z.infer<typeof OutputEntry>;
