// GET /api/sessions/<slug>/recordings/<id> — the recording's WebM (organizers; attendees once published), with byte ranges for players.
// POST /api/sessions/<slug>/recordings/<id> — organizers publish it to the session's attendees or take it back: { published: boolean }.
import fs from "node:fs";
import { Readable } from "node:stream";
import { parseBody, route, slugParam } from "@/server/http/route";
import { AppError } from "@/server/errors";
import { RECORDING_ID, recordingPublishSchema } from "@/lib/recordings";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string; id: string }> };

function idParam(id: string): string {
  if (!RECORDING_ID.test(id)) throw new AppError("invalid_payload", "A recording id has letters, digits, _ and - only.");
  return id;
}

export async function GET(req: Request, { params }: Params) {
  const { slug, id } = await params;
  return route(req, async ({ app, actor }) => {
    const session = await app.agenda.requireRow(slugParam(slug));
    const { file, bytes, name } = await app.streaming.recordings.file(actor, session, idParam(id));
    const headers: Record<string, string> = {
      "content-type": "video/webm",
      "accept-ranges": "bytes",
      "cache-control": "private, no-store",
      "x-content-type-options": "nosniff",
      "content-disposition": `${new URL(req.url).searchParams.has("download") ? "attachment" : "inline"}; filename="${name}"`,
    };
    // Players seek with byte ranges; one range is all they ask for.
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.get("range") ?? "");
    if (range && (range[1] || range[2])) {
      const start = range[1] ? Number(range[1]) : Math.max(0, bytes - Number(range[2]));
      const end = range[1] && range[2] ? Math.min(Number(range[2]), bytes - 1) : bytes - 1;
      if (start >= bytes || start > end) {
        return new Response(null, { status: 416, headers: { ...headers, "content-range": `bytes */${bytes}` } });
      }
      const body = Readable.toWeb(fs.createReadStream(file, { start, end })) as ReadableStream;
      return new Response(body, {
        status: 206,
        headers: { ...headers, "content-range": `bytes ${start}-${end}/${bytes}`, "content-length": String(end - start + 1) },
      });
    }
    const body = Readable.toWeb(fs.createReadStream(file)) as ReadableStream;
    return new Response(body, { headers: { ...headers, "content-length": String(bytes) } });
  });
}

export async function POST(req: Request, { params }: Params) {
  const { slug, id } = await params;
  return route(req, async ({ app, actor }) => {
    const session = await app.agenda.requireRow(slugParam(slug));
    const body = await parseBody(req, recordingPublishSchema, 256);
    return app.streaming.recordings.publish(actor, session, idParam(id), body.published);
  });
}
