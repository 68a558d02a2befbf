export const dynamic = "force-dynamic";

/**
 * The console's navigation only. Every page below guards itself with requirePage(): Next renders a
 * page without re-rendering its layout on client navigations (RSC requests), and renders layout and
 * page side by side on full loads, so a guard here would protect nothing the page loads.
 */
export default function AdminLayout({ children }: { children: React.ReactNode }) {
  return (
    <>
      <nav aria-label="Organizer console" className="admin-nav">
        <a href="/admin">Dashboard</a>
        <a href="/admin/participants">Participants</a>
        <a href="/admin/import">Import participants</a>
        <a href="/admin/feedback">Feedback</a>
        <a href="/admin/report">Report</a>
        <a href="/admin/audit">Audit log</a>
        <a href="/admin/branding">Branding</a>
      </nav>
      {children}
    </>
  );
}
