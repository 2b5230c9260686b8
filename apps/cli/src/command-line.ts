/** The command line as typed, quoted for a POSIX shell, for reports and manifests that say how to reproduce a run. */
export function commandLine(args: readonly string[] = process.argv.slice(2)): string {
  return ['rstar', ...args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`))].join(' ');
}
