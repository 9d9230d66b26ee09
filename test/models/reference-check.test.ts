/**
 * A reference model's check (built again and compared) is stamped beside it, and the stamp stands
 * for the check — so that a stage worker need not build the model again at its start — only while
 * it describes the file as it is and is newer than the generator's sources.
 */
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkStands, ensureReferenceModel, stampChecked } from '../../models/reference.ts';

const dir = mkdtempSync(join(tmpdir(), 'reel-reference-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a reference model check stamp', () => {
  it('stands for the file it stamped, until the file or the generator changes', async () => {
    const model = join(dir, 'rvc.onnx');
    writeFileSync(model, 'model bytes');
    const past = new Date(Date.now() - 60_000);
    utimesSync(model, past, past);
    const generatorChanged = Date.now() - 30_000;
    expect(await checkStands(model, generatorChanged)).toBe(false); // never checked
    await stampChecked(model);
    expect(await checkStands(model, generatorChanged)).toBe(true);
    // The generator changed after the check: check again.
    expect(await checkStands(model, Date.now() + 1000)).toBe(false);
    // Another file in its place (other bytes, other time): check again.
    writeFileSync(model, 'other model bytes');
    expect(await checkStands(model, generatorChanged)).toBe(false);
  });

  it('is written beside a bundled reference model once it is checked', async () => {
    const path = await ensureReferenceModel('hifigan', 'tiny');
    expect(existsSync(`${path}.checked`)).toBe(true);
  });
});
