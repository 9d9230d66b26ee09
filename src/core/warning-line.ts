/**
 * A stage's warning as reel prints and records it: `warning: stage "faces": no face found …`. A
 * line that already names its stage (a provider line) is not named twice.
 */
export function warningLine(stage: string, line: string): string {
  return `warning: ${line.startsWith('stage "') ? line : `stage "${stage}": ${line}`}`;
}
