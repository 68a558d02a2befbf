// GET /sessions/<slug>/join-qr.svg — the QR code that joins this session (for the room screen; staff only).
import QRCode from "qrcode";
import { AppError } from "@/server/errors";
import { route, slugParam } from "@/server/http/route";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug: raw } = await params;
  return route(req, async ({ app, actor }) => {
    const session = await app.agenda.requireRow(slugParam(raw));
    await app.guard.require(actor, "screen:view", session);
    if (!session.accessCode) throw new AppError("not_found", "This session has no room code.");
    const svg = await QRCode.toString(`${app.config.publicUrl}/join?code=${session.accessCode}`, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
    return new Response(svg, { headers: { "content-type": "image/svg+xml", "cache-control": "private, no-store" } });
  });
}
