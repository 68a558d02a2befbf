"use client";
import { useEffect } from "react";
import { authorLabel } from "@/lib/qa";
import { getSocket } from "../realtime";
import { useFitText } from "../use-fit-text";
import { useQa } from "./use-qa";
import "./qa.css";

export interface RoomScreenProps {
  slug: string;
  title: string;
  rule: "chatham_house" | "on_record";
  /** The room code as people type it, e.g. ABCD-2345. */
  code: string | null;
  joinUrl: string;
  /** The running poll (ScreenPolls), shown beside the question; the layout makes room for it when it renders. */
  poll?: React.ReactNode;
  /** REC and other corner indicators. */
  status?: React.ReactNode;
  /** The captions band along the bottom (live captions mount here); nothing is reserved while it is empty. */
  captions?: React.ReactNode;
}

/**
 * The room's projector: how to join, and the question on stage in type readable from the back of a
 * ballroom. The tab joins the session as the screen, so the server gives it the audience's view and
 * nothing moderators see, whoever is signed in on the room's computer; under the Chatham House Rule
 * it never shows an attribution.
 *
 * A room screen never scrolls: the page is one viewport-sized grid (bar, stage, poll, captions band),
 * and the question's and the poll's type scale down to fit their cells (useFitText), whatever the
 * length of the question or the number of options. docs/design.md has the layout.
 */
export function RoomScreen({ slug, title, rule, code, joinUrl, poll, status, captions }: RoomScreenProps) {
  useScreenJoin(slug);
  const { state } = useQa(slug, { view: "audience" });
  const onStageId = state.state?.onStage ?? null;
  const onStage = onStageId ? (state.questions.get(onStageId) ?? null) : null;
  const author = rule === "on_record" && onStage?.author ? authorLabel(onStage.author) : null;
  const fit = useFitText<HTMLElement, HTMLDivElement>(`${onStage?.id ?? "idle"}:${onStage?.text ?? ""}:${author ?? ""}`, { min: 16, maxOfHeight: 0.085 });
  return (
    <>
      <header className="screen-bar">
        <h1 id="screen-title">{title}</h1>
        {status}
      </header>
      <section className="qa-screen-stage" aria-labelledby="screen-title" aria-live="polite" ref={fit.box}>
        {onStage ? (
          <div data-testid="screen-on-stage" className="screen-fit" data-fit ref={fit.content}>
            <p className="qa-on-stage-label">Question on stage</p>
            <p className="qa-text">{onStage.text}</p>
            {author ? <p className="qa-author">{author}</p> : null}
          </div>
        ) : (
          <div className="screen-fit" data-fit ref={fit.content}>
            <p className="qa-screen-idle">Ask your questions and vote from your phone.</p>
          </div>
        )}
      </section>
      {poll ? <div className="qa-screen-poll">{poll}</div> : null}
      <JoinCard slug={slug} code={code} joinUrl={joinUrl} />
      <div className="screen-captions" data-testid="screen-captions-slot">
        {captions}
      </div>
    </>
  );
}

/** Joins the session as its screen on every (re)connect; leaves when the page goes. */
function useScreenJoin(slug: string) {
  useEffect(() => {
    const socket = getSocket();
    const join = () => socket.emit("session:join", { slug, view: "screen" }, () => {});
    socket.on("connect", join);
    if (socket.connected) join();
    return () => {
      socket.off("connect", join);
      if (socket.connected) socket.emit("session:leave", { slug }, () => {});
    };
  }, [slug]);
}

function JoinCard({ slug, code, joinUrl }: { slug: string; code: string | null; joinUrl: string }) {
  if (!code) return null;
  return (
    <section className="qa-screen-join" aria-labelledby="screen-join">
      <h2 id="screen-join" className="visually-hidden">
        Join this session
      </h2>
      {/* eslint-disable-next-line @next/next/no-img-element */}
      <img src={`/sessions/${slug}/join-qr.svg`} alt={`QR code: scan to join at ${joinUrl} with the code ${code}`} width={320} height={320} />
      <div className="screen-join-text">
        <p>Scan, or go to</p>
        <p>
          <strong>{joinUrl.replace(/^https?:\/\//, "")}</strong>
        </p>
        <p>and enter the code</p>
        <p className="code-display" data-testid="screen-code">
          {code}
        </p>
      </div>
    </section>
  );
}
