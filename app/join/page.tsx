import type { Metadata } from "next";
import { firstValues, type PageQuery } from "@/server/http/page-query";
import { JoinForm } from "../_components/join-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Join a session" };

export default async function JoinPage({ searchParams }: { searchParams: Promise<PageQuery> }) {
  const { code } = firstValues(await searchParams);
  return (
    <main id="main">
      <h1>Join a session in the room</h1>
      <p>Type the code shown on the room&apos;s screen. You can ask questions, vote and answer polls from this phone.</p>
      <JoinForm initialCode={(code ?? "").slice(0, 16)} />
    </main>
  );
}
