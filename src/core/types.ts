/**
 * The vocabulary every other module speaks: port types, packets that flow on edges, and the
 * source locations that errors point at. Nothing here imports from the rest of reel.
 */

/** Media kinds a port can carry. `tensor:<name>` carries a tensor with a semantic name. */
export type MediaPortType = 'audio' | 'video' | 'image' | 'text';
export type TensorPortType = `tensor:${string}`;
export type PortType = MediaPortType | TensorPortType;

export const MEDIA_PORT_TYPES: readonly MediaPortType[] = ['audio', 'video', 'image', 'text'];

export function isPortType(value: string): value is PortType {
  return (MEDIA_PORT_TYPES as readonly string[]).includes(value) || /^tensor:[a-z][a-z0-9_-]*$/.test(value);
}

/**
 * Whether a value of type `from` may flow into a port of type `to`. An image is accepted where
 * video is expected: the source turns it into a still video at the consumer's fps.
 */
export function portAccepts(to: PortType, from: PortType): boolean {
  return to === from || (to === 'video' && from === 'image');
}

/** Where a value came from: a YAML file position, or a command-line override. */
export interface SourceLocation {
  file: string;
  /** 1-based; 0 when the value does not come from the file (a command-line override). */
  line: number;
  /** 1-based. */
  col: number;
  /** Set when the value was put there by `--set` or a profile rather than the file itself. */
  origin?: string;
}

export function formatLocation(loc: SourceLocation | undefined): string {
  if (!loc) return '';
  if (loc.line === 0) return loc.origin ?? loc.file;
  const at = `${loc.file}:${loc.line}:${loc.col}`;
  return loc.origin ? `${loc.origin} (${at})` : at;
}

/** Element types a tensor may hold; the names are onnxruntime's. */
export type TensorDType = 'float32' | 'float16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

export type TensorBuffer = Float32Array | Uint16Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;

/**
 * A tensor as it crosses threads: plain fields, so its buffer can be moved with a transfer list.
 * `new ort.Tensor(t.dtype, t.data, t.dims)` makes it an ort.Tensor without a copy.
 */
export interface TensorData {
  dtype: TensorDType;
  dims: readonly number[];
  data: TensorBuffer;
}

/**
 * Which part of a clip a packet holds: an exact, context-free time range. A stage that needs
 * context takes it from the item's neighbouring chunks (see core/item.ts), never from its packets.
 */
export interface ChunkInfo {
  /** The clip (job) this chunk belongs to; several clips may share a stage in batch mode. */
  clipId: string;
  /** 0-based, dense, in clip order. */
  index: number;
  /** Owned range, seconds: [start, end). */
  start: number;
  end: number;
  /** True on the clip's final chunk. */
  last: boolean;
}

export interface AudioPacket {
  kind: 'audio';
  chunk: ChunkInfo;
  sampleRate: number;
  channels: number;
  /** Index, in the clip, of the first sample in `data`. */
  startSample: number;
  /** Interleaved Float32 PCM in [-1, 1]. */
  data: Float32Array;
}

export interface VideoPacket {
  kind: 'video';
  chunk: ChunkInfo;
  width: number;
  height: number;
  fps: number;
  /** Index, in the clip, of the first frame in `data`. */
  startFrame: number;
  frameCount: number;
  /** `frameCount` frames of packed RGB24, row-major (or, with `frameMap`, the frames it points into). */
  data: Uint8Array;
  /**
   * A looped clip held whole: frame i of the packet is frame `frameMap[i]` of `data` (which holds
   * the loop once, in a buffer every chunk shares). Absent: frame i is the i-th frame of `data`.
   */
  frameMap?: Int32Array;
}

export interface TensorPacket {
  kind: 'tensor';
  chunk: ChunkInfo;
  /** Semantic name, the part after `tensor:` in the port type (e.g. `mel`, `latents`). */
  name: string;
  tensor: TensorData;
  /** Extra facts a consumer needs (e.g. frames per second of a mel, the hop). */
  meta?: Readonly<Record<string, number | string>>;
}

export interface TextPacket {
  kind: 'text';
  chunk: ChunkInfo;
  text: string;
}

export type Packet = AudioPacket | VideoPacket | TensorPacket | TextPacket;
