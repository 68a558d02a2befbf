"use client";
import { useState } from "react";
import { api } from "./admin-api";

interface Row {
  line: number;
  name: string;
  email: string;
  affiliation: string | null;
  attendanceMode: string;
  organizer: boolean;
  roles: Array<{ role: string; sessionSlug: string }>;
}
interface Problem {
  line: number;
  email?: string;
  errors: string[];
}
interface Preview {
  total: number;
  valid: Row[];
  problems: Problem[];
  fileError?: string;
}
interface Result {
  created: number;
  updated: number;
  unchanged: number;
  rolesAdded: number;
  skipped: number;
}

export function ParticipantImport() {
  const [csv, setCsv] = useState("");
  const [preview, setPreview] = useState<Preview | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(apply: boolean) {
    setBusy(true);
    setError(null);
    try {
      if (apply) {
        setResult((await api<{ result: Result }>("/api/admin/import", "POST", { csv, apply: true })).result);
      } else {
        setResult(null);
        setPreview((await api<{ preview: Preview }>("/api/admin/import", "POST", { csv, apply: false })).preview);
      }
    } catch (err) {
      setError((err as Error).message);
    }
    setBusy(false);
  }

  return (
    <>
      <div className="form" style={{ maxWidth: "none" }}>
        <label>
          CSV file
          <input
            type="file"
            accept=".csv,text/csv"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (file) {
                setCsv(await file.text());
                setPreview(null);
                setResult(null);
              }
            }}
          />
        </label>
        <label>
          …or paste the CSV
          <textarea
            rows={8}
            value={csv}
            onChange={(e) => {
              setCsv(e.target.value);
              setPreview(null);
              setResult(null);
            }}
            spellCheck={false}
          />
        </label>
        <div>
          <button type="button" onClick={() => run(false)} disabled={busy || !csv.trim()}>
            Preview
          </button>
        </div>
      </div>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {preview ? (
        <section aria-labelledby="preview-heading" className="panel-section">
          <h2 id="preview-heading">Preview</h2>
          {preview.fileError ? (
            <p className="error" role="alert">
              {preview.fileError}
            </p>
          ) : (
            <>
              <p role="status" data-testid="preview-summary">
                {preview.total} rows: {preview.valid.length} ready to import, {preview.problems.length} with errors (not imported).
              </p>
              {preview.problems.length ? (
                <div className="table-wrap">
                  <table>
                    <caption>Rows with errors</caption>
                    <thead>
                      <tr>
                        <th scope="col">Line</th>
                        <th scope="col">E-mail</th>
                        <th scope="col">Problems</th>
                      </tr>
                    </thead>
                    <tbody>
                      {preview.problems.map((p) => (
                        <tr key={p.line} data-line={p.line}>
                          <td>{p.line}</td>
                          <td>{p.email ?? ""}</td>
                          <td>{p.errors.join("; ")}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : null}
              {preview.valid.length ? (
                <div className="table-wrap">
                  <table>
                    <caption>Rows to import</caption>
                    <thead>
                      <tr>
                        <th scope="col">Line</th>
                        <th scope="col">Name</th>
                        <th scope="col">E-mail</th>
                        <th scope="col">Affiliation</th>
                        <th scope="col">Attends</th>
                        <th scope="col">Roles</th>
                      </tr>
                    </thead>
                    <tbody>
                      {preview.valid.map((r) => (
                        <tr key={r.line} data-line={r.line}>
                          <td>{r.line}</td>
                          <td>{r.name}</td>
                          <td>{r.email}</td>
                          <td>{r.affiliation ?? ""}</td>
                          <td>{r.attendanceMode === "in_person" ? "In person" : "Remote"}</td>
                          <td>{[...(r.organizer ? ["organizer"] : []), ...r.roles.map((x) => `${x.role}: ${x.sessionSlug}`)].join(", ")}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : null}
              <button type="button" onClick={() => run(true)} disabled={busy || preview.valid.length === 0}>
                Import {preview.valid.length} participant{preview.valid.length === 1 ? "" : "s"}
              </button>
            </>
          )}
        </section>
      ) : null}
      {result ? (
        <p role="status" className="success" data-testid="import-result">
          Imported: {result.created} new, {result.updated} updated, {result.unchanged} unchanged, {result.rolesAdded} roles added, {result.skipped} rows
          skipped.
        </p>
      ) : null}
    </>
  );
}
