/**
 * Where ffmpeg and ffprobe live. The npm packages ship static binaries (an old 2018 ffmpeg: no
 * `xfade`, no GPU encoders); `FFMPEG_PATH` / `FFPROBE_PATH` point reel at a system build instead.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { MediaError } from '../core/errors.ts';

const require = createRequire(import.meta.url);

export interface MediaToolPaths {
  ffmpeg: string;
  ffprobe: string;
}

export type ToolVersion = { path: string; version: string } | { path: string; error: string };

export interface MediaToolVersions {
  ffmpeg: ToolVersion;
  ffprobe: ToolVersion;
}

function packagedBinary(pkg: string): string | undefined {
  try {
    // The installer packages throw (a string, not an Error) on an unsupported platform.
    return (require(pkg) as { path?: string }).path;
  } catch {
    return undefined;
  }
}

function resolveTool(envName: string, pkg: string): string {
  const fromEnv = process.env[envName];
  if (fromEnv) return fromEnv;
  const packaged = packagedBinary(pkg);
  if (!packaged) {
    throw new MediaError(pkg, `no binary for ${process.platform}-${process.arch}; install one and set ${envName}`);
  }
  return packaged;
}

/** The ffmpeg and ffprobe executables to run; env overrides win over the npm packages. */
export function resolveFfmpeg(): MediaToolPaths {
  return {
    ffmpeg: resolveTool('FFMPEG_PATH', '@ffmpeg-installer/ffmpeg'),
    ffprobe: resolveTool('FFPROBE_PATH', '@ffprobe-installer/ffprobe'),
  };
}

function runVersion(path: string): Promise<ToolVersion> {
  return new Promise((resolve) => {
    let out = '';
    let settled = false;
    const done = (v: ToolVersion) => {
      if (!settled) {
        settled = true;
        resolve(v);
      }
    };
    const child = spawn(path, ['-version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.resume();
    child.on('error', (err) => done({ path, error: err.message }));
    child.on('close', (code) => {
      // First line: "ffmpeg version N-47683-g0e8eb07980-static https://… Copyright …"
      const m = /^\S+ version (\S+)/.exec(out);
      if (code === 0 && m) done({ path, version: m[1] });
      else done({ path, error: `\`${path} -version\` exited with code ${code}: ${out.split('\n')[0] || 'no output'}` });
    });
  });
}

async function versionOf(resolvePath: () => string): Promise<ToolVersion> {
  let path: string;
  try {
    path = resolvePath();
  } catch (err) {
    return { path: '', error: err instanceof Error ? err.message : String(err) };
  }
  return runVersion(path);
}

/** What `reel doctor` shows: each tool's path and version, or why it does not run. */
export async function mediaToolVersions(): Promise<MediaToolVersions> {
  const [ffmpeg, ffprobe] = await Promise.all([
    versionOf(() => resolveTool('FFMPEG_PATH', '@ffmpeg-installer/ffmpeg')),
    versionOf(() => resolveTool('FFPROBE_PATH', '@ffprobe-installer/ffprobe')),
  ]);
  return { ffmpeg, ffprobe };
}
