/**
 * Every pass the server makes can be read by the desk's scanner. The desk reads a camera frame, so
 * each pass is read as rendered for the e-mail (on a white 640×480 frame) and scaled by 1.5 with
 * smoothing, as a camera sees a phone's screen. ZXing's JavaScript port, which the desk used before,
 * missed 37 of 400 such renders: a person whose pass is one of those could never be scanned in.
 */
import { randomBytes } from "node:crypto";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { PASS_URL_PREFIX } from "../../lib/checkin";
import { readQrCode } from "../../lib/client/qr-reader";
import { newPassCode, passPng, passToken } from "./pass";

const FRAME = { width: 640, height: 480 };
const PASSES = 150;

/** Grey levels of the PNG (the pass is black on white, fully opaque). */
function grey(png: PNG): (x: number, y: number) => number {
  return (x, y) => png.data[(y * png.width + x) * 4];
}

/** The pass centred on a white camera frame, scaled by `scale` with bilinear smoothing. */
function cameraFrame(png: PNG, scale: number): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(FRAME.width * FRAME.height * 4).fill(255);
  const at = grey(png);
  const size = Math.round(png.width * scale);
  const left = (FRAME.width - size) >> 1;
  const top = (FRAME.height - size) >> 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sx = Math.min(png.width - 1.001, (x + 0.5) / scale - 0.5);
      const sy = Math.min(png.height - 1.001, (y + 0.5) / scale - 0.5);
      const x0 = Math.max(0, Math.floor(sx));
      const y0 = Math.max(0, Math.floor(sy));
      const fx = Math.max(0, sx - x0);
      const fy = Math.max(0, sy - y0);
      const v = (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
      const i = ((top + y) * FRAME.width + left + x) * 4;
      rgba[i] = rgba[i + 1] = rgba[i + 2] = v;
    }
  }
  return rgba;
}

describe("the desk's scanner", () => {
  it(`reads every one of ${PASSES} passes, as rendered and as a camera sees them`, async () => {
    const secret = randomBytes(32).toString("base64url");
    const missed: string[] = [];
    for (let i = 0; i < PASSES; i++) {
      // The URL as the quick start makes it (a loopback origin), with a fresh pass each time.
      const url = `http://127.0.0.1:${3000 + i}${PASS_URL_PREFIX}${passToken(secret, newPassCode())}`;
      const png = PNG.sync.read(await passPng(url));
      for (const scale of [1, 1.5]) {
        if (readQrCode(cameraFrame(png, scale), FRAME.width, FRAME.height) !== url) missed.push(`${url} at ×${scale}`);
      }
    }
    expect(missed).toEqual([]);
  });

  it("reads a pass shown light on dark (a phone with forced dark mode), and nothing from a blank frame", async () => {
    const url = `http://127.0.0.1:3000${PASS_URL_PREFIX}${passToken("s", newPassCode())}`;
    const frame = cameraFrame(PNG.sync.read(await passPng(url)), 1);
    const inverted = frame.map((v, i) => (i % 4 === 3 ? v : 255 - v));
    expect(readQrCode(inverted, FRAME.width, FRAME.height)).toBe(url);
    expect(readQrCode(new Uint8ClampedArray(FRAME.width * FRAME.height * 4).fill(255), FRAME.width, FRAME.height)).toBeNull();
  });
});
