"use client";
import { useState } from "react";
import { api } from "./admin-api";

export interface StaffEntry {
  userId: string;
  name: string | null;
  email: string | null;
  affiliation: string | null;
  role: "moderator" | "panelist";
}

export function StaffManager({ slug, initial }: { slug: string; initial: StaffEntry[] }) {
  const [staff, setStaff] = useState(initial);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<"moderator" | "panelist">("moderator");
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);

  async function change(body: { email: string; role: "moderator" | "panelist"; grant: boolean }, label: string) {
    try {
      const res = await api<{ changed: boolean; staff: StaffEntry[] }>(`/api/admin/sessions/${slug}/roles`, "POST", body);
      setStaff(res.staff);
      setStatus({ text: res.changed ? label : "Nothing changed: that was already so.", error: false });
    } catch (err) {
      setStatus({ text: (err as Error).message, error: true });
    }
  }

  return (
    <>
      {staff.length === 0 ? <p>Nobody yet.</p> : null}
      <ul className="card-list">
        {staff.map((s) => (
          <li key={s.userId + s.role}>
            <span>
              <strong>{s.name ?? "Unnamed"}</strong> ({s.email}) — {s.role}
              {s.affiliation ? <span className="muted"> · {s.affiliation}</span> : null}
            </span>
            {s.email ? (
              <button
                type="button"
                className="secondary"
                onClick={() => change({ email: s.email!, role: s.role, grant: false }, `${s.name ?? s.email} is no longer ${s.role}.`)}
                aria-label={`Remove ${s.name ?? s.email} as ${s.role}`}
              >
                Remove
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void change({ email, role, grant: true }, `${email} is now ${role} of this session.`);
        }}
      >
        <label>
          Participant&apos;s e-mail
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as "moderator" | "panelist")}>
            <option value="moderator">Moderator</option>
            <option value="panelist">Panelist</option>
          </select>
        </label>
        <button type="submit">Assign</button>
      </form>
      <p role="status" className={status?.error ? "error" : "success"}>
        {status?.text ?? ""}
      </p>
    </>
  );
}
