/**
 * Whether a file can be an ONNX model, told from its top-level protobuf fields alone: a handful
 * of reads of a few bytes each, skipping over the graph, so `reel validate` still loads no
 * weights. Garbage bytes, a text file or an HTML error page saved as `.onnx`, and a download cut
 * short are refused before any stage starts, instead of by ONNX Runtime's "Protobuf parsing
 * failed" once the run is under way.
 */
import { open } from 'node:fs/promises';

// A ModelProto has a dozen top-level fields or so; past this many, ONNX Runtime is left to judge.
const MAX_FIELDS = 10_000;
// A tag and a varint are at most 10 bytes each.
const WINDOW = 24;

function readVarint(bytes: Buffer, at: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let i = 0, scale = 1; i < 10 && at + i < bytes.length; i++, scale *= 128) {
    const b = bytes[at + i];
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return { value, next: at + i + 1 };
  }
  return undefined;
}

/** What makes `file` no ONNX model, in words; undefined when its top level reads as one. */
export async function onnxModelProblem(file: string): Promise<string | undefined> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const window = Buffer.alloc(WINDOW);
    let hasGraph = false;
    let at = 0;
    for (let fields = 0; at < size; fields++) {
      if (fields === MAX_FIELDS) return undefined;
      const { bytesRead } = await handle.read(window, 0, WINDOW, at);
      const bytes = window.subarray(0, bytesRead);
      // ONNX Runtime's own format (a flatbuffer, `.ort`) loads too; it is not a protobuf.
      if (at === 0 && bytes.toString('latin1', 4, 8) === 'ORTM') return undefined;
      const tag = readVarint(bytes, 0);
      const field = tag ? Math.floor(tag.value / 8) : 0;
      const wire = tag ? tag.value % 8 : -1;
      if (!tag || field === 0 || ![0, 1, 2, 5].includes(wire))
        return `not an ONNX model: byte ${at} is not part of a protobuf (another kind of file, or a damaged one)`;
      let end: number;
      if (wire === 0) {
        const v = readVarint(bytes, tag.next);
        if (!v) return `is cut short or damaged: byte ${at} starts a number that does not end`;
        end = at + v.next;
      } else if (wire === 2) {
        const length = readVarint(bytes, tag.next);
        if (!length) return `is cut short or damaged: byte ${at} starts a length that does not end`;
        end = at + length.next + length.value;
        if (field === 7) hasGraph = true;
      } else end = at + tag.next + (wire === 1 ? 8 : 4);
      if (end > size)
        return `is cut short: field ${field} at byte ${at} runs to byte ${end} but the file holds ${size} bytes (an interrupted download or copy?)`;
      at = end;
    }
    return hasGraph ? undefined : 'not an ONNX model: it holds no graph';
  } finally {
    await handle.close();
  }
}
