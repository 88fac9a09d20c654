import Link from "next/link";
import type { ImageView } from "@/lib/images/catalog";
import { LocalTime } from "../time";

/** Under an image's path: the restores made from it, and the later image of the same domain that replaces it. */
export function ImageHistoryLine({ image }: { image: ImageView }) {
  const restored = image.restoredBy ?? [];
  const later = image.supersededBy;
  if (!restored.length && !later) return null;
  return (
    <div className="mt-0.5 space-y-0.5 text-xs text-amber-800">
      {restored.map((r) => (
        <p key={r.jobId} data-testid="image-restored">
          restored at <LocalTime iso={r.at} />
          {r.host ? ` on ${r.host}` : ""} by{" "}
          <Link className="underline" href={`/jobs/${r.jobId}`}>
            job {r.jobId}
          </Link>
        </p>
      ))}
      {later && (
        <p data-testid="image-superseded">
          superseded by {later.hostName}:<span className="font-mono">{later.path}</span> (saved{" "}
          <LocalTime iso={later.at} />)
        </p>
      )}
    </div>
  );
}
