"use client";
import { useState } from "react";
import type { AgendaItem } from "@/lib/agenda";
import { formatClock, formatShortDay } from "@/lib/time";
import { api } from "./admin-api";
import { useLiveAgenda } from "./use-live-agenda";

export interface AdminSessionRow {
  item: AgendaItem;
  code: string | null;
  moderators: number;
  panelists: number;
}

export function AdminSessionList({ rows, timeZone }: { rows: AdminSessionRow[]; timeZone: string }) {
  const { items } = useLiveAgenda(rows.map((r) => r.item));
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  async function toggleQa(item: AgendaItem) {
    try {
      const { item: updated } = await api<{ item: AgendaItem }>(`/api/admin/sessions/${item.slug}`, "PATCH", {
        expectedVersion: item.version,
        patch: { qaOpen: !item.qaOpen },
      });
      setMessage({ text: `Q&A is now ${updated.qaOpen ? "open" : "closed"} for “${updated.title}”.`, error: false });
    } catch (err) {
      setMessage({ text: (err as Error).message, error: true });
    }
  }

  return (
    <>
      <p role="status" className={message?.error ? "error" : "success"}>
        {message?.text ?? ""}
      </p>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Sessions of the programme</caption>
          <thead>
            <tr>
              <th scope="col">When (event time)</th>
              <th scope="col">Session</th>
              <th scope="col">Rule</th>
              <th scope="col">Q&amp;A</th>
              <th scope="col">Room code</th>
              <th scope="col">Staff</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => {
              const row = rows.find((r) => r.item.slug === item.slug)!;
              return (
                <tr key={item.slug} data-slug={item.slug}>
                  <td>
                    {formatShortDay(item.startsAt, timeZone)} {formatClock(item.startsAt, timeZone)}–{formatClock(item.endsAt, timeZone)}
                  </td>
                  <td>
                    <a href={`/admin/sessions/${item.slug}`}>{item.title}</a>
                  </td>
                  <td>{item.rule === "chatham_house" ? "Chatham House" : `On the record${item.streamed ? ", streamed" : ""}`}</td>
                  <td>
                    {item.qaEnabled ? (
                      <button
                        type="button"
                        className="secondary"
                        onClick={() => toggleQa(item)}
                        aria-label={`${item.qaOpen ? "Close" : "Open"} Q&A for ${item.title}`}
                      >
                        {item.qaOpen ? "Open — close it" : "Closed — open it"}
                      </button>
                    ) : (
                      "None"
                    )}
                  </td>
                  <td className="code-display">{row.code ?? "—"}</td>
                  <td>
                    {row.moderators} moderator{row.moderators === 1 ? "" : "s"}, {row.panelists} panelist{row.panelists === 1 ? "" : "s"}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
