/** The fields of a `/proc/<pid>/stat` line (proc(5)) that CPU accounting needs; times in clock ticks. */
export interface ProcessTimes {
  pid: number;
  comm: string;
  ppid: number;
  utime: number;
  stime: number;
  /** Reaped children's CPU (their own and their reaped children's). */
  cutime: number;
  cstime: number;
}

/** Parses one stat line; the command name may hold spaces and parentheses, so it ends at the last ")". */
export function parseProcStat(line: string): ProcessTimes {
  const open = line.indexOf("(");
  const close = line.lastIndexOf(")");
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  const fields = line
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // fields[0] is proc(5)'s field 3 (state).
  const field = (number: number) => Number(fields[number - 3]);
  return {
    pid: Number(line.slice(0, open)),
    comm: line.slice(open + 1, close),
    ppid: field(4),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
  };
}

/**
 * CPU ticks of a group of processes: each member's own time, plus the reaped children's time of the
 * members whose parent is outside the group (PostgreSQL's postmaster). The difference of two such sums
 * is exact even for members that exit in between: a backend's last time moves into its parent's cutime.
 */
export function groupTicks(members: readonly ProcessTimes[]): number {
  const pids = new Set(members.map((member) => member.pid));
  return members.reduce(
    (sum, m) => sum + m.utime + m.stime + (pids.has(m.ppid) ? 0 : m.cutime + m.cstime),
    0,
  );
}
