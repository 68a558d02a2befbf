"use client";
import { useEffect, useId, useRef, useState } from "react";
import type { QuestionView } from "@/lib/qa";
import type { ActionDef, ActionId } from "./moderation-actions";

/**
 * The card's secondary actions behind one button (the WAI-ARIA menu button pattern): Enter, Space or
 * ↓ opens it on the first item, ↑ on the last; ↑/↓/Home/End move; Escape closes it and gives the focus
 * back to the button; Tab or a click elsewhere closes it.
 */
export function ActionMenu({ q, actions, onAct }: { q: QuestionView; actions: readonly ActionDef[]; onAct: (id: ActionId) => void }) {
  const [open, setOpen] = useState(false);
  const [start, setStart] = useState<"first" | "last">("first");
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLUListElement>(null);
  const id = useId();
  const items = () => [...(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];

  useEffect(() => {
    if (!open) return;
    const all = items();
    (start === "last" ? all[all.length - 1] : all[0])?.focus();
    const outside = (e: PointerEvent) => {
      if (!menuRef.current?.contains(e.target as Node) && !buttonRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", outside);
    return () => document.removeEventListener("pointerdown", outside);
  }, [open, start]);

  if (actions.length === 0) return null;
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) buttonRef.current?.focus();
  };
  const show = (at: "first" | "last") => {
    setStart(at);
    setOpen(true);
  };

  return (
    <div className="qa-menu">
      <button
        ref={buttonRef}
        type="button"
        className="secondary"
        id={`${id}-button`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? `${id}-menu` : undefined}
        aria-label="More actions"
        onClick={(e) => {
          e.stopPropagation();
          if (open) close(false);
          else show("first");
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" || e.key === "ArrowUp") {
            e.preventDefault();
            show(e.key === "ArrowUp" ? "last" : "first");
          }
        }}
      >
        More <span aria-hidden="true">▾</span>
      </button>
      {open ? (
        <ul
          ref={menuRef}
          role="menu"
          id={`${id}-menu`}
          aria-labelledby={`${id}-button`}
          className="qa-menu-list"
          onKeyDown={(e) => {
            const all = items();
            const i = all.indexOf(document.activeElement as HTMLElement);
            const go = (n: number) => all[(n + all.length) % all.length]?.focus();
            if (e.key === "ArrowDown") go(i + 1);
            else if (e.key === "ArrowUp") go(i - 1);
            else if (e.key === "Home") go(0);
            else if (e.key === "End") go(all.length - 1);
            else if (e.key === "Escape") close(true);
            else if (e.key === "Tab") return setOpen(false);
            else return;
            e.preventDefault();
            e.stopPropagation();
          }}
        >
          {actions.map((a) => (
            <li
              key={a.id}
              role="menuitem"
              tabIndex={-1}
              aria-keyshortcuts={a.key}
              onClick={(e) => {
                e.stopPropagation();
                close(false);
                onAct(a.id);
              }}
              onKeyDown={(e) => {
                if (e.key === "Enter" || e.key === " ") {
                  e.preventDefault();
                  e.stopPropagation();
                  close(false);
                  onAct(a.id);
                }
              }}
            >
              <span>{a.id === "star" && q.starred ? "Unstar" : a.label}</span> <kbd aria-hidden="true">{a.shown}</kbd>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
