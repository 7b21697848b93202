"""Run every case in headless Chromium and write what it did as JSON.

python -m tests.browser.record /tmp/chromium-observations.json [case-id-substring ...]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make "tests.browser" importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.browser.cases import load_cases  # noqa: E402
from tests.browser.chromium import launch, run_in_chromium  # noqa: E402
from tests.browser.server import CaseServer  # noqa: E402


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    output, filters = Path(argv[0]), argv[1:]
    from playwright.sync_api import sync_playwright

    cases = [c for c in load_cases() if not filters or any(f in c.id for f in filters)]
    server = CaseServer()
    for case in cases:
        server.register(
            case.id, case.responses, case.page, case.page_headers, case.page_meta_csp, case.page_host
        )
    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        observations = {}
        for case in cases:
            observations[case.id] = {
                "category": case.category,
                "description": case.description,
                **run_in_chromium(browser, server, case).to_json(),
            }
        version = browser.version
        browser.close()
    server.close()
    report = {"chromium": version, "page_origin_example": server.origins["page"], "cases": observations}
    output.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(cases)} cases in Chromium {version}, {time.monotonic() - started:.1f} s -> {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
