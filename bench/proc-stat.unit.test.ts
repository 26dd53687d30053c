import { groupTicks, parseProcStat, type ProcessTimes } from "./proc-stat";

/** A stat line as the kernel writes it, with the given comm, ppid and the four time fields. */
const statLine = (pid: number, comm: string, ppid: number, [u, s, cu, cs]: number[]) =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 1234 0 0 0 ${u} ${s} ${cu} ${cs} 20 0 12 0 5678 123456789 4321`;

describe("CPU time from /proc/<pid>/stat", () => {
  it("reads the pid, command, parent and the four time fields", () => {
    expect(parseProcStat(statLine(4242, "postgres", 1, [150, 30, 7, 2]))).toEqual({
      pid: 4242,
      comm: "postgres",
      ppid: 1,
      utime: 150,
      stime: 30,
      cutime: 7,
      cstime: 2,
    });
  });

  it("takes a command holding spaces and parentheses up to the last parenthesis", () => {
    const times = parseProcStat(statLine(7, "a) (b c", 3, [1, 2, 3, 4]) + "\n");
    expect(times.comm).toBe("a) (b c");
    expect([times.ppid, times.utime, times.stime, times.cutime, times.cstime]).toEqual([3, 1, 2, 3, 4]);
  });

  it("refuses a line that is not a stat line", () => {
    expect(() => parseProcStat("no parentheses here")).toThrow("not a /proc/<pid>/stat line");
  });

  it("counts reaped children once, through the group's root, so an exited member's time is kept", () => {
    const postgres = (pid: number, ppid: number, times: number[]): ProcessTimes =>
      parseProcStat(statLine(pid, "postgres", ppid, times));
    const before = [postgres(100, 1, [10, 5, 40, 10]), postgres(101, 100, [20, 0, 99, 99])];
    // Backend 101 used 5 more ticks and exited (into the postmaster's cutime: 20 + 5); 102 started.
    const after = [postgres(100, 1, [11, 5, 65, 10]), postgres(102, 100, [3, 1, 0, 0])];
    expect(groupTicks(before)).toBe(85);
    expect(groupTicks(after) - groupTicks(before)).toBe(1 + 5 + 4);
  });
});
