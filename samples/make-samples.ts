/**
 * Makes the bundled sample inputs, laid out as `reel batch` expects (one folder per job, files
 * named after the pipeline inputs). Needs nothing from the network: the voice is spoken by
 * espeak-ng when it is installed (Debian package `espeak-ng`), else a synthetic vowel-like voice;
 * faces are drawn here and encoded with the bundled ffmpeg.
 *   npx tsx samples/make-samples.ts            (rewrites samples/talking-head and samples/text-to-video)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveFfmpeg } from '../src/media/binaries.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const { ffmpeg } = resolveFfmpeg();

const SCRIPTS = {
  short: 'Hello from reel. This clip is short.',
  medium:
    'Streaming pipelines keep memory bounded. Each stage works on its own chunk while the next stage works on the one before. ' +
    'That is how long clips stay fast.',
  long: [
    'This is the long sample, written to run for well over thirty seconds of speech.',
    'A talking head pipeline turns a script, a voice and a face into a video.',
    'First the script is spoken in the voice of the prompt, one sentence at a time.',
    'Then the speech is converted to the target voice, chunk by chunk, with context on each side.',
    'The face is found in every frame, and the mouth is drawn again to match the sound.',
    'Finally the frames and the speech are written together into one file.',
    'Because every stage works on a different chunk at the same moment, the whole clip takes little longer than its slowest stage.',
    'And because no stage ever holds more than a few chunks, a clip of an hour needs no more memory than a clip of a minute.',
  ].join(' '),
};

const PROMPTS = {
  'a-lighthouse': 'A lighthouse on a rocky coast at dusk, waves breaking, slow camera pan.',
  'b-city-rain': 'A quiet city street in the rain at night, neon reflections on wet asphalt.',
};

function hasEspeak(): boolean {
  return spawnSync('espeak-ng', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** 16 kHz mono voice sample: espeak-ng, else a vibrato harmonic tone with a vowel-like envelope. */
function writeVoice(file: string, text: string, pitch: number): void {
  if (hasEspeak()) {
    const raw = `${file}.espeak.wav`;
    execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-p', String(pitch), '-w', raw, text]);
    execFileSync(ffmpeg, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-i',
      raw,
      '-ar',
      '16000',
      '-ac',
      '1',
      '-c:a',
      'pcm_s16le',
      file,
    ]);
    execFileSync('rm', ['-f', raw]);
    return;
  }
  const expr = `0.3*sin(2*PI*(120+${pitch / 4})*t+3*sin(2*PI*5*t))*(0.6+0.4*sin(2*PI*3*t))`;
  execFileSync(ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `aevalsrc=${expr}:s=16000:d=4`,
    '-c:a',
    'pcm_s16le',
    file,
  ]);
}

/** A simple drawn face (skin ellipse, eyes, nose, mouth) on a plain background, RGB24. */
function drawFace(width: number, height: number, shift = 0): Buffer {
  const rgb = Buffer.alloc(width * height * 3);
  const cx = width / 2 + shift;
  const cy = height / 2;
  const rx = width * 0.28;
  const ry = height * 0.38;
  const inEllipse = (x: number, y: number, ex: number, ey: number, ax: number, ay: number) =>
    ((x - ex) / ax) ** 2 + ((y - ey) / ay) ** 2 <= 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let c: [number, number, number] = [70, 90, 120];
      if (inEllipse(x, y, cx, cy - ry * 0.9, rx * 1.05, ry * 0.45)) c = [60, 40, 30]; // hair
      if (inEllipse(x, y, cx, cy, rx, ry)) c = [224, 172, 140]; // skin
      for (const ex of [cx - rx * 0.4, cx + rx * 0.4]) {
        if (inEllipse(x, y, ex, cy - ry * 0.2, rx * 0.18, ry * 0.08)) c = [250, 250, 250];
        if (inEllipse(x, y, ex, cy - ry * 0.2, rx * 0.07, ry * 0.07)) c = [40, 30, 20];
        if (inEllipse(x, y, ex, cy - ry * 0.36, rx * 0.22, ry * 0.03)) c = [70, 50, 40]; // brow
      }
      if (inEllipse(x, y, cx, cy + ry * 0.1, rx * 0.08, ry * 0.14)) c = [205, 150, 120]; // nose
      if (inEllipse(x, y, cx, cy + ry * 0.5, rx * 0.35, ry * 0.07)) c = [170, 70, 70]; // mouth
      rgb.set(c, (y * width + x) * 3);
    }
  }
  return rgb;
}

function encodeFrames(file: string, width: number, height: number, frames: Buffer[], fps: number): void {
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${width}x${height}`,
    '-r',
    String(fps),
    '-i',
    'pipe:0',
  ];
  const out = file.endsWith('.png')
    ? ['-frames:v', '1', file]
    : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', file];
  execFileSync(ffmpeg, [...args, ...out], { input: Buffer.concat(frames) });
}

function makeTalkingHead(): void {
  const root = path.join(here, 'talking-head');
  const faces: Record<keyof typeof SCRIPTS, 'png' | 'mp4'> = { short: 'png', medium: 'mp4', long: 'png' };
  (Object.keys(SCRIPTS) as (keyof typeof SCRIPTS)[]).forEach((name, i) => {
    const dir = path.join(root, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'script.txt'), `${SCRIPTS[name]}\n`);
    writeVoice(path.join(dir, 'voice.wav'), 'The quick brown fox jumps over the lazy dog.', 40 + i * 15);
    const [w, h] = [256, 256];
    if (faces[name] === 'png') encodeFrames(path.join(dir, 'face.png'), w, h, [drawFace(w, h)], 1);
    else
      encodeFrames(
        path.join(dir, 'face.mp4'),
        w,
        h,
        Array.from({ length: 50 }, (_, f) => drawFace(w, h, Math.round(6 * Math.sin(f / 8)))),
        25,
      );
  });
}

function makeTextToVideo(): void {
  for (const [name, prompt] of Object.entries(PROMPTS)) {
    const dir = path.join(here, 'text-to-video', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'prompt.txt'), `${prompt}\n`);
  }
}

makeTalkingHead();
makeTextToVideo();
console.log(`samples written under ${here} (voice: ${hasEspeak() ? 'espeak-ng' : 'synthetic tone'})`);
