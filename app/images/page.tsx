import { getServices } from "@/lib/runtime";
import { requirePage } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { ImagesView } from "@/components/images/images-view";

export const dynamic = "force-dynamic";
export const metadata = { title: "Images" };

// GET /images – the saved-image catalog: restore on a host, verify, delete
export default async function ImagesPage() {
  const { session } = await requirePage("/images");
  const { jobs, inventory, retention } = getServices();
  const images = await jobs.catalog.list();
  const hosts = inventory.snapshot().map((h) => ({ id: h.id, name: h.name, status: h.status, toolstack: h.toolstack }));
  return (
    <ImagesView
      initialImages={images}
      initialReview={await retention.review(images)}
      hosts={hosts}
      canAct={hasRole(session.user.role, "operator")}
    />
  );
}
