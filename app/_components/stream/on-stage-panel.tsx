"use client";
/** Who else is on stage, heard through this page, and (for moderators) muted from here. */
import { useEffect, useRef, useState } from "react";
import { Track, type RemoteParticipant, type RemoteTrack, type Room } from "livekit-client";
import { request } from "@/lib/client/request";
import { getSocket } from "../realtime";

export function OnStagePanel({ room, canMute, slug }: { room: Room; canMute: boolean; slug: string }) {
  const [note, setNote] = useState("");
  const people = [...room.remoteParticipants.values()].filter((p) => p.trackPublications.size > 0);
  const micOn = (p: RemoteParticipant) => [...p.trackPublications.values()].some((t) => t.source === Track.Source.Microphone && !t.isMuted);
  // Muting goes through the server, which checks the moderator's role and tells LiveKit.
  const mute = async (p: RemoteParticipant) => {
    const res = await request(getSocket(), "stream:mute", { slug, identity: p.identity });
    setNote(res.ok ? `${p.name || "Speaker"} is muted.` : res.error.message);
  };
  return (
    <section className="panel-section" aria-labelledby="stage-heading">
      <h2 id="stage-heading">On stage</h2>
      {people.length === 0 ? <p>Nobody else is on stage yet.</p> : null}
      <ul className="card-list">
        {people.map((p) => (
          <li key={p.identity}>
            <span>
              <strong>{p.name || "Speaker"}</strong> — microphone {micOn(p) ? "on" : "off"}
            </span>
            {[...p.trackPublications.values()]
              .filter((t) => t.kind === Track.Kind.Audio && t.track)
              .map((t) => (
                <RemoteAudio key={t.trackSid} track={t.track as RemoteTrack} />
              ))}
            {canMute && micOn(p) ? (
              <button type="button" className="secondary" onClick={() => void mute(p)}>
                Mute {p.name || "speaker"}
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <p aria-live="polite">{note}</p>
    </section>
  );
}

function RemoteAudio({ track }: { track: RemoteTrack }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    track.attach(el);
    return () => {
      track.detach(el);
    };
  }, [track]);
  return <audio ref={ref} autoPlay />;
}
