import { describe, expect, it } from 'vitest';
import { fallbackBox } from '../../../stages/face-detect/stage.ts';

describe('face-detect fallback box', () => {
  it('takes fractions of the frame when every value is within [0, 1]', () => {
    expect(fallbackBox([0.25, 0.1, 0.75, 0.9], 640, 480)).toEqual([160, 48, 480, 432]);
  });
  it('keeps pixel boxes as they are, and null as null', () => {
    expect(fallbackBox([60, 40, 200, 230], 640, 480)).toEqual([60, 40, 200, 230]);
    expect(fallbackBox(null, 640, 480)).toBeNull();
  });
});
