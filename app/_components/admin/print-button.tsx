"use client";

/** The browser's own print dialog, which also saves as PDF. */
export function PrintButton() {
  return (
    <button type="button" onClick={() => window.print()}>
      Print or save as PDF
    </button>
  );
}
