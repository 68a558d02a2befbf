"use client";
import { useLayoutEffect, useRef } from "react";

/**
 * Scales a block's type to the largest size at which it still fits its box (binary search on
 * font-size in px; everything inside sizes in em). For the room's screen, which never scrolls: a
 * 20-character question fills the space in huge type, a 500-character one shrinks until it fits.
 * Refits when the box changes size (a captions band appears, the window is resized) and when `key`
 * changes (new text, new results). The content carries `data-fit` and stays invisible until its
 * first fit.
 */
export function useFitText<Box extends HTMLElement, Content extends HTMLElement>(key: unknown, limits: { min: number; maxOfHeight: number }) {
  const box = useRef<Box>(null);
  const content = useRef<Content>(null);
  const { min, maxOfHeight } = limits;
  useLayoutEffect(() => {
    const b = box.current;
    if (!b) return;
    const fit = () => {
      const c = content.current;
      if (!c || b.clientHeight === 0) return;
      const fits = (px: number) => {
        c.style.fontSize = `${px}px`;
        return c.scrollHeight <= b.clientHeight && c.scrollWidth <= b.clientWidth;
      };
      let lo = min;
      let hi = Math.max(min, window.innerHeight * maxOfHeight);
      if (!fits(hi)) {
        while (hi - lo > 0.5) {
          const mid = (lo + hi) / 2;
          if (fits(mid)) lo = mid;
          else hi = mid;
        }
        fits(lo);
      }
      // Shown from now on (qa.css): the server's HTML has no size yet, and its text would first
      // appear small and then jump to its size on the projector.
      c.dataset.fitted = "";
    };
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(b);
    // Web fonts change the text's metrics when they arrive.
    void document.fonts?.ready.then(fit);
    return () => observer.disconnect();
  }, [key, min, maxOfHeight]);
  return { box, content };
}
