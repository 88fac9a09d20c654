import type { ImageDirFacts } from "@/lib/toolstacks/linux/dir-stat";

/** The guide's warning as behaviour: saved images are unencrypted memory, so their directory must be private. */
export function ImageDirWarning({ dir }: { dir: ImageDirFacts | null }) {
  if (!dir || dir.state === "private") return null;
  const text = {
    "readable-by-others": `Image directory ${dir.path} is readable by others (mode ${dir.mode}). Saved images are unencrypted memory dumps: run chmod 700 ${dir.path}.`,
    missing: `Image directory ${dir.path} does not exist on this host: saves here will fail until it is created (mode 700).`,
    unknown: `Ferry could not read the permissions of ${dir.path}.`,
  }[dir.state];
  return (
    <p
      className="mt-3 rounded border border-amber-300 bg-amber-50 px-2 py-1.5 text-xs text-amber-900"
      data-testid="image-dir-warning"
      data-state={dir.state}
    >
      {text}
    </p>
  );
}
