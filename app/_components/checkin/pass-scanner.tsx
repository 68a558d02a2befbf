"use client";
import { useEffect, useRef, useState } from "react";
import styles from "./check-in.module.css";

/** The same pass read again within this time is one scan (the camera sees it in every frame). */
const SAME_PASS_MS = 4_000;
/** How often a frame is read: often enough to feel instant, rarely enough to spare a phone's battery. */
const SCAN_EVERY_MS = 150;

type QrReader = (rgba: Uint8ClampedArray, width: number, height: number) => string | null;

/** The QR code in the video's current frame, or null when there is none (or the frame cannot be read). */
function readCode(read: QrReader, el: HTMLVideoElement, canvas: HTMLCanvasElement, context: CanvasRenderingContext2D): string | null {
  try {
    const { videoWidth: width, videoHeight: height } = el;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    context.drawImage(el, 0, 0);
    return read(context.getImageData(0, 0, width, height).data, width, height);
  } catch {
    return null;
  }
}

/** Turns the camera off: its light goes out when every track is stopped. */
function release(el: HTMLVideoElement, stream: MediaStream | undefined) {
  for (const track of stream?.getTracks() ?? []) track.stop();
  if (el.srcObject === stream) el.srcObject = null;
}

/**
 * Reads pass QR codes from the device's camera (lib/client/qr-reader.ts, loaded only when the helper
 * turns the camera on). Each new code read goes to `onScan`; the server checks it. Turning the camera
 * off, or leaving the page, stops its tracks.
 */
export function PassScanner({ onScan }: { onScan: (text: string) => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const latest = useRef(onScan);
  const [on, setOn] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    latest.current = onScan;
  }, [onScan]);

  useEffect(() => {
    if (!on) return;
    const el = video.current!;
    let stream: MediaStream | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let cancelled = false;
    let last = { text: "", at: 0 };
    void (async () => {
      try {
        const [{ readQrCode }, media] = await Promise.all([
          import("@/lib/client/qr-reader"),
          navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }),
        ]);
        stream = media;
        if (cancelled) {
          release(el, stream);
          return;
        }
        el.srcObject = stream;
        const canvas = document.createElement("canvas");
        const context = canvas.getContext("2d", { willReadFrequently: true })!;
        // Every frame is a fresh try, whatever the one before it did, and whether or not the preview
        // has said it plays (a busy phone can take many seconds to say so).
        const scan = () => {
          if (cancelled) return;
          timer = setTimeout(scan, SCAN_EVERY_MS);
          if (el.paused) void el.play().catch(() => undefined);
          const text = el.readyState >= el.HAVE_CURRENT_DATA && el.videoWidth ? readCode(readQrCode, el, canvas, context) : null;
          const now = Date.now();
          if (text && !(text === last.text && now - last.at < SAME_PASS_MS)) {
            last = { text, at: now };
            latest.current(text);
          }
        };
        scan();
      } catch (err) {
        if (cancelled) return;
        setError(
          (err as Error).name === "NotAllowedError"
            ? "The browser was not allowed to use the camera. Allow it in the address bar, or search by name."
            : "No camera could be started on this device. Search by name instead.",
        );
        setOn(false);
      }
    })();
    return () => {
      cancelled = true;
      clearTimeout(timer);
      release(el, stream);
    };
  }, [on]);

  return (
    <section aria-labelledby="scan-heading" className={styles.panel}>
      <h2 id="scan-heading">Scan a pass</h2>
      <p className={styles.hint}>Hold the participant&apos;s QR code up to the camera; they are checked in as soon as it is read.</p>
      <button
        type="button"
        className={on ? "secondary" : undefined}
        aria-pressed={on}
        onClick={() => {
          setError(null);
          setOn(!on);
        }}
      >
        {on ? "Turn the camera off" : "Turn the camera on"}
      </button>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      <video ref={video} className={styles.video} hidden={!on} autoPlay muted playsInline aria-label="Camera view for scanning passes" />
    </section>
  );
}
