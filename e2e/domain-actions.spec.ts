import { expect, test } from "@playwright/test";
import { apiAs, loginAs } from "./auth";
import { hostIds, startMigration, waitFinal, whereRuns } from "./jobs-api";

// A domain's actions on its own page (and the host page's way to them): the same dialogs as a drag. A viewer
// sees the page without them.

test("from the host page to the domain's page: migrate it there, with the same checks; save and restore are offered", async ({
  page,
}) => {
  const home = (await whereRuns("debian_etch_domU"))[0];
  const to = home === "hostB" ? "hostC" : "hostB";
  await loginAs(page, "operator");
  const api = await apiAs("operator");
  const ids = await hostIds(api);
  await page.goto(`/hosts/${ids[home]}`);
  await page.getByTestId("host-domain-actions-debian_etch_domU").click();
  const actions = page.getByTestId("domain-actions");
  await expect(actions).toHaveAttribute("data-ready", "1");
  // another host of its toolstack is proposed; hosts of another toolstack say so
  await expect(actions.getByTestId("action-target").locator("option", { hasText: "kvmA" })).toContainText(
    "another toolstack",
  );
  await actions.getByTestId("action-target").selectOption({ label: to });
  await actions.getByTestId("action-save").click();
  await expect(page.getByTestId("save-dialog")).toBeVisible();
  await page.keyboard.press("Escape");
  await actions.getByTestId("action-migrate").click();
  const dialog = page.getByTestId("migrate-dialog");
  await expect(dialog).toContainText(`${home} → ${to}`);
  await expect(dialog.getByTestId("check-memory")).toHaveAttribute("data-status", "ok");
  await dialog.getByTestId("migrate-start").click();
  // the job's page opens
  await expect(page).toHaveURL(/\/jobs\//);
  await expect(page.getByTestId("job-status")).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  expect(await whereRuns("debian_etch_domU")).toEqual([to]);
  // back where the next specs expect it
  expect(await waitFinal(api, (await startMigration(api, "debian_etch_domU", to, home)).id)).toBe("succeeded");
  await api.dispose();

  await page.context().clearCookies();
  await loginAs(page, "viewer");
  await page.goto("/domains/debian_etch_domU");
  await expect(page.getByTestId("domain-page")).toBeVisible();
  await expect(page.getByTestId("domain-actions")).toHaveCount(0);
});

test("a shut-off libvirt domain is started from its page; shutting it down asks first, and the host says what it did", async ({
  page,
}) => {
  await loginAs(page, "operator");
  await page.goto("/domains/win-test");
  const actions = page.getByTestId("domain-actions");
  await expect(actions).toHaveAttribute("data-ready", "1");
  await expect(page.getByTestId("domain-where")).toContainText("shut down");
  await actions.getByTestId("power-start").click();
  await expect(actions.getByTestId("power-message")).toHaveText("kvmB says: Domain 'win-test' started");
  await expect(page.getByTestId("domain-where")).toContainText("running");
  // shutting down asks in words first; Cancel sends nothing
  await actions.getByTestId("power-shutdown").click();
  await expect(actions.getByTestId("power-confirm")).toContainText("Shut win-test down on kvmB?");
  await actions.getByTestId("power-confirm-no").click();
  await expect(actions.getByTestId("power-confirm")).toHaveCount(0);
  await actions.getByTestId("power-shutdown").click();
  await actions.getByTestId("power-confirm-yes").click();
  await expect(actions.getByTestId("power-message")).toHaveText("kvmB says: Domain 'win-test' is being shutdown");
  // the guest acts on it a moment later: the page shows it off again, still defined on kvmB
  await expect
    .poll(async () => {
      await page.reload();
      return page.getByTestId("domain-where").innerText();
    })
    .toContain("shut down");
  await expect(page.getByTestId("power-start")).toBeVisible();
  // a running Xen (xl) domain has no power buttons: xl keeps no definition of a domain that is off
  await page.goto("/domains/debian_etch_domU");
  await expect(page.getByTestId("domain-actions")).toHaveAttribute("data-ready", "1");
  await expect(page.getByTestId("power")).toHaveCount(0);
});
