"use client";
import { useState } from "react";
import { nonInteractiveKinds, type AgendaItem } from "@/lib/agenda";
import { dayInZone, formatClock, isoInZone, zonedTimeToInstant } from "@/lib/time";
import { api } from "./admin-api";

type Flags = Pick<AgendaItem, "streamed" | "recordingAllowed" | "qaEnabled" | "pollsEnabled" | "qaOpen">;

const flagLabels: Record<keyof Flags, string> = {
  qaEnabled: "Q&A for this session",
  qaOpen: "Q&A open (questions accepted)",
  pollsEnabled: "Polls for this session",
  streamed: "Streamed live",
  recordingAllowed: "Recording allowed",
};

export function SessionEditor({ initial, timeZone }: { initial: AgendaItem; timeZone: string }) {
  const [item, setItem] = useState(initial);
  const [title, setTitle] = useState(initial.title);
  const [topic, setTopic] = useState(initial.topic ?? "");
  const [description, setDescription] = useState(initial.description ?? "");
  const [day, setDay] = useState(dayInZone(new Date(initial.startsAt), timeZone));
  const [start, setStart] = useState(formatClock(initial.startsAt, timeZone));
  const [end, setEnd] = useState(formatClock(initial.endsAt, timeZone));
  const [flags, setFlags] = useState<Flags>({
    streamed: initial.streamed,
    recordingAllowed: initial.recordingAllowed,
    qaEnabled: initial.qaEnabled,
    pollsEnabled: initial.pollsEnabled,
    qaOpen: initial.qaOpen,
  });
  const [qaMode, setQaMode] = useState(initial.qaMode);
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setStatus(null);
    try {
      const patch = {
        title,
        topic: topic.trim() || null,
        description: description.trim() || null,
        startsAt: isoInZone(zonedTimeToInstant(day, start, timeZone), timeZone),
        endsAt: isoInZone(zonedTimeToInstant(day, end, timeZone), timeZone),
        ...flags,
        qaMode,
      };
      const { item: saved } = await api<{ item: AgendaItem }>(`/api/admin/sessions/${item.slug}`, "PATCH", { expectedVersion: item.version, patch });
      setItem(saved);
      setStatus({ text: "Saved. Open agenda and session pages show the change now.", error: false });
    } catch (err) {
      setStatus({ text: (err as Error).message, error: true });
    }
    setBusy(false);
  }

  const chatham = item.rule === "chatham_house";
  const interactive = !nonInteractiveKinds.includes(item.kind);
  return (
    <form className="panel-section" onSubmit={save} aria-describedby="editor-status">
      <p>
        Rule: <strong>{chatham ? "Chatham House Rule — in the room only, never streamed or recorded" : `On the record, hosted by ${item.host}`}</strong>. The
        rule is part of the programme and cannot be changed here.
      </p>
      <div className="field-grid">
        <label className="form">
          Title
          <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} />
        </label>
        <label className="form">
          Topic
          <input value={topic} onChange={(e) => setTopic(e.target.value)} maxLength={200} />
        </label>
      </div>
      <label className="form" style={{ maxWidth: "none" }}>
        Description
        <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={4} maxLength={4000} />
      </label>
      <fieldset className="field-grid">
        <legend>Time (event time, {timeZone})</legend>
        <label className="form">
          Day
          <input type="date" value={day} onChange={(e) => setDay(e.target.value)} required />
        </label>
        <label className="form">
          Starts
          <input type="time" value={start} onChange={(e) => setStart(e.target.value)} required />
        </label>
        <label className="form">
          Ends
          <input type="time" value={end} onChange={(e) => setEnd(e.target.value)} required />
        </label>
      </fieldset>
      <fieldset className="checks">
        <legend>Switches</legend>
        {(Object.keys(flagLabels) as Array<keyof Flags>).map((key) => {
          const forbidden = (chatham && (key === "streamed" || key === "recordingAllowed")) || (!interactive && key !== "qaOpen" && key !== "recordingAllowed");
          const hintId = `hint-${key}`;
          return (
            <label key={key}>
              <input
                type="checkbox"
                checked={flags[key]}
                onChange={(e) => setFlags({ ...flags, [key]: e.target.checked })}
                aria-describedby={forbidden ? hintId : undefined}
              />
              {flagLabels[key]}
              {forbidden ? (
                <span id={hintId} className="hint">
                  {chatham && (key === "streamed" || key === "recordingAllowed")
                    ? " — not possible under the Chatham House Rule (the server refuses it)"
                    : " — not possible for registration, breaks, meals or the reception"}
                </span>
              ) : null}
            </label>
          );
        })}
      </fieldset>
      <fieldset className="checks">
        <legend>Q&amp;A moderation</legend>
        <label>
          <input type="radio" name="qaMode" checked={qaMode === "pre_moderated"} onChange={() => setQaMode("pre_moderated")} /> Pre-moderated: moderators
          approve each question
        </label>
        <label>
          <input type="radio" name="qaMode" checked={qaMode === "open"} onChange={() => setQaMode("open")} /> Open: questions appear at once
        </label>
      </fieldset>
      <p id="editor-status" role="status" className={status?.error ? "error" : "success"}>
        {status?.text ?? ""}
      </p>
      <button type="submit" disabled={busy}>
        Save changes
      </button>
    </form>
  );
}
