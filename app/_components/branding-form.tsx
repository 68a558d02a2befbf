"use client";
import { useState } from "react";
import { BRANDING_LIMITS, contrastOnWhite, DEFAULT_ACCENT, type Branding } from "@/lib/branding";
import { api } from "./admin-api";

/** The organizer's branding form: name, colour (with its contrast, checked again by the server) and a small logo. */
export function BrandingForm({ initial, eventName }: { initial: Branding; eventName: string }) {
  const [name, setName] = useState(initial.name ?? "");
  const [accent, setAccent] = useState(initial.accent ?? DEFAULT_ACCENT);
  const [logo, setLogo] = useState<string | null>(initial.logo);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const ratio = /^#[0-9a-fA-F]{6}$/.test(accent) ? contrastOnWhite(accent.toLowerCase()) : null;

  const pickLogo = (file: File | undefined) => {
    setStatus(null);
    if (!file) return;
    if (file.size > BRANDING_LIMITS.logoBytes) {
      setStatus({ ok: false, text: `The logo is larger than ${BRANDING_LIMITS.logoBytes / 1024} KB. Choose a smaller image.` });
      return;
    }
    const reader = new FileReader();
    reader.onload = () => setLogo(typeof reader.result === "string" ? reader.result : null);
    reader.readAsDataURL(file);
  };

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setStatus(null);
    try {
      await api("/api/admin/branding", "POST", { name, accent: accent === DEFAULT_ACCENT ? "" : accent, logo: logo ?? "" });
      setStatus({ ok: true, text: "Saved. Reload any page to see it." });
    } catch (err) {
      setStatus({ ok: false, text: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={(e) => void save(e)} aria-label="Branding">
      <label>
        Event name in the header
        <input type="text" value={name} maxLength={BRANDING_LIMITS.name} onChange={(e) => setName(e.target.value)} placeholder={eventName} />
        <span className="hint">Empty: “{eventName}”.</span>
      </label>
      <label>
        Brand colour
        <span style={{ display: "flex", gap: "0.5rem", alignItems: "center" }}>
          <input type="color" value={accent} onChange={(e) => setAccent(e.target.value)} aria-describedby="accent-contrast" />
          <input type="text" value={accent} onChange={(e) => setAccent(e.target.value)} aria-label="Brand colour as #rrggbb" size={8} />
        </span>
        <span className="hint" id="accent-contrast">
          {ratio === null
            ? "Give the colour as #rrggbb."
            : `Contrast on white: ${ratio.toFixed(1)}:1 ${ratio >= 4.5 ? "(readable)" : "(too light: at least 4.5:1 is needed)"}`}
        </span>
      </label>
      <label>
        Logo (PNG, JPEG or WebP, up to {BRANDING_LIMITS.logoBytes / 1024} KB)
        <input type="file" accept="image/png,image/jpeg,image/webp" onChange={(e) => pickLogo(e.target.files?.[0])} />
      </label>
      {logo ? (
        <p>
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src={logo} alt="The logo as it will appear" height={40} />{" "}
          <button type="button" className="secondary" onClick={() => setLogo(null)}>
            Remove the logo
          </button>
        </p>
      ) : null}
      <p>
        <button type="submit" disabled={busy}>
          Save branding
        </button>
      </p>
      <p role="status" className={status ? (status.ok ? "success" : "error") : undefined}>
        {status?.text ?? ""}
      </p>
    </form>
  );
}
