import { requirePage } from "@/server/http/page-auth";

export const dynamic = "force-dynamic";

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  await requirePage("admin:view", "/admin");
  return (
    <>
      <nav aria-label="Organizer console" className="admin-nav">
        <a href="/admin">Sessions</a>
        <a href="/admin/participants">Participants</a>
        <a href="/admin/import">Import participants</a>
        <a href="/admin/audit">Audit log</a>
      </nav>
      {children}
    </>
  );
}
