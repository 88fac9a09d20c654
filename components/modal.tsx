"use client";
import * as Dialog from "@radix-ui/react-dialog";
import type { ReactNode } from "react";

/**
 * Every dialog of the app, on Radix's accessible primitive: it takes focus when it opens, keeps Tab inside,
 * closes on Escape (or a click outside) and gives focus back to where it was; screen readers hear its title.
 */
export function Modal({
  title,
  onClose,
  testId,
  width = "max-w-lg",
  data,
  returnFocus,
  holdFocus = false,
  children,
}: {
  title: ReactNode;
  onClose(): void;
  testId: string;
  width?: string;
  /** where focus goes when it closes, when not where it was before it opened (a dialog opened by a drop) */
  returnFocus?: () => HTMLElement | null;
  /** focus the dialog itself when it opens, not its first control (the dialog moves it once its answer is in) */
  holdFocus?: boolean;
  /** data-* attributes for the dialog element */
  data?: Record<`data-${string}`, string | boolean | undefined>;
  children: ReactNode;
}) {
  return (
    <Dialog.Root
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
    >
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-50 bg-black/50" />
        <Dialog.Content
          className={`fixed top-1/2 left-1/2 z-50 max-h-[calc(100vh-2rem)] w-[calc(100vw-2rem)] ${width} -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-lg bg-white p-5 shadow-xl`}
          data-testid={testId}
          aria-describedby={undefined}
          onOpenAutoFocus={(e) => {
            if (!holdFocus) return;
            e.preventDefault();
            (e.currentTarget as HTMLElement | null)?.focus();
          }}
          onCloseAutoFocus={(e) => {
            const el = returnFocus?.();
            if (el) {
              e.preventDefault();
              el.focus();
            }
          }}
          {...data}
        >
          <Dialog.Title className="text-lg font-semibold">{title}</Dialog.Title>
          {children}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
