import { describeRanges, readRanges, ReadPositions, recordsIn } from "./read-ranges";

const watermarks = [
  { partition: 2, low: "5", high: "9" },
  { partition: 0, low: "0", high: "40" },
  { partition: 1, low: "0", high: "0" },
];

describe("readRanges", () => {
  it("reads every kept record up to the end offsets taken at start, from the beginning", () => {
    const ranges = readRanges(watermarks);
    expect(ranges).toEqual([
      { partition: 0, start: 0n, end: 40n },
      { partition: 1, start: 0n, end: 0n },
      { partition: 2, start: 5n, end: 9n },
    ]);
    expect(recordsIn(ranges)).toBe(44);
    expect(describeRanges(ranges)).toBe("0:0-40 1:0-0 2:5-9");
  });

  it("starts at the first record at or after the time, within what is kept and what is at the end", () => {
    const ranges = readRanges(watermarks, [
      { partition: 0, offset: "12" },
      // looked up after the watermarks: live traffic wrote more meanwhile
      { partition: 1, offset: "3" },
      // before the first kept record
      { partition: 2, offset: "2" },
    ]);
    expect(ranges).toEqual([
      { partition: 0, start: 12n, end: 40n },
      { partition: 1, start: 0n, end: 0n },
      { partition: 2, start: 5n, end: 9n },
    ]);
    expect(recordsIn(ranges)).toBe(32);
  });

  it("reads nothing of a partition the time lookup does not name", () => {
    expect(readRanges(watermarks, [{ partition: 0, offset: "39" }])).toEqual([
      { partition: 0, start: 39n, end: 40n },
      { partition: 1, start: 0n, end: 0n },
      { partition: 2, start: 9n, end: 9n },
    ]);
  });
});

describe("ReadPositions", () => {
  it("takes each record of a range once, and none outside it", () => {
    const positions = new ReadPositions([
      { partition: 0, start: 10n, end: 13n },
      { partition: 1, start: 4n, end: 4n },
    ]);
    expect(positions.donePartitions()).toEqual([1]);
    // a fetch from before the seek took effect, and live traffic past the end
    expect(["8", "9", "10", "11", "12", "13"].filter((offset) => positions.takes(0, offset))).toEqual([
      "10",
      "11",
      "12",
    ]);
    positions.passed(0, 12n);
    expect(positions.takes(0, "11")).toBe(false);
    expect(positions.isDone(0)).toBe(false);
    positions.passed(0, 5n);
    expect(positions.takes(0, "12")).toBe(true);
    positions.passed(0, 14n);
    expect(positions.isDone(0)).toBe(true);
    expect(positions.allDone()).toBe(true);
    expect(positions.takes(7, "0")).toBe(false);
  });
});
