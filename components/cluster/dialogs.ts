"use client";
import dynamic from "next/dynamic";

// The dialogs the Cluster page opens after a drop, a Save or a group move. They bring the forecast's form, its
// validation (zod) and the plan's timeline (recharts): about half of the page's script, which the page does not
// need to become usable. Each loads when it first opens, or earlier when the page has nothing else to do.
const loadMigrate = () => import("../jobs/migrate-dialog");
const loadSave = () => import("../jobs/save-dialog");
const loadGroup = () => import("./group-move-dialog");

export const MigrateDialog = dynamic(() => loadMigrate().then((m) => m.MigrateDialog), { ssr: false });
export const SaveDialog = dynamic(() => loadSave().then((m) => m.SaveDialog), { ssr: false });
export const GroupMoveDialog = dynamic(() => loadGroup().then((m) => m.GroupMoveDialog), { ssr: false });

/** Fetch the dialogs' script ahead of their first use (a drag that starts, or an idle page). */
export function preloadDialogs() {
  void Promise.all([loadMigrate(), loadSave(), loadGroup()]).catch(() => {
    // a fetch that fails ahead of time is left to the dialog's own load when it opens
  });
}
