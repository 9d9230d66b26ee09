/**
 * What rvc converts with `skipSilence`: a range meeting a pause is converted with `skipContextMs`
 * around it, one cut at the chunk's edge with the chunk's full context (as the next chunk converts
 * its part), never past the item's window; the rest of the chunk passes through, the fades shared.
 */
import { describe, expect, it } from 'vitest';
import { conversionWindow, passedRanges } from '../../../stages/rvc/speech-ranges.ts';

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
});
