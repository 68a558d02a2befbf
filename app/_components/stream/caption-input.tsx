"use client";
/** A captioner types caption lines here; CART software sends the same socket command. */
import { useState } from "react";
import { request } from "@/lib/client/request";
import { getSocket } from "../realtime";
import { ErrorAlert } from "../error-alert";

export function CaptionInput({ slug }: { slug: string }) {
  const [text, setText] = useState("");
  const [note, setNote] = useState("");
  const send = async (e: React.FormEvent) => {
    e.preventDefault();
    const res = await request(getSocket(), "caption:push", { slug, text, final: true });
    if (res.ok) {
      setText("");
      setNote("");
    } else setNote(res.error.message);
  };
  return (
    <section className="panel-section" aria-labelledby="caption-heading">
      <h2 id="caption-heading">Send captions</h2>
      <form className="form" onSubmit={(e) => void send(e)}>
        <label>
          Caption line
          <span className="hint">Every viewer sees it at once. CART software can send lines with the caption:push socket command.</span>
          <textarea value={text} onChange={(e) => setText(e.target.value)} rows={2} maxLength={500} required />
        </label>
        <p>
          <button type="submit">Send caption</button>
        </p>
        <ErrorAlert message={note} />
      </form>
    </section>
  );
}
