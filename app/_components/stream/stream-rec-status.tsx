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

/**
 * `corner`: fixed in the top right corner; `top`: above the panelists' view, kept in sight while
 * scrolling; `inline`: where it is put (the room screen's title bar, so it never covers the join card).
 */
export function StreamRecStatus({ initial, placement }: { initial: StreamSnapshot; placement: "corner" | "top" | "inline" }) {
  const { stream } = useStreamState(initial);
  // Without LiveKit there is no stream, so nothing can record it.
  if (!stream.available) return null;
  return (
    <div className={placement === "corner" ? styles.recCorner : placement === "top" ? styles.recTop : undefined}>
      <RecStatus recording={stream.recording} large />
    </div>
  );
}
