// Under `npx reel …` the process tree is npm exec → sh → node (this), and npm exits at once on
// SIGTERM or SIGINT without passing the signal on: the run would go on alone and write its
// outputs later. So, when npm launched us, the npm process is watched, and when it is gone this
// process signals itself SIGTERM — a run stops the way it does on a direct SIGTERM (nothing
// written, temp files removed). Linux only (it reads /proc); elsewhere it does nothing.
import { readFileSync } from 'node:fs';

/** pid and parent pid of `pid` from /proc, or undefined. */
function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const m = /^\d+ \((.*)\) \S (\d+)/s.exec(stat);
    return m ? { comm: m[1], ppid: Number(m[2]) } : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Starts watching the npm process that launched this one, when there is one. */
export function followNpxParent(env = process.env, intervalMs = 500) {
  if (env.npm_command !== 'exec' || process.platform !== 'linux') return;
  // The nearest ancestor (at most three up) that is npm itself.
  let pid = process.pid;
  let npm;
  for (let i = 0; i < 3 && !npm; i++) {
    const up = parentOf(pid);
    if (!up) return;
    pid = up.ppid;
    const comm = parentOf(pid)?.comm ?? '';
    if (comm.startsWith('npm') || comm === 'npx') npm = pid;
  }
  if (!npm || npm <= 1) return;
  const timer = setInterval(() => {
    if (alive(npm)) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }, intervalMs);
  timer.unref();
}
