"""Fail unless browser tests ran and none of the suite's browser tests was skipped."""

import sys
import xml.etree.ElementTree as ET  # noqa: S405 - our own pytest report, not untrusted input


def main(paths: list[str]) -> int:
    for path in paths:
        root = ET.parse(path).getroot()  # noqa: S314
        browser = [case for case in root.iter("testcase") if ".browser." in case.get("classname", "")]
        skipped = [case for case in browser if case.find("skipped") is not None]
        if not browser:
            print(f"{path}: no browser test ran")  # noqa: T201
            return 1
        if skipped:
            names = ", ".join(case.get("name", "?") for case in skipped)
            print(f"{path}: browser tests skipped: {names}")  # noqa: T201
            return 1
        print(f"{path}: {len(browser)} browser tests ran, none skipped")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
