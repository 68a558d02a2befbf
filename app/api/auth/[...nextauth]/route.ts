// GET|POST /api/auth/* — next-auth (e-mail magic links, OIDC single sign-on, sign-out).
import NextAuth from "next-auth";
import { getApp } from "@/server/context";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ nextauth: string[] }> };

function handler(req: Request, ctx: Ctx) {
  return NextAuth(req as never, ctx as never, getApp().nextAuth);
}

export { handler as GET, handler as POST };
