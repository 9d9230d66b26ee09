/**
 * A reference model's check (built again and compared) is stamped beside it, and the stamp stands
 * for the check — so that a stage worker need not build the model again at its start — only while
 * it describes the file as it is and was written by the generator as it is (a hash of its sources).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkStands, ensureReferenceModel, generatorSourcesHash, stampChecked } from '../../models/reference.ts';

const dir = mkdtempSync(join(tmpdir(), 'reel-reference-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a reference model check stamp', () => {
  it('stands for the file it stamped, until the file or the generator changes', async () => {
    const model = join(dir, 'rvc.onnx');
    writeFileSync(model, 'model bytes');
    expect(await checkStands(model, 'generator-a')).toBe(false); // never checked
    await stampChecked(model, 'generator-a');
    expect(await checkStands(model, 'generator-a')).toBe(true);
    // Another generator (its sources changed): check again.
    expect(await checkStands(model, 'generator-b')).toBe(false);
    // Another file in its place (other bytes, other time): check again.
    writeFileSync(model, 'other model bytes');
    expect(await checkStands(model, 'generator-a')).toBe(false);
  });

  it('is written beside a bundled reference model once it is checked', async () => {
    const path = await ensureReferenceModel('hifigan', 'tiny');
    expect(existsSync(`${path}.checked`)).toBe(true);
    expect(readFileSync(`${path}.checked`, 'utf8')).toContain(await generatorSourcesHash());
  });
});
