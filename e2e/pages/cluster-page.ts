import { expect, type Page } from "@playwright/test";

export class ClusterPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto("/");
    // socket connected = the page hydrated and receives deltas
    await expect(this.page.getByTestId("stream-status")).toHaveAttribute("data-status", "live");
  }

  host(name: string) {
    return this.page.getByTestId(`host-${name}`);
  }
  domain(host: string, domain: string) {
    return this.host(host).getByTestId(`domain-${domain}`);
  }
}
