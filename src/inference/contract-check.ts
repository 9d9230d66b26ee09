/**
 * Checks a session's declared inputs/outputs against the stage's model contract before any chunk
 * runs: names, dtypes, ranks and fixed dimensions. Graph inputs that have initializers (weights
 * listed as inputs by old exporters) are not feeds: onnxruntime already leaves them out of
 * `inputNames`, and they are never required here.
 */
import type { InferenceSession } from 'onnxruntime-common';
import type { ModelContract, TensorSpec } from '../core/contract.ts';
import { ContractError } from '../core/errors.ts';

export interface DeclaredTensor {
  name: string;
  dtype: string;
  /** Numbers for fixed dims; strings (or -1/undefined) for dynamic ones. */
  shape: readonly (number | string | undefined)[];
}

/** What a session declares, from ORT's metadata. */
export function declaredTensors(session: InferenceSession): { inputs: DeclaredTensor[]; outputs: DeclaredTensor[] } {
  const toDeclared = (m: InferenceSession.ValueMetadata): DeclaredTensor =>
    m.isTensor ? { name: m.name, dtype: m.type, shape: m.shape } : { name: m.name, dtype: 'non-tensor', shape: [] };
  return { inputs: session.inputMetadata.map(toDeclared), outputs: session.outputMetadata.map(toDeclared) };
}

export function formatShape(shape: readonly (number | string | undefined)[]): string {
  return `[${shape.map((d) => (d === undefined || d === -1 ? '?' : String(d))).join(', ')}]`;
}

function compareTensor(
  kind: 'input' | 'output',
  spec: TensorSpec,
  found: DeclaredTensor | undefined,
): string | undefined {
  const expected = `${spec.dtype} ${formatShape(spec.shape)}`;
  if (!found) return undefined;
  const got = `${found.dtype} ${formatShape(found.shape)}`;
  if (found.dtype !== spec.dtype) return `${kind} "${spec.name}": expected ${expected}, found ${got} (dtype)`;
  if (found.shape.length !== spec.shape.length)
    return `${kind} "${spec.name}": expected ${expected}, found ${got} (rank ${found.shape.length}, not ${spec.shape.length})`;
  for (let axis = 0; axis < spec.shape.length; axis++) {
    const want = spec.shape[axis];
    const have = found.shape[axis];
    if (typeof want === 'number' && typeof have === 'number' && have !== -1 && have !== want) {
      return `${kind} "${spec.name}": expected ${expected}, found ${got} (axis ${axis} is ${have}, not ${want})`;
    }
  }
  return undefined;
}

/** All mismatches between what the model declares and what the stage will feed/read. */
export function contractProblems(
  contract: ModelContract,
  declared: { inputs: readonly DeclaredTensor[]; outputs: readonly DeclaredTensor[] },
): string[] {
  const problems: string[] = [];
  const inputs = new Map(declared.inputs.map((t) => [t.name, t]));
  const outputs = new Map(declared.outputs.map((t) => [t.name, t]));
  const list = (ts: readonly DeclaredTensor[]) => ts.map((t) => `"${t.name}"`).join(', ') || 'none';
  for (const spec of contract.inputs) {
    const found = inputs.get(spec.name);
    if (!found && !spec.optional)
      problems.push(
        `input "${spec.name}" (${spec.dtype} ${formatShape(spec.shape)}) is missing; the model's inputs are ${list(declared.inputs)}`,
      );
    const p = compareTensor('input', spec, found);
    if (p) problems.push(p);
  }
  const known = new Set(contract.inputs.map((s) => s.name));
  for (const t of declared.inputs) {
    if (!known.has(t.name))
      problems.push(
        `input "${t.name}" (${t.dtype} ${formatShape(t.shape)}) is not part of the ${contract.family} contract; the stage cannot feed it`,
      );
  }
  for (const spec of contract.outputs) {
    const found = outputs.get(spec.name);
    if (!found && !spec.optional)
      problems.push(
        `output "${spec.name}" (${spec.dtype} ${formatShape(spec.shape)}) is missing; the model's outputs are ${list(declared.outputs)}`,
      );
    const p = compareTensor('output', spec, found);
    if (p) problems.push(p);
  }
  return problems;
}

/** Throws ContractError (one line per mismatch) when the session does not fit the contract. */
export function assertContract(
  session: InferenceSession,
  contract: ModelContract,
  where: { stage: string; model: string },
): void {
  const problems = contractProblems(contract, declaredTensors(session));
  if (problems.length) {
    throw new ContractError(
      where.model,
      `does not match the ${contract.family} contract of stage "${where.stage}"`,
      problems,
    );
  }
}
