// Dragging a domain by keyboard or touch: what a screen reader hears (dnd-kit's accessibility hooks).

/** What a screen reader hears during a drag: the domain's and the hosts' names, never Ferry's internal ids. */
export const screenReaderInstructions = {
  draggable:
    "To move a domain to another host, press Space to pick it up, use the arrow keys to carry it over a host, then press Space to drop it there and read the checks, or Escape to put it back.",
};
/** a card's drag id is host:name:id:uuid (./domain-key.ts; names and host ids hold no colon), a host's its id */
const nameOf = (id: string | number | undefined, hosts?: ReadonlyMap<string, string>) => {
  const s = String(id ?? "");
  return s.includes(":") ? s.split(":")[1] : (hosts?.get(s) ?? s);
};
type Moving = { active: { id: string | number }; over: { id: string | number } | null };
export function makeAnnouncements(hosts: ReadonlyMap<string, string>) {
  return {
    onDragStart: ({ active }: Pick<Moving, "active">) => `Picked up ${nameOf(active.id)}.`,
    onDragOver: ({ active, over }: Moving) =>
      over ? `${nameOf(active.id)} is over ${nameOf(over.id, hosts)}.` : `${nameOf(active.id)} is over no host.`,
    onDragEnd: ({ active, over }: Moving) =>
      over
        ? `${nameOf(active.id)} was dropped on ${nameOf(over.id, hosts)}: the checks open.`
        : `${nameOf(active.id)} was put back.`,
    onDragCancel: ({ active }: Pick<Moving, "active">) =>
      `Moving ${nameOf(active.id)} was cancelled; it stays where it was.`,
  };
}
