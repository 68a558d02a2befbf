"use client";
/**
 * REC on the room's screen and the panelists' view of a streamed session: everyone in the room sees
 * when the session is being recorded, whoever started the recording. It follows the stream's state
 * live (`stream:changed`) and loads no LiveKit code.
 */
import type { StreamSnapshot } from "@/lib/streaming";
import { RecStatus } from "./stream-parts";
import { useStreamState } from "./use-stream-state";
import styles from "./stream.module.css";

/** `corner`: over the room's screen (which has no header); `top`: above the panelists' view, kept in sight while scrolling. */
export function StreamRecStatus({ initial, placement }: { initial: StreamSnapshot; placement: "corner" | "top" }) {
  const { stream } = useStreamState(initial);
  // Without LiveKit there is no stream, so nothing can record it.
  if (!stream.available) return null;
  return (
    <div className={placement === "corner" ? styles.recCorner : styles.recTop}>
      <RecStatus recording={stream.recording} large />
    </div>
  );
}
