#!/usr/bin/env node
// The `reel` binary. reel is written in TypeScript and run through tsx's loader, so `npx reel`
// works straight after `npm install` with no build step; stage workers register the same loader.
import { register } from 'tsx/esm/api';

// `reel graph … | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
