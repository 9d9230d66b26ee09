/** Wav2Lip per-frame preparation and the batch runner over the reference model. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureReferenceModel } from '../../../models/reference.ts';
import { wav2lipMel } from '../../../src/dsp/index.ts';
import type { Box } from '../../../stages/shared/face-boxes.ts';
import { MANIFESTS } from '../../../models/manifests/index.ts';
import { DEFAULT_NODE_SETTINGS } from '../../../src/core/settings.ts';
import { openModel, type Model } from '../../../src/inference/model.ts';
import { resizeBilinear } from '../../../stages/shared/image-resize.ts';
import { pasteFace, wav2lipFaceInput } from '../../../stages/wav2lip/faces.ts';
import { lipSync, lipSyncFrames, type LipSyncModel } from '../../../stages/wav2lip/runner.ts';
import { melWindow, melWindowStarts } from '../../../stages/wav2lip/windows.ts';

const frameOf = (w: number, h: number, f: (x: number, y: number) => [number, number, number]) => {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(f(x, y), (y * w + x) * 3);
  return { data, width: w, height: h, channels: 3 };
};

describe('mel windows per video frame', () => {
  it('25 fps: start = 3.2·i truncated; the window that would pass the end is right-aligned and last', () => {
    const starts = Array.from(melWindowStarts(100, 25));
    // i·80/25: 0, 3.2, 6.4, 9.6, …; 16 + start ≤ 100 until start 83.2 (i = 26); i = 27 → 86.4 → right-aligned 84.
    const expected = Array.from({ length: 27 }, (_, i) => Math.floor((i * 16) / 5));
    expect(starts).toEqual([...expected, 84]);
  });

  it('30 fps: 80·(i/30) in float64 (i = 3 gives 8.000…02 → 8), last right-aligned', () => {
    const starts = Array.from(melWindowStarts(40, 30));
    expect(starts.slice(0, 4)).toEqual([0, 2, 5, 8]);
    // 8i/3 + 16 ≤ 40 ⇔ i ≤ 9; i = 10 → 26 + 16 > 40 → 24.
    expect(starts).toEqual([0, 2, 5, 8, 10, 13, 16, 18, 21, 24, 24]);
    expect(starts).toHaveLength(11);
    expect(() => melWindowStarts(15, 25)).toThrow(/at least 16/);
  });

  it('cuts the [80, 16] window band-major', () => {
    const mel = { frames: 20, data: Float32Array.from({ length: 80 * 20 }, (_, i) => i) };
    const w = melWindow(mel, 3);
    expect(w[0]).toBe(3);
    expect(w[15]).toBe(18);
    expect(w[16]).toBe(20 + 3);
    expect(w[79 * 16 + 15]).toBe(79 * 20 + 18);
  });
});

describe('face input and paste', () => {
  it('masks rows 48..95 of channels 0-2 only, BGR order, /255', () => {
    // A frame whose box region is uniform R=200, G=100, B=50: the resize keeps it uniform.
    const frame = frameOf(64, 48, (x, y) => (x >= 8 && x < 56 && y >= 4 && y < 44 ? [200, 100, 50] : [0, 255, 0]));
    const input = wav2lipFaceInput(frame, [8, 4, 56, 44]);
    expect(input).toHaveLength(6 * 96 * 96);
    const at = (c: number, row: number, col: number) => input[c * 9216 + row * 96 + col];
    for (const row of [0, 47, 48, 95]) {
      for (const col of [0, 50, 95]) {
        expect([at(3, row, col), at(4, row, col), at(5, row, col)]).toEqual(
          [50 / 255, 100 / 255, 200 / 255].map(Math.fround),
        );
        const upper = row < 48;
        expect([at(0, row, col), at(1, row, col), at(2, row, col)]).toEqual(
          upper ? [50, 100, 200].map((v) => Math.fround(v / 255)) : [0, 0, 0],
        );
      }
    }
  });

  it('pastes the BGR output into the box as RGB and changes nothing outside it', () => {
    const frame = frameOf(50, 40, (x, y) => [x * 5, y * 6, 7]);
    const face = new Float32Array(3 * 9216);
    face.fill(0.2, 0, 9216); // B
    face.fill(0.4, 9216, 2 * 9216); // G
    face.fill(0.8, 2 * 9216); // R
    const box: Box = [10, 5, 30, 25];
    const out = pasteFace(frame, box, face);
    for (let y = 0; y < 40; y++) {
      for (let x = 0; x < 50; x++) {
        const px = Array.from(out.subarray((y * 50 + x) * 3, (y * 50 + x) * 3 + 3));
        const inside = x >= 10 && x < 30 && y >= 5 && y < 25;
        expect(px).toEqual(
          inside ? [Math.trunc(0.8 * 255), Math.trunc(0.4 * 255), Math.trunc(0.2 * 255)] : [x * 5, y * 6, 7],
        );
      }
    }
    expect(() => pasteFace(frame, [40, 5, 60, 25], face)).toThrow(/inside the 50×40 frame/);
  });

  it('pastes exactly what resizing the uint8 BGR patch bilinearly (cv2 geometry) and rounding gives, up or down in size', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const frame = frameOf(200, 150, (x, y) => [(x * 3) % 256, (y * 5) % 256, (x + y) % 256]);
    const face = Float32Array.from({ length: 3 * 9216 }, () => rand() * 1.1 - 0.05); // a little outside 0..1 too
    const patch = new Uint8Array(3 * 9216);
    for (let p = 0; p < 9216; p++)
      for (let c = 0; c < 3; c++) patch[3 * p + c] = Math.min(255, Math.max(0, Math.trunc(face[c * 9216 + p] * 255)));
    for (const box of [
      [20, 10, 171, 143],
      [50, 40, 90, 70],
      [0, 0, 96, 96],
      [3, 7, 200, 150],
    ] as Box[]) {
      const [x1, y1, x2, y2] = box;
      const resized = resizeBilinear({ data: patch, width: 96, height: 96, channels: 3 }, x2 - x1, y2 - y1);
      const expected = Uint8Array.from(frame.data);
      for (let y = 0; y < y2 - y1; y++) {
        for (let x = 0; x < x2 - x1; x++) {
          for (let c = 0; c < 3; c++)
            expected[((y1 + y) * 200 + x1 + x) * 3 + c] = Math.round(resized.data[(y * (x2 - x1) + x) * 3 + 2 - c]);
        }
      }
      expect(Buffer.compare(Buffer.from(pasteFace(frame, box, face)), Buffer.from(expected))).toBe(0);
    }
  });
});

describe('Wav2Lip reference model', () => {
  let opened: Model;
  let model: LipSyncModel;
  const batches: number[][] = [];
  beforeAll(async () => {
    const path = await ensureReferenceModel('wav2lip');
    opened = await openModel({
      stage: 'test',
      path,
      contract: MANIFESTS.wav2lip,
      settings: { ...DEFAULT_NODE_SETTINGS, warmup: 0 },
      log: () => {},
    });
    // Records each run's batch shape, by the contract's feed name.
    model = {
      path,
      run: (feeds) => {
        batches.push([...feeds.video_frames.dims]);
        return opened.run(feeds);
      },
    };
  });
  afterAll(async () => opened?.release());

  it('renders one frame per mel window in batches, touching only the box', async () => {
    const frames = [0, 1].map((k) => frameOf(120, 100, (x, y) => [(x + k * 40) % 256, y * 2, 90]));
    const boxes: Box[] = [
      [30, 20, 90, 85],
      [32, 22, 92, 87],
    ];
    const mel = { frames: 40, data: Float32Array.from({ length: 80 * 40 }, (_, i) => Math.sin(i * 0.1) * 3) };
    const out = await lipSync(model, { frames, boxes, mel, fps: 25, batchSize: 4 });
    const windows = melWindowStarts(40, 25).length;
    expect(out).toHaveLength(windows);
    expect(batches.map((b) => b[0])).toEqual([4, 4, windows - 8]);
    expect(batches[0]).toEqual([4, 6, 96, 96]);
    for (let i = 0; i < out.length; i++) {
      const src = frames[i % 2],
        [x1, y1, x2, y2] = boxes[i % 2];
      let changedInside = 0;
      for (let p = 0; p < 120 * 100; p++) {
        const x = p % 120,
          y = Math.floor(p / 120);
        const same =
          out[i][3 * p] === src.data[3 * p] &&
          out[i][3 * p + 1] === src.data[3 * p + 1] &&
          out[i][3 * p + 2] === src.data[3 * p + 2];
        if (x >= x1 && x < x2 && y >= y1 && y < y2) changedInside += same ? 0 : 1;
        else expect(same).toBe(true);
      }
      expect(changedInside).toBeGreaterThan(0.5 * (x2 - x1) * (y2 - y1));
    }
  });

  it('renders straight into a given output buffer, frame k at k × its size, the same bytes as new frames', async () => {
    const frames = [0, 1, 2].map((k) => frameOf(40, 30, (x, y) => [(x * 5 + k * 60) % 256, y * 7, 40]));
    const items = frames.map((frame, k) => ({ frame, box: [4 + k, 3, 34, 28] as Box, melStart: 2 * k }));
    const mel = { frames: 24, data: Float32Array.from({ length: 80 * 24 }, (_, i) => Math.cos(i * 0.07) * 2) };
    const fresh = await lipSyncFrames(model, items, mel, { batchSize: 2 });
    const into = new Uint8Array(3 * 40 * 30 * 3);
    const views = await lipSyncFrames(model, items, mel, { batchSize: 2, into });
    expect(views.every((v, k) => v.buffer === into.buffer && v.byteOffset === k * 3600)).toBe(true);
    expect(Buffer.compare(Buffer.concat(fresh), Buffer.from(into))).toBe(0);
    expect(frames.every((f) => f.data.length === 3600)).toBe(true); // the face frames are read, not written
    await expect(lipSyncFrames(model, items, mel, { into: new Uint8Array(100) })).rejects.toThrow(
      /output holds 100 bytes; 3 frames of 3600 need 10800/,
    );
  });

  it('takes the Wav2Lip mel of real audio: 0.5 s at 30 fps → 15 frames', async () => {
    const wav = Float32Array.from({ length: 8000 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / 16000));
    const mel = wav2lipMel(wav);
    expect(mel.frames).toBe(41); // centred STFT: ⌊8000/200⌋ + 1
    const frame = frameOf(64, 64, (x, y) => [x * 4, y * 4, 128]);
    const out = await lipSync(model, { frames: [frame], boxes: [[8, 8, 56, 60]], mel, fps: 30 });
    // 80·i/30 + 16 ≤ 41 ⇔ i ≤ 9; frame 10 is the right-aligned last window.
    expect(out).toHaveLength(11);
  });
});
