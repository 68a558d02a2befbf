import { describe, expect, it } from "vitest";
import { toWebVtt } from "./vtt";

describe("WebVTT from kept captions", () => {
  it("numbers cues by seq, times them from the start, ends each at the next (at most 6 s) and keeps text safe", () => {
    const start = new Date("2024-05-24T13:45:00Z");
    const at = (s: number) => new Date(start.getTime() + s * 1000);
    const vtt = toWebVtt(
      [
        { seq: 2, at: at(3725.5), text: "Second --> line\n\n\nwith a gap" },
        { seq: 1, at: at(3723), text: "First" },
        { seq: 3, at: at(3740), text: "Third" },
        { seq: 0, at: at(-60), text: "Before the start" },
      ],
      { start, note: "A panel, en-US." },
    );
    expect(vtt).toBe(
      [
        "WEBVTT",
        "",
        "NOTE A panel, en-US.",
        "",
        "0",
        "00:00:00.000 --> 00:00:06.000",
        "Before the start",
        "",
        "1",
        "01:02:03.000 --> 01:02:05.500",
        "First",
        "",
        "2",
        "01:02:05.500 --> 01:02:11.500",
        "Second → line\nwith a gap",
        "",
        "3",
        "01:02:20.000 --> 01:02:26.000",
        "Third",
        "",
      ].join("\n"),
    );
  });
});
