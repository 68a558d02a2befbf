import { describe, expect, it } from "vitest";
import { dayInZone, formatClock, isoInZone, offsetMinutes, zonedTimeToInstant, formatDuration } from "./time";

describe("event time", () => {
  it("turns New York wall-clock times in May 2024 into the right instants (EDT, UTC-4)", () => {
    expect(zonedTimeToInstant("2024-05-23", "08:00", "America/New_York").toISOString()).toBe("2024-05-23T12:00:00.000Z");
    expect(zonedTimeToInstant("2024-05-24", "11:30", "America/New_York").toISOString()).toBe("2024-05-24T15:30:00.000Z");
  });

  it("handles standard time and the DST change", () => {
    expect(zonedTimeToInstant("2024-01-10", "09:00", "America/New_York").toISOString()).toBe("2024-01-10T14:00:00.000Z");
    expect(zonedTimeToInstant("2024-03-10", "03:30", "America/New_York").toISOString()).toBe("2024-03-10T07:30:00.000Z");
  });

  it("prints ISO 8601 with the zone's offset", () => {
    const d = new Date("2024-05-23T12:00:00Z");
    expect(isoInZone(d, "America/New_York")).toBe("2024-05-23T08:00:00-04:00");
    expect(isoInZone(d, "Asia/Tokyo")).toBe("2024-05-23T21:00:00+09:00");
    expect(isoInZone(d, "Asia/Kolkata")).toBe("2024-05-23T17:30:00+05:30");
    expect(offsetMinutes(d, "America/New_York")).toBe(-240);
  });

  it("shows a Tokyo viewer the next calendar day for the Thursday reception", () => {
    const end = zonedTimeToInstant("2024-05-23", "18:45", "America/New_York");
    expect(dayInZone(end, "Asia/Tokyo")).toBe("2024-05-24");
    expect(formatClock(end, "Asia/Tokyo")).toBe("07:45");
  });

  it("formats durations for readers", () => {
    expect(formatDuration(90 * 60000)).toBe("1 h 30 min");
    expect(formatDuration(15 * 60000)).toBe("15 min");
    expect(formatDuration(60 * 60000)).toBe("1 h");
  });
});

describe("display formats", () => {
  it("prints days and clock times the same way in every runtime", async () => {
    const { formatDay, formatShortDay } = await import("./time");
    const d = new Date("2024-05-23T12:00:00Z");
    expect(formatDay(d, "America/New_York")).toBe("Thursday 23 May 2024");
    expect(formatShortDay(d, "Asia/Tokyo")).toBe("Thu 23 May");
    expect(formatClock(d, "America/New_York")).toBe("08:00");
    expect(formatClock(new Date("2024-05-23T04:05:00Z"), "America/New_York")).toBe("00:05");
  });
});
