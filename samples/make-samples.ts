/**
 * Makes the bundled sample inputs, laid out as `reel batch` expects (one folder per job, files
 * named after the pipeline inputs). Needs nothing from the network: the voice is spoken by
 * espeak-ng when it is installed (Debian package `espeak-ng`), else a synthetic vowel-like voice;
 * the faces are cut from a public-domain photograph (samples/source/, see its README) with the
 * bundled ffmpeg, a still and a short video with a slow zoom and sway.
 *   npx tsx samples/make-samples.ts            (rewrites samples/talking-head, samples/text-to-video, samples/dub)
 *   npx tsx samples/make-samples.ts --faces    (rewrites only the faces)
 *   npx tsx samples/make-samples.ts --dub      (rewrites only the dub sample)
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

const ASTRONAUT = path.join(here, 'source', 'astronaut.jpg');

/** The face still: a 256×256 crop of the astronaut photograph around her face. */
function writeStill(file: string): void {
  execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-i', ASTRONAUT, '-vf', 'crop=256:256:64:0', file]);
}

/**
 * The face video: `frames` at 25 fps (2 s by default) of a slow zoom and a sideways sway, so the
 * face boxes move; with `audio`, that file as its sound track (AAC).
 */
function writeVideo(file: string, frames = 50, audio?: string): void {
  const zoom =
    "zoompan=z='1.5+0.004*on':x='iw/2-(iw/zoom/2)+12*sin(on/10)':y='(ih/2-(ih/zoom/2))*0.4':d=1:s=256x256:fps=25";
  execFileSync(ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-loop',
    '1',
    '-i',
    ASTRONAUT,
    ...(audio ? ['-i', audio, '-c:a', 'aac', '-b:a', '64k'] : []),
    '-vf',
    zoom,
    '-frames:v',
    String(frames),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '23',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    file,
  ]);
}

function makeTalkingHead(facesOnly: boolean): void {
  const root = path.join(here, 'talking-head');
  const faces: Record<keyof typeof SCRIPTS, 'png' | 'mp4'> = { short: 'png', medium: 'mp4', long: 'png' };
  (Object.keys(SCRIPTS) as (keyof typeof SCRIPTS)[]).forEach((name, i) => {
    const dir = path.join(root, name);
    mkdirSync(dir, { recursive: true });
    if (!facesOnly) {
      writeFileSync(path.join(dir, 'script.txt'), `${SCRIPTS[name]}\n`);
      writeVoice(path.join(dir, 'voice.wav'), 'The quick brown fox jumps over the lazy dog.', 40 + i * 15);
    }
    if (faces[name] === 'png') writeStill(path.join(dir, 'face.png'));
    else writeVideo(path.join(dir, 'face.mp4'));
  });
}

function makeTextToVideo(): void {
  for (const [name, prompt] of Object.entries(PROMPTS)) {
    const dir = path.join(here, 'text-to-video', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'prompt.txt'), `${prompt}\n`);
  }
}

/**
 * The dub sample: a 6 s video of the face speaking its original line (video.mp4, sound included)
 * and the new words to put in its mouth (script.txt).
 */
function makeDub(): void {
  const dir = path.join(here, 'dub', 'talk');
  mkdirSync(dir, { recursive: true });
  const original = path.join(dir, 'original.wav');
  writeVoice(original, 'Welcome to the show. Today we talk about streaming pipelines.', 55);
  writeVideo(path.join(dir, 'video.mp4'), 150, original);
  execFileSync('rm', ['-f', original]);
  writeFileSync(
    path.join(dir, 'script.txt'),
    'Welcome to the show. Today the words are new, and the lips follow them.\n',
  );
}

if (process.argv.includes('--dub')) makeDub();
else {
  const facesOnly = process.argv.includes('--faces');
  makeTalkingHead(facesOnly);
  if (!facesOnly) {
    makeTextToVideo();
    makeDub();
  }
}
console.log(`samples written under ${here} (voice: ${hasEspeak() ? 'espeak-ng' : 'synthetic tone'})`);
