#!/usr/bin/env node
// The `reel` binary. reel is written in TypeScript and run through tsx's loader, so `npx reel`
// works straight after `npm install` with no build step; stage workers register the same loader.
import { register } from 'tsx/esm/api';

// `reel graph … | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
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

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
