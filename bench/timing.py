"""Clocks and tables shared by the benchmark sections."""

import statistics
import time
from dataclasses import asdict, dataclass, field


def timed(function, repeat: int) -> tuple[float, float]:
    """Median and best wall-clock milliseconds of `repeat` calls."""
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), min(samples)


def elapsed_ms(function) -> float:
    began = time.perf_counter()
    function()
    return (time.perf_counter() - began) * 1000


@dataclass(frozen=True)
class Latencies:
    """Per-operation wall-clock milliseconds of one series."""

    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.samples, n=20)[-1] if len(self.samples) > 1 else self.samples[0]

    @property
    def per_second(self) -> float:
        """Throughput of the series run back to back: operations / total time."""
        return len(self.samples) / (sum(self.samples) / 1000)


@dataclass
class Table:
    """One Markdown table of the report: a title, columns, rows, and notes under it."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [f"### {self.title}", ""]
        lines.append("| " + " | ".join(self.columns) + " |")
        lines.append("|" + "|".join("---:" if self._numeric(i) else "---" for i in range(len(self.columns))) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        if self.notes:
            lines.append("")
            lines += self.notes
        return "\n".join(lines)

    def _numeric(self, column: int) -> bool:
        """Right-align a column whose every cell is a figure ("1,234", "2.5", "3.0 MB")."""
        cells = [row[column].split(" ")[0].replace(",", "") for row in self.rows]
        try:
            [float(cell) for cell in cells]
        except ValueError:
            return False
        return bool(cells)

    def as_dict(self) -> dict:
        return asdict(self)
