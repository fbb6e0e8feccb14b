"""Run axe-core (the npm package) inside Debian's Chromium and collect serious violations."""

from school_tracker import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def axe_violations(page) -> list[str]:
    """Serious and critical WCAG 2.x A/AA violations on the page, as readable strings."""
    # A button left mid-transition under the pointer (Bootstrap animates its colours) would be
    # measured between two colours; reduced motion stops transitions, as Bootstrap honours it.
    page.emulate_media(reduced_motion="reduce")
    # A heading can be in the DOM before app.css has arrived; without it the navbar has no
    # background and its light buttons would be measured against white.
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]
