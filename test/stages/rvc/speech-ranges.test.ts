/**
 * What rvc converts with `skipSilence`: a range meeting a pause is converted with `skipContextMs`
 * around it, one cut at the chunk's edge with the chunk's full context (as the next chunk converts
 * its part), never past the item's window; the rest of the chunk passes through, the fades shared.
 * Speech spans (a vad track, at 16 kHz) closer than two contexts are converted as one range.
 */
import { describe, expect, it } from 'vitest';
import type { ChunkPackets } from '../../../src/core/item.ts';
import { conversionWindow, passedRanges, speechFrames } from '../../../stages/rvc/speech-ranges.ts';
import { clipItems } from '../../helpers/stage-harness.ts';
import { chunkGrid } from './clip-chunks.ts';

// A chunk owning frames [500, 1000) (10 s at 50 frames/s) in a window with 50 frames of context each side.
const owned = { first: 500, end: 1000 };
const window: [number, number] = [450, 1050];
const frames = { pad: 50, context: 15 };

describe('skipSilence ranges', () => {
  it('take the pause-side context at an edge that meets a pause', () => {
    expect(conversionWindow([600, 700], owned, window, frames)).toEqual([585, 715]);
  });

  it('take the chunk context at an edge cut at the chunk, so both chunks convert across it alike', () => {
    expect(conversionWindow([500, 700], owned, window, frames)).toEqual([450, 715]);
    expect(conversionWindow([900, 1000], owned, window, frames)).toEqual([885, 1050]);
    // A chunk-wide range: the whole window.
    expect(conversionWindow([500, 1000], owned, window, frames)).toEqual(window);
  });

  it('stay within the window the item holds', () => {
    expect(conversionWindow([600, 700], owned, window, { pad: 50, context: 500 })).toEqual(window);
  });

  it('pass the rest through, the fades at a converted range’s ends counted on both sides', () => {
    expect(passedRanges([[100, 200]], 400, 10)).toEqual([
      [0, 110],
      [190, 400],
    ]);
    // A range at the chunk's start has no fade there; one at its end none there.
    expect(passedRanges([[0, 200]], 400, 10)).toEqual([[190, 400]]);
    expect(passedRanges([[300, 400]], 400, 10)).toEqual([[0, 310]]);
  });

  it('merge speech spans closer than the join gap, from the item and its neighbours, cut to the chunk', () => {
    // Two 10 s chunks; speech at 2–3 s and 4.2–5 s in the first, 9.5–10.5 s across the edge.
    const spans = [
      [
        [2, 3],
        [4.2, 5],
        [9.5, 10],
      ],
      [[10, 10.5]],
    ];
    const chunks: ChunkPackets[] = chunkGrid(20, 10).map((chunk, k) => ({
      chunk,
      ports: {
        speech: {
          kind: 'tensor',
          chunk,
          name: 'speech-segments',
          tensor: {
            dtype: 'int32',
            dims: [spans[k].length, 2],
            data: Int32Array.from(spans[k].flat(), (t) => t * 16000),
          },
          meta: { sampleRate: 16000 },
        },
      },
    }));
    const [first] = clipItems(chunks, { before: 1, after: 1 });
    const owned = { first: 0, end: 500 };
    // 0.2 s of margin: 1.8–3.2 s and 4.0–5.2 s are 0.8 s (40 frames) apart.
    expect(speechFrames(first, 0.2, owned, 50)).toEqual([
      [90, 260],
      [465, 500],
    ]);
    expect(speechFrames(first, 0.2, owned, 30)).toEqual([
      [90, 160],
      [200, 260],
      [465, 500],
    ]);
  });
});
