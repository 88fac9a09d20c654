import { expect, type Page } from "@playwright/test";

export interface HostFields {
  name: string;
  address: string;
  port: string | number;
  user?: string;
  keyPath: string;
}

export class HostsPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto("/hosts");
    await expect(this.page.getByTestId("add-host-form")).toBeVisible();
    await this.page.waitForFunction(() => document.readyState === "complete");
  }

  async fill(f: HostFields) {
    const p = this.page;
    await p.getByTestId("field-name").fill(f.name);
    await p.getByTestId("field-address").fill(f.address);
    await p.getByTestId("field-port").fill(String(f.port));
    await p.getByTestId("field-user").fill(f.user ?? "root");
    await p.getByTestId("field-keypath").fill(f.keyPath);
  }

  async fetchKey() {
    await this.page.getByTestId("scan").click();
  }
  async accept() {
    await this.page.getByTestId("accept").click();
  }
  error() {
    return this.page.getByTestId("form-error");
  }
  row(name: string) {
    return this.page.getByTestId(`host-row-${name}`);
  }
}
