"use client";
/** Requests to speak from remote viewers, first come first served: give the microphone, decline, end a turn. */
import { useState } from "react";
import { request } from "@/lib/client/request";
import { getSocket } from "../realtime";
import type { StreamStateHook } from "./use-stream-state";
import styles from "./stream.module.css";
import { ErrorAlert } from "../error-alert";

export function HandQueuePanel({ live }: { live: StreamStateHook }) {
  const requests = live.queue?.requests ?? [];
  const [note, setNote] = useState("");
  const decide = async (command: "hand:promote" | "hand:demote", handId: string, camera = false) => {
    const res =
      command === "hand:promote"
        ? await request(getSocket(), command, { slug: live.stream.slug, handId, camera })
        : await request(getSocket(), command, { slug: live.stream.slug, handId });
    if (res.ok) {
      live.setQueue(res.data);
      setNote("");
    } else setNote(res.error.message);
  };
  return (
    <section className="panel-section" aria-labelledby="hands-heading">
      <h2 id="hands-heading">Requests to speak</h2>
      {requests.length === 0 ? <p>No requests. Remote viewers can ask to speak from the session page.</p> : null}
      <ol className={styles.queue} aria-label="Requests, first come first served">
        {requests.map((r) => (
          <li key={r.id}>
            <span>
              <strong>{r.name}</strong>
              {r.affiliation ? `, ${r.affiliation}` : ""} —{" "}
              {r.status === "promoted" ? (r.camera ? "speaking (microphone and camera)" : "speaking (microphone)") : "waiting"}
            </span>
            <span className={styles.controls}>
              {r.status === "waiting" ? (
                <>
                  <button type="button" onClick={() => void decide("hand:promote", r.id)}>
                    Give {r.name} the microphone
                  </button>
                  <button type="button" className="secondary" onClick={() => void decide("hand:promote", r.id, true)}>
                    Microphone and camera
                  </button>
                  <button type="button" className="secondary" onClick={() => void decide("hand:demote", r.id)}>
                    Decline
                  </button>
                </>
              ) : (
                <button type="button" onClick={() => void decide("hand:demote", r.id)}>
                  End {r.name}&apos;s turn
                </button>
              )}
            </span>
          </li>
        ))}
      </ol>
      <ErrorAlert message={note} />
    </section>
  );
}
