"""axe-core in the page under test: WCAG 2.0/2.1 A and AA rules plus Deque's best practices.

`assert_no_serious_violations(page, label)` fails on any serious or critical violation, with a
message that names each rule, says what it asks for and shows the first offending elements,
so the template to fix can be found without re-running the test.
"""

from pathlib import Path

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}
TARGETS_SHOWN = 3

RUN = """async ([context, tags]) => {
    const results = await axe.run(context || document, {
        runOnly: {type: "tag", values: tags},
        resultTypes: ["violations"],
    });
    return results.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary})),
    }));
}"""


def run_axe(page, *, context=None) -> list[dict]:
    """The violations axe finds in the page (or in `context`: a selector or an axe context object
    such as {"exclude": [...]}) as dicts: id, impact, help, helpUrl, nodes [{target, html, summary}]."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(RUN, [context, TAGS])


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:TARGETS_SHOWN]:
            lines.append(f"    {node['target']}: {node['html'][:200]}")
        if len(violation["nodes"]) > TARGETS_SHOWN:
            lines.append(f"    ... and {len(violation['nodes']) - TARGETS_SHOWN} more")
    return "\n".join(lines)


def serious_violations(page, *, context=None) -> list[dict]:
    return [v for v in run_axe(page, context=context) if v["impact"] in BLOCKING]


def assert_no_serious_violations(page, label: str, *, context=None) -> None:
    violations = serious_violations(page, context=context)
    assert not violations, f"axe on {label} ({page.url}):\n{describe(violations)}"
