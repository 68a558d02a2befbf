import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import QRCode from "qrcode";
import { PASS_TOKEN_PATTERN } from "../../lib/checkin";
import { AppError } from "../errors";

/**
 * The personal pass in a QR code: `<code>.<mac>`. The code is 16 random bytes kept in
 * `attendee_passes` (it says nothing about the person); the mac is an HMAC-SHA256 over it with the
 * server's secret (AUTH_SECRET or the generated one), so a forged or mistyped pass is told apart from a
 * revoked one without a database lookup, and nobody can make a pass by guessing codes.
 */
const CONTEXT = "plenary-pass:v1:";

export function newPassCode(): string {
  return randomBytes(16).toString("base64url");
}

function mac(secret: string, code: string): Buffer {
  return createHmac("sha256", secret)
    .update(CONTEXT + code)
    .digest();
}

export function passToken(secret: string, code: string): string {
  return `${code}.${mac(secret, code).toString("base64url")}`;
}

/** The pass code inside a token, or the refusal a desk can act on. */
export function verifyPassToken(secret: string, token: string): string {
  if (!PASS_TOKEN_PATTERN.test(token))
    throw new AppError("pass_invalid", "That is not a Plenary pass. Scan the QR code on the participant's pass again, or search by name.");
  const [code, sent] = token.split(".");
  const expected = mac(secret, code);
  const given = Buffer.from(sent, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new AppError("pass_forged", "This pass was not issued by this event (its signature does not match). Search for the participant by name instead.");
  return code;
}

/** The pass's QR code as the phone shows it (SVG) and as the e-mail carries it (PNG, 320 px). */
const QR_OPTIONS = { errorCorrectionLevel: "M", margin: 2 } as const;

export function passSvg(url: string): Promise<string> {
  return QRCode.toString(url, { ...QR_OPTIONS, type: "svg" });
}

export function passPng(url: string): Promise<Buffer> {
  return QRCode.toBuffer(url, { ...QR_OPTIONS, type: "png", width: 320 });
}
