/**
 * How the streaming chunker moves a grid boundary: a rule reads the signal around the target and
 * picks the cut. A rule says how far past the target and how far before the search it reads, so the
 * chunker holds exactly that much. RVC's quietest-point rule is the default; a rule that needs work
 * it cannot do synchronously (a model run) answers undefined and does it in `prepare`, after which
 * the chunker asks again.
 */
import type { ChunkGeometry } from './geometry.ts';
import { quietestCut, silenceLookaheadUnits, type QuietestCutInput } from './silence.ts';

export type CutInput = QuietestCutInput;

export interface CutRule {
  /** Units past the target that `cut` reads, so that the clip's end need not be known. */
  readonly lookaheadUnits: number;
  /** Units before `target − search` that `cut` reads. */
  readonly reachBackUnits: number;
  /** The boundary near `input.target` (a granule multiple in the search), or undefined until `prepare` has run. */
  cut(input: CutInput): number | undefined;
  /** Does the work a cut answered undefined for; true when there was some (then ask again). */
  prepare?(): Promise<boolean>;
}

/** RVC's rule: the first point of least loudness within ± search (silence.ts). */
export function quietestRule(geometry: ChunkGeometry): CutRule {
  return {
    lookaheadUnits: silenceLookaheadUnits(geometry),
    reachBackUnits: Math.floor(geometry.silenceWindowUnits / 2),
    cut: (input) => quietestCut(input),
  };
}
