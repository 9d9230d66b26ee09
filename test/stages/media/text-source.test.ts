/**
 * text-source: one TextPacket of the file's UTF-8 text, BOM dropped; files that are too big, not
 * UTF-8, binary or empty are refused with the file, the place and the fix.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { TextPacket } from '../../../src/core/types.ts';
import { textSource } from '../../../stages/media/sources.ts';
import { firstInvalidUtf8 } from '../../../src/media/index.ts';
import { testContext } from '../../helpers/stage-harness.ts';
import { collect, tempDir } from '../../media/makeMedia.ts';

const tmp = tempDir('text-source');
afterAll(() => tmp.remove());

function file(name: string, bytes: Uint8Array | string): string {
  const path = tmp.path(name);
  writeFileSync(path, bytes);
  return path;
}

async function read(path: string, options: Record<string, unknown> = {}): Promise<TextPacket | Error> {
  const ctx = testContext(textSource, { id: 'script', inputPath: path, tempDir: '/tmp/reel-run-t' });
  try {
    const instance = await textSource.create!(textSource.options.parse(options), ctx);
    const packets = await collect(instance.packets);
    await instance.dispose();
    expect(packets.length).toBe(1);
    expect(packets[0].port).toBe('text');
    return packets[0].packet as TextPacket;
  } catch (err) {
    return err as Error;
  }
}

describe('text-source', () => {
  it('sends the whole text once, with the byte-order mark dropped', async () => {
    const text = 'Grüße, 世界! 👋\nSecond line.\r\n';
    const p = (await read(
      file('-script ü.txt', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])),
    )) as TextPacket;
    expect(p.text).toBe(text);
    expect(p.chunk).toMatchObject({ clipId: 'reel-run-t', index: 0, last: true });
  });

  it('refuses Latin-1 with the byte and line of the first bad byte', async () => {
    const path = file('latin1.txt', Buffer.from('first line\ncaf\xe9 au lait\n', 'latin1'));
    const err = (await read(path)) as Error;
    expect(err.message).toBe(`${path}: is not UTF-8 text: invalid byte 0xe9 at byte 14 (line 2); save it as UTF-8`);
  });

  it('refuses UTF-16, binary data, empty text and files over maxBytes', async () => {
    const message = async (path: string, options: Record<string, unknown> = {}) =>
      ((await read(path, options)) as Error).message;
    expect(await message(file('u16.txt', Buffer.from('\ufeffhello', 'utf16le')))).toMatch(
      /is UTF-16 text; save it as UTF-8/,
    );
    expect(await message(file('bin.txt', Uint8Array.from([0x68, 0x69, 0x00, 0x01])))).toMatch(
      /binary file.*0x00 at byte 2/,
    );
    expect(await message(file('blank.txt', ' \n\t\n'))).toMatch(/holds no text/);
    expect(await message(file('big.txt', 'x'.repeat(2000)), { maxBytes: 1000 })).toMatch(
      /2000 bytes, over the text source's maxBytes of 1000/,
    );
  });

  it('agrees with the platform decoder on what is valid UTF-8', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true });
    const cases = [
      [0xc0, 0x80],
      [0xe0, 0x80, 0x80],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf0, 0x9f, 0x91],
      [0xe2, 0x82, 0xac],
      [0xf0, 0x9f, 0x91, 0x8b],
      [0x41, 0xff],
    ];
    for (const bytes of cases) {
      let valid = true;
      try {
        fatal.decode(Uint8Array.from(bytes));
      } catch {
        valid = false;
      }
      expect(firstInvalidUtf8(Uint8Array.from(bytes)) < 0, bytes.join(',')).toBe(valid);
    }
  });
});
