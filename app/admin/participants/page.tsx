import type { Metadata } from "next";
import { getApp } from "@/server/context";
import { requirePage } from "@/server/http/page-auth";
import { firstValues, type PageQuery } from "@/server/http/page-query";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Participants" };

export default async function ParticipantsPage({ searchParams }: { searchParams: Promise<PageQuery> }) {
  await requirePage("admin:view", "/admin/participants");
  const { q } = firstValues(await searchParams);
  const search = q?.slice(0, 100) || undefined;
  const [people, total] = await Promise.all([getApp().people.listParticipants(search), getApp().people.countParticipants(search)]);
  const found = search ? `${total.toLocaleString("en-US")} found for “${search}”` : `${total.toLocaleString("en-US")} participants`;
  return (
    <main id="main">
      <h1>Participants</h1>
      <form className="inline-form" method="get" role="search">
        <label>
          Search name, e-mail or affiliation
          <input name="q" defaultValue={q ?? ""} />
        </label>
        <button type="submit">Search</button>
      </form>
      <p>
        {total > people.length ? `${found}: the first ${people.length} by name are listed. Search to find the others.` : `${found}.`}{" "}
        <a href="/admin/import">Import participants from CSV</a>
      </p>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Registered participants</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">E-mail</th>
              <th scope="col">Affiliation</th>
              <th scope="col">Attends</th>
              <th scope="col">Organizer</th>
            </tr>
          </thead>
          <tbody>
            {people.map((p) => (
              <tr key={p.userId}>
                <td>{p.name}</td>
                <td>{p.email}</td>
                <td>{p.affiliation}</td>
                <td>{p.attendanceMode === "in_person" ? "In person" : "Remote"}</td>
                <td>{p.organizer ? "Yes" : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </main>
  );
}
