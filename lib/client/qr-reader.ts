/**
 * Reads a QR code from one camera frame, for the registration desk's scanner. jsQR rather than
 * ZXing's JavaScript port: on clean renders of our own passes ZXing missed about one in ten
 * (server/checkin/pass-scan.test.ts), so some people's passes would never scan. Browser-safe.
 */
import jsQR from "jsqr";

/** The text of the QR code in an RGBA frame (a canvas's ImageData), or null when none is read. */
export function readQrCode(rgba: Uint8ClampedArray, width: number, height: number): string | null {
  // Both ways round: a phone with forced dark mode may show the pass light on dark.
  return jsQR(rgba, width, height, { inversionAttempts: "attemptBoth" })?.data ?? null;
}
