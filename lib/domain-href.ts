/** A domain's page: by its UUID when the host reports one (a name can move or be reused), else by its name. */
export function domainHref(d: { name: string; uuid: string | null }): string {
  return `/domains/${encodeURIComponent(d.uuid ?? d.name)}`;
}
