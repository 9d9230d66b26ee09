/** `reel validate` names what will run: inputs, stages in run order and outputs, with kinds; pruned stages in a note. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('reel validate', () => {
  it('names the inputs, the stages that will run and the outputs, and notes the pruned ones', async () => {
    const r = await runCli(['validate', 'pipelines/talking-head.yaml', '--profile', 'fast']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[1]).toBe('  inputs:  script (text-source), voice (audio-source), face (video-source)');
    const stages = lines[2]!.replace(/^ {2}stages: {2}/, '').split(', ');
    expect(stages.sort()).toEqual(
      [
        'acoustic (fastpitch)',
        'content (content-encoder)',
        'convert (rvc)',
        'faces (face-detect)',
        'lipsync (wav2lip)',
        'vocoder (hifigan)',
      ].sort(),
    );
    expect(lines[3]).toBe('  outputs: speech (wav-sink), video (mp4-sink)');
    // The default branch's TTS is not among them: it is pruned, and said so.
    expect(r.stderr).toMatch(/note: .*stage "tts" feeds no output under profile "fast"; pruned/);
  });

  it('talking-head --profile fast,pauses runs the VAD on the fast branch speech, not the pruned TTS', async () => {
    for (const profile of ['fast,pauses', 'pauses,fast']) {
      const r = await runCli(['validate', 'pipelines/talking-head.yaml', '--profile', profile]);
      expect(r.code, r.stderr).toBe(0);
      const stages = r.stdout.trim().split('\n')[2]!;
      expect(stages).toContain('voiced (vad)');
      expect(stages).not.toContain('tts (vallex)');
    }
    const plain = await runCli(['validate', 'pipelines/talking-head.yaml', '--profile', 'fast']);
    expect(plain.stdout).not.toContain('voiced (vad)');
  });
});
