"""Benchmark of the explorer's first view on a phone's network: bytes and time to first render.

Builds nothing: serves an existing release folder (default releases/latest) with the
platform's own `serve` code (gzip, as deployed), opens the explorer in headless Chromium
with the cache disabled and the network throttled through the DevTools protocol
(Network.emulateNetworkConditions) to Chrome DevTools' own presets, and measures up to the
moment the page marks itself ready (body[data-ready=true], its first render):

- bytes: what crossed the network (gzipped bodies plus headers: Resource Timing
  `transferSize` of the page and of every file that finished before the first render);
- time: from navigation start to the first render.

The presets (DevTools front_end/core/sdk/NetworkManager.ts: nominal figures, throughput
x 0.9, latency x its factor), printed with the results:
  Fast 4G: 9 Mbit/s down, 1.5 Mbit/s up, 60 ms x 2.75 = 165 ms latency;
  Slow 4G (formerly "Fast 3G"): 1.6 Mbit/s down, 0.75 Mbit/s up, 150 ms x 3.75 = 562.5 ms.

Usage: .venv/bin/python bench/explorer.py [RELEASE_FOLDER] [--runs N]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from social_progress.publish.serve import serve_in_thread

ROOT = Path(__file__).resolve().parents[1]

CHROMIUM = os.environ.get("SPI_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SPI_CHROMEDRIVER", "/usr/bin/chromedriver")
CONDITIONS = {
    "Fast 4G": {"latency": 60 * 2.75, "downloadThroughput": 9e6 / 8 * 0.9, "uploadThroughput": 1.5e6 / 8 * 0.9},
    "Slow 4G (Fast 3G)": {"latency": 150 * 3.75, "downloadThroughput": 1.6e6 / 8 * 0.9,
                          "uploadThroughput": 0.75e6 / 8 * 0.9},
}
# Injected before the page's own scripts (through DevTools, so the page's CSP does not
# apply): notes when body[data-ready] is first set, for any version of the page.
WATCH_READY = """
new MutationObserver(function (_, obs) {
  if (document.body && document.body.getAttribute('data-ready') === 'true' && window.__spiReadyAt === undefined) {
    window.__spiReadyAt = performance.now(); obs.disconnect();
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-ready']});
"""
# What had arrived by the first render: the page itself and every file finished by then.
FIRST_VIEW = """
var t = window.__spiReadyAt, nav = performance.getEntriesByType('navigation')[0];
var files = performance.getEntriesByType('resource').filter(function (r) { return r.responseEnd <= t; });
return {ms: t, bytes: nav.transferSize + files.reduce(function (s, r) { return s + r.transferSize; }, 0),
        files: [[nav.name, nav.transferSize]].concat(files.map(function (r) { return [r.name, r.transferSize]; }))};
"""


def browser(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    options.page_load_strategy = "none"     # timed from the page's own clock, not the load event
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
                f"--user-data-dir={profile}", "--window-size=390,844"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def first_view(driver, url: str, condition: dict, timeout_s: float = 180) -> dict:
    driver.get("about:blank")
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, **condition})
    driver.get(url)
    end = time.monotonic() + timeout_s
    while driver.execute_script("return window.__spiReadyAt === undefined"):
        if time.monotonic() > end:
            raise TimeoutError(f"{url}: no first render within {timeout_s} s")
        time.sleep(0.05)
    return driver.execute_script(FIRST_VIEW)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("release", nargs="?", default=str(ROOT / "releases" / "latest"))
    ap.add_argument("--runs", type=int, default=3, help="runs per condition; the median is printed")
    ap.add_argument("--files", action="store_true", help="also list the files of the first view")
    args = ap.parse_args(argv)
    server, url = serve_in_thread(Path(args.release).resolve())
    # leaving a page cancels its background loads: a dropped connection is no error here
    report = server.handle_error
    server.handle_error = lambda request, address: (None if isinstance(sys.exc_info()[1], ConnectionError)
                                                    else report(request, address))
    profile = Path(tempfile.mkdtemp(prefix="spi-bench-chromium-"))
    driver = browser(profile)
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_READY})
        print(f"release: {args.release}")
        print(f"{'condition':<20} {'latency_ms':>10} {'down_kB/s':>9} {'bytes (gzipped)':>16} {'first render (s)':>17}")
        for name, cond in CONDITIONS.items():
            runs = sorted((first_view(driver, url, cond) for _ in range(args.runs)), key=lambda r: r["ms"])
            mid = runs[len(runs) // 2]
            print(f"{name:<20} {cond['latency']:>10.1f} {cond['downloadThroughput'] / 1000:>9.1f} "
                  f"{mid['bytes']:>16,} {mid['ms'] / 1000:>17.2f}")
            if args.files:
                for f, n in mid["files"]:
                    print(f"    {n:>10,}  {f.removeprefix(url)}")
    finally:
        driver.quit()
        server.shutdown()
        server.server_close()
        shutil.rmtree(profile, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
