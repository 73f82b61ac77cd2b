import path from 'node:path';

/** Programs that run an argument as a shell script (`sh -c 'script'`), known by basename wherever they live. */
const shells = new Set(['sh', 'bash', 'rbash', 'dash', 'ash', 'hush', 'ksh', 'mksh', 'pdksh', 'posh', 'yash', 'zsh', 'csh', 'tcsh', 'fish', 'busybox']);
/** Long options of bash that take the next argument as their value. */
const longWithValue = new Set(['--rcfile', '--init-file']);
/** Programs that hand `-c`'s value to the target user's shell. */
const userShells = new Set(['su', 'runuser']);
/** ssh options that take the next argument as their value; the first operand after them is the destination. */
const sshWithValue = new Set('BbcDEeFIiJLlmOopQRSWw');

/**
 * The arguments a shell would run as code, by index (none: the step runs no script): the script of `sh -c`,
 * also behind a wrapper (`env A=1 sh -c`, `sudo -u x bash -c`, `timeout 5 sh -c`: the first argument naming a
 * shell starts the command); the value of `su -c` / `runuser -c`; and everything after ssh's destination,
 * which ssh joins into one string for the remote shell.
 */
export function shellScriptArgs(command: string, args: readonly string[]): number[] {
  const name = path.basename(command);
  if (name === 'ssh') return sshCommandArgs(args);
  if (userShells.has(name)) {
    const i = args.findIndex((a) => a === '-c' || a === '--command' || a.startsWith('--command='));
    if (i < 0) return [];
    return args[i]!.startsWith('--command=') ? [i] : i + 1 < args.length ? [i + 1] : [];
  }
  if (shells.has(name)) {
    const i = shellScriptIndex(name, args);
    return i === null ? [] : [i];
  }
  // A wrapper (or any program) whose arguments name a shell runs that shell with the arguments after it.
  const k = args.findIndex((a) => shells.has(path.basename(a)) || userShells.has(path.basename(a)) || path.basename(a) === 'ssh');
  if (k < 0) return [];
  return shellScriptArgs(args[k]!, args.slice(k + 1)).map((i) => i + k + 1);
}

/**
 * Which argument a shell would run as its script, or null when it runs none: after an option cluster holding
 * c (-c, -ec, -xc) the script is the first operand, skipping the values of -o/-O, --rcfile and --init-file and
 * other long options (bash --norc). `busybox sh -c ...` runs its applet first. Arguments after the script are
 * only $0, $1, ... : data.
 */
function shellScriptIndex(name: string, args: readonly string[]): number | null {
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
    if (/^--[a-z]/.test(a)) {
      if (longWithValue.has(a)) i++;
      continue;
    }
    if (!/^[-+][A-Za-z]+$/.test(a)) break;
    if (a[0] === '-' && a.includes('c')) runsScript = true;
    // -o and -O take the next argument as their value.
    i += [...a].filter((ch) => ch === 'o' || ch === 'O').length;
  }
  return runsScript && i < args.length ? i : null;
}

/** The arguments after ssh's destination: the remote command, run by the remote user's shell. */
function sshCommandArgs(args: readonly string[]): number[] {
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    // -p 22 or -p22, also in a cluster (-tp 22): the letters after one that takes a value are that value.
    const valued = [...a.slice(1)].findIndex((ch) => sshWithValue.has(ch));
    if (valued === a.length - 2) i++;
  }
  // args[i] is the destination; what follows is the command.
  return Array.from({ length: Math.max(0, args.length - i - 1) }, (_, j) => i + 1 + j);
}
