import path from 'node:path';

/** Programs that run an argument as a shell script (`sh -c 'script'`), known by basename wherever they live. */
const shells = new Set(['sh', 'bash', 'rbash', 'dash', 'ash', 'hush', 'ksh', 'mksh', 'pdksh', 'posh', 'yash', 'zsh', 'csh', 'tcsh', 'fish', 'busybox']);

/**
 * Which argument a shell would run as its script, or null when it runs none: after an option cluster holding
 * c (-c, -ec, -xc) the script is the first operand, skipping the values of -o/-O and long options (bash
 * --norc). `busybox sh -c ...` runs its applet first. Arguments after the script are only $0, $1, ... : data.
 */
export function shellScriptIndex(command: string, args: readonly string[]): number | null {
  const name = path.basename(command);
  if (!shells.has(name)) return null;
  let i = 0;
  if (name === 'busybox') {
    if (args.length === 0 || !shells.has(args[0]!) || args[0] === 'busybox') return null;
    i = 1;
  }
  let runsScript = false;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--' || a === '-') {
      i++;
      break;
    }
    if (/^--[a-z]/.test(a)) continue;
    if (!/^[-+][A-Za-z]+$/.test(a)) break;
    if (a[0] === '-' && a.includes('c')) runsScript = true;
    // -o and -O take the next argument as their value.
    i += [...a].filter((ch) => ch === 'o' || ch === 'O').length;
  }
  return runsScript && i < args.length ? i : null;
}
