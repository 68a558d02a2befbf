import type { Metadata } from "next";
import { getApp } from "@/server/context";
import { requirePage } from "@/server/http/page-auth";
import { BrandingForm } from "@/app/_components/branding-form";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Branding" };

/** The event's name, logo and colour, as every page's header shows them. */
export default async function BrandingPage() {
  await requirePage("agenda:edit", "/admin/branding");
  const app = getApp();
  const [branding, event] = await Promise.all([app.branding.get(), app.agenda.getEvent()]);
  return (
    <main id="main">
      <h1>Branding</h1>
      <p>How the event presents itself in every page&apos;s header. The colour is used for buttons and links, so it must be dark enough to read on white.</p>
      <BrandingForm initial={branding} eventName={event.name} />
    </main>
  );
}
