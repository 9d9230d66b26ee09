#!/usr/bin/env node
// The `reel` binary. It runs the compiled JavaScript in dist/ (built by `npm install` or
// `npm run build`) when that is up to date with the sources, and otherwise the TypeScript sources
// through tsx's loader, which costs ~0.6 s more per start; REEL_FROM_SOURCE=1 forces the sources.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staleDistReason } from './fresh-dist.js';
import { followNpxParent } from './npx-parent.js';

followNpxParent();

// `reel graph … | head` closes the pipe early: that is the reader's choice, not a failure. Any
// other write error (a full disk behind `> file`) is one line and exit 1, not a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  process.stderr.write(
    `reel: cannot write to standard output (${err.code ?? err.message}); what was printed is incomplete\n`,
  );
  process.exit(1);
});

// Node exits with 13 when the event loop empties while the command is still awaited: some part of
// a run waits for something that can no longer happen. Say so in one line, as a runtime failure.
process.on('exit', (code) => {
  if (code === 13) {
    process.stderr.write(
      'reel: internal error: the run stalled with work left (nothing could progress); run again with --trace FILE and report it\n',
    );
    process.exitCode = 1;
  }
});

const root = dirname(dirname(fileURLToPath(import.meta.url)));
let cli;
if (process.env.REEL_FROM_SOURCE !== '1' && staleDistReason(root) === undefined) {
  cli = await import('../dist/src/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/cli/main.ts');
}
// ONNX Runtime leaves a debug log per process in TMPDIR: the process's own goes at its exit.
cli.removeOwnDebugLogAtExit?.();
process.exitCode = await cli.main(process.argv.slice(2));
