/**
 * Provider lines as a run prints them: a stage that got its first choice says nothing (unless
 * --verbose), and when several stages fell back for the same reasons the reasons are said once —
 * `stage "convert": provider cpu (not tensorrt, cuda, webgpu: as for stage "content")`.
 */
import { isFirstChoiceLine } from '../inference/session-factory.ts';

const FALLBACK = /^(stage "([^"]*)": provider .*?) \(not (.*)\)$/;

/** A filter for one run's log lines: the line to print, or undefined to print nothing. */
export function providerLineFilter(verbose: boolean): (line: string) => string | undefined {
  const firstSaid = new Map<string, string>();
  return (line) => {
    if (isFirstChoiceLine(line)) return verbose ? line : undefined;
    const m = FALLBACK.exec(line);
    if (!m || verbose) return line;
    const [, head, stage, reasons] = m;
    const earlier = firstSaid.get(reasons);
    if (earlier === undefined) {
      firstSaid.set(reasons, stage);
      return line;
    }
    const providers = reasons.split('; not ').map((r) => r.slice(0, r.indexOf(':')));
    return `${head} (not ${providers.join(', ')}: as for stage "${earlier}")`;
  };
}
