"use client";
import { useEffect, useRef, useState } from "react";
import type { IScannerControls } from "@zxing/browser";
import styles from "./check-in.module.css";

/** The same pass read again within this time is one scan (the camera sees it in every frame). */
const SAME_PASS_MS = 4_000;

/**
 * Reads pass QR codes from the device's camera with ZXing (@zxing/browser), loaded only when the helper
 * turns the camera on. Each new code read goes to `onScan`; the server checks it.
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
    let controls: IScannerControls | undefined;
    let cancelled = false;
    let last = { text: "", at: 0 };
    void (async () => {
      try {
        const { BrowserQRCodeReader } = await import("@zxing/browser");
        const reader = new BrowserQRCodeReader(undefined, { delayBetweenScanAttempts: 150 });
        const started = await reader.decodeFromConstraints({ video: { facingMode: "environment" } }, video.current!, (result) => {
          if (!result) return;
          const text = result.getText();
          const now = Date.now();
          if (text === last.text && now - last.at < SAME_PASS_MS) return;
          last = { text, at: now };
          latest.current(text);
        });
        if (cancelled) started.stop();
        else controls = started;
      } catch (err) {
        const name = (err as Error).name;
        setError(
          name === "NotAllowedError"
            ? "The browser was not allowed to use the camera. Allow it in the address bar, or search by name."
            : "No camera could be started on this device. Search by name instead.",
        );
        setOn(false);
      }
    })();
    return () => {
      cancelled = true;
      controls?.stop();
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
      <video ref={video} className={styles.video} hidden={!on} muted playsInline aria-label="Camera view for scanning passes" />
    </section>
  );
}
