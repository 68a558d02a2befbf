"use client";
/**
 * Backstage of a streamed session. Panelists and moderators preview their camera and microphone,
 * choose devices and join the LiveKit room; viewers are let in only when a moderator starts the
 * stream, so joining backstage is not yet being live. Organizers and moderators run the stream:
 * go live, end, record (where allowed), mute a panelist, take requests to speak, send captions.
 * Each of those is a panel of its own; this page lays them out by what the person may do.
 */
import type { StreamAbilities, StreamSnapshot } from "@/lib/streaming";
import { PanelNotes } from "../qa/panel-messages";
import { CaptionInput } from "./caption-input";
import { HandQueuePanel } from "./hand-queue-panel";
import { MediaPanel } from "./media-panel";
import { OnStagePanel } from "./on-stage-panel";
import { StreamControlPanel } from "./stream-control-panel";
import { MediaNotice, RecStatus } from "./stream-parts";
import { CaptionFeedPanel } from "../captions/caption-feed-panel";
import { useBackstageRoom } from "./use-backstage-room";
import { useStreamState } from "./use-stream-state";
import styles from "./stream.module.css";
import { ErrorAlert } from "../error-alert";

interface Props {
  initial: StreamSnapshot;
  abilities: StreamAbilities;
  title: string;
  /** The server's reason the stream cannot run now (outside the session's time window), or null. */
  windowNotice?: string | null;
}

export function Backstage({ initial, abilities, title, windowNotice }: Props) {
  const live = useStreamState(initial);
  const { stream } = live;
  const { room, connection, error, join, leave } = useBackstageRoom(stream.slug);

  const stateText =
    stream.state === "live"
      ? "Live: viewers can see and hear everyone on stage."
      : stream.state === "ended"
        ? "The stream has ended. Viewers have been let go."
        : "Not live yet: only people backstage can see and hear you.";

  return (
    <div>
      <h1 id="backstage-title">Backstage: {title}</h1>
      <div className={styles.statusLine}>
        <p role="status" aria-live="polite" style={{ margin: 0 }}>
          <span className={`${styles.state} ${stream.state === "live" ? styles.stateLive : styles.stateWaiting}`} data-state={stream.state}>
            {stream.state === "live" ? "Live" : stream.state === "ended" ? "Ended" : "Backstage"}
          </span>{" "}
          {stateText}
        </p>
        {stream.available ? <RecStatus recording={stream.recording} /> : null}
        <a href={`/sessions/${stream.slug}`}>Viewer page</a>
      </div>
      <MediaNotice media={stream.media} available={stream.available} detail />
      {windowNotice ? (
        <p className={styles.windowNotice} data-testid="stream-window">
          {windowNotice}
        </p>
      ) : null}
      <ErrorAlert message={error} />
      <div className={styles.backstageGrid}>
        {abilities.publish ? (
          <MediaPanel
            room={room}
            connection={connection}
            onJoin={(tracks) => void join(false, tracks)}
            onLeave={() => void leave()}
            disabled={!stream.available}
          />
        ) : abilities.control ? (
          // A moderator without a camera role still hears the room, joining with no tracks.
          <section className="panel-section" aria-labelledby="monitor-heading">
            <h2 id="monitor-heading">The room</h2>
            {connection === "in" ? (
              <button type="button" className="secondary" onClick={() => void leave()}>
                Stop monitoring
              </button>
            ) : (
              <button type="button" onClick={() => void join(true, [])} disabled={connection === "joining" || !stream.available}>
                Monitor the room
              </button>
            )}
          </section>
        ) : null}
        {abilities.control ? <StreamControlPanel live={live} abilities={abilities} /> : null}
        {/* Producers write to the panel here too; panelists read and acknowledge (the server says which,
            when it renders the page, so the grid does not reflow when the notes load). After the
            camera and the stream controls, so Go live is in the first screen of a laptop. */}
        <PanelNotes slug={stream.slug} mode={abilities.notes ? "send" : "inbox"} />
        {connection === "in" ? <OnStagePanel room={room} canMute={abilities.control} slug={stream.slug} /> : null}
        {abilities.control ? <HandQueuePanel live={live} /> : null}
        {abilities.caption ? <CaptionInput slug={stream.slug} /> : null}
        <CaptionFeedPanel slug={stream.slug} />
      </div>
    </div>
  );
}
